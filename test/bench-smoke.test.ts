import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Results, resultsSchema } from '../bench/results-schema.ts';

/**
 * Runs a tiny benchmark (`--smoke`: 2 handlers × 3 cold starts, 3 journeys,
 * one short throughput window, one journey per cost path) and checks what it
 * writes. Speeds are never asserted here: only the benchmark judges them.
 */
const repoRoot = new URL('..', import.meta.url).pathname;
let workDir: string;
let results: Results;
let report: string;

beforeAll(async () => {
  // Prepare
  workDir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  // Generated bundle sources must resolve node_modules, so the build directory lives in the repository.
  const buildDir = join(repoRoot, '.bench-build', `smoke-${process.pid}`);
  const out = join(workDir, 'results.json');
  const reportPath = join(workDir, 'BENCHMARKS.md');

  // Act
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['bench/run.ts', '--smoke', '--out', out, '--report', reportPath, '--build-dir', buildDir],
      { cwd: repoRoot, timeout: 90_000, maxBuffer: 8 * 1024 * 1024 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
    );
  });
  await rm(buildDir, { recursive: true, force: true });
  results = resultsSchema.parse(JSON.parse(await readFile(out, 'utf8')));
  report = await readFile(reportPath, 'utf8');
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('npm run bench -- --smoke', () => {
  it('describes the machine it ran on', () => {
    expect(results.mode).toBe('smoke');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toMatch(/^v\d+\./);
  });

  it('measures cold starts of two handlers against the floor and their plain SDK bundles', () => {
    const cold = results.cold_start;
    expect(cold?.handlers.map((handler) => handler.function)).toEqual(['Callback', 'GetOnboarding']);
    for (const handler of cold?.handlers ?? []) {
      expect(handler.error).toBeUndefined();
      expect(handler.bundle_bytes).toBeGreaterThan(0);
      expect(handler.init_ms?.n).toBe(3);
      expect(handler.sdk_init_ms?.n).toBe(3);
      expect(handler.sdk_clients).toContain('@aws-sdk/client-dynamodb');
      expect(handler.added_ms).toBe(
        Math.round(((handler.init_ms?.median ?? 0) - (handler.sdk_init_ms?.median ?? 0)) * 100) / 100,
      );
      expect(handler.pass).toBe((handler.added_ms ?? Number.POSITIVE_INFINITY) <= 12);
      expect(handler.ratio_to_sdk).toBeGreaterThan(0);
    }
    expect(cold?.target_added_ms).toBe(12);
    expect(cold?.floor.init_ms.n).toBe(3);
  });

  it('times product and baseline journeys with nothing lost', () => {
    const [run] = results.latency?.runs ?? [];
    expect(run).toMatchObject({ path: 'single', truelayer_latency_ms: 0, journeys: 3, lost: 0 });
    expect(run?.product_ms.n).toBe(3);
    expect(run?.baseline_ms.n).toBe(3);
  });

  it('counts every journey of the throughput window', () => {
    const [level] = results.throughput?.levels ?? [];
    expect(level?.completed).toBeGreaterThan(0);
    expect(level?.started).toBe(level?.completed);
    expect(level?.executions_succeeded).toBe(level?.completed);
    expect(results.throughput?.nothing_lost).toBe(true);
  });

  it('prices every path from what its journey did', () => {
    const usage = results.cost?.usage ?? [];
    expect(usage.map((u) => u.path)).toEqual(['single', 'multi', 'failure', 'denied']);
    const single = usage.find((u) => u.path === 'single');
    expect(single?.states_entered).toEqual(['LinkAccounts', 'WhatNext', 'Ended']);
    expect(single?.eventbridge_entries).toBe(1);
    expect(single?.api_requests).toBe(2);
    expect(usage.find((u) => u.path === 'denied')?.state_transitions).toBe(0);
    // The calls before the ready event end with its PutEvents, and every one is described.
    const calls = single?.calls_before_ready ?? [];
    expect(calls.at(-1)).toMatchObject({ service: 'EventBridge', operation: 'PutEvents' });
    expect(calls.filter((call) => call.guarantee.startsWith('(no rule'))).toEqual([]);
    for (const cost of results.cost?.costs ?? []) expect(cost.usd_per_million).toBeGreaterThan(0);
  });

  it('gives a verdict for every target and writes the report', () => {
    const verdicts = Object.fromEntries(results.targets.map((t) => [t.target, t.verdict]));
    expect(Object.keys(verdicts)).toEqual([
      'Single-account path ≤ 3 state transitions',
      'Multi-account path ≤ 5 state transitions',
      'Callback: init adds ≤ 12 ms to its plain SDK bundle',
      'GetOnboarding: init adds ≤ 12 ms to its plain SDK bundle',
      'Single-account journey p50 @0 ms per TrueLayer call vs baseline (information)',
      '≥ 100 single-account journeys/s, nothing lost',
    ]);
    // At 0 ms the ratio is information only; the transition counts are exact, so they pass.
    expect(verdicts['Single-account journey p50 @0 ms per TrueLayer call vs baseline (information)']).toBe(
      'INFO',
    );
    expect(verdicts['Single-account path ≤ 3 state transitions']).toBe('PASS');
    expect(verdicts['Multi-account path ≤ 5 state transitions']).toBe('PASS');
    expect(report).toContain('# Benchmarks');
    expect(report).toContain('## AWS calls before the ready event');
    expect(report).toContain('## 4. AWS cost per onboarding');
  });
});
