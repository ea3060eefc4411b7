/**
 * `npm run bench`: cold starts, journey latency, throughput and cost per
 * onboarding. Writes bench/results.json and BENCHMARKS.md.
 *
 *   node bench/run.ts [--quick | --smoke] [--sections cold,latency,throughput,cost]
 *                     [--starts N] [--functions A,B] [--out file] [--report file]
 *
 * --quick  fewer repetitions; --smoke a tiny run for the test suite;
 * --render re-renders the report from an existing results file (after editing bench/report.ts).
 * The stack sections run in child processes (bench/stack-section.ts), one local stack each.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as z from 'zod';
import { measureColdStarts } from './cold-start.ts';
import { machineInfo } from './lib/machine.ts';
import { renderReport } from './report.ts';
import {
  type CostResult,
  coldStartResultSchema,
  costResultSchema,
  type LatencyResult,
  latencyResultSchema,
  type Results,
  resultsSchema,
  type ThroughputResult,
  throughputResultSchema,
} from './results-schema.ts';
import type { SectionConfig } from './stack-section.ts';

type Mode = Results['mode'];
const SECTIONS = ['cold', 'latency', 'throughput', 'cost'] as const;
type Section = (typeof SECTIONS)[number];
const isSection = (name: string): name is Section => (SECTIONS as readonly string[]).includes(name);

/** A stack section that has not finished by then is killed: the run always ends. */
const SECTION_DEADLINE_MS = 8 * 60_000;

interface Plan {
  starts: number;
  functions?: string[];
  latency: Omit<Extract<SectionConfig, { section: 'latency' }>, 'section'>;
  throughput: Omit<Extract<SectionConfig, { section: 'throughput' }>, 'section'>;
  cost: Omit<Extract<SectionConfig, { section: 'cost' }>, 'section'>;
}

const PLANS: Record<Mode, Plan> = {
  full: {
    starts: 20,
    latency: {
      plan: [
        { latencyMs: 0, journeys: 100 },
        { latencyMs: 150, journeys: 30 },
      ],
      warmup: 5,
      paths: ['single', 'multi'],
    },
    throughput: {
      levels: [1, 4, 8, 16, 32, 64],
      windowMs: 4000,
      profileConcurrency: 8,
      variants: ['product', 'baseline'],
    },
    cost: {
      journeysPerPath: 5,
      trueLayerLatencies: [0, 150],
      paths: ['single', 'multi', 'failure', 'denied'],
    },
  },
  quick: {
    starts: 15,
    latency: {
      plan: [
        { latencyMs: 0, journeys: 30 },
        { latencyMs: 150, journeys: 10 },
      ],
      warmup: 3,
      paths: ['single', 'multi'],
    },
    throughput: {
      levels: [1, 8, 32, 64],
      windowMs: 2000,
      profileConcurrency: 8,
      variants: ['product', 'baseline'],
    },
    cost: {
      journeysPerPath: 2,
      trueLayerLatencies: [0, 150],
      paths: ['single', 'multi', 'failure', 'denied'],
    },
  },
  smoke: {
    starts: 3,
    functions: ['GetOnboarding', 'Callback'],
    latency: { plan: [{ latencyMs: 0, journeys: 3 }], warmup: 0, paths: ['single'] },
    throughput: { levels: [2], windowMs: 300, profileConcurrency: 2, variants: ['product'] },
    cost: { journeysPerPath: 1, trueLayerLatencies: [0], paths: ['single', 'multi', 'failure', 'denied'] },
  },
};

const log = (line: string) => process.stderr.write(`${line}\n`);

function runSection<S extends z.ZodType>(
  config: SectionConfig,
  schema: S,
  workDir: string,
): Promise<z.infer<S>> {
  const out = join(workDir, `${config.section}.json`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        new URL('./stack-section.ts', import.meta.url).pathname,
        '--config',
        JSON.stringify(config),
        '--out',
        out,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), SECTION_DEADLINE_MS);
    child.on('error', reject);
    child.on('exit', async (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`section ${config.section} ended with ${signal ?? code}`));
      try {
        resolvePromise(schema.parse(JSON.parse(await readFile(out, 'utf8'))));
      } catch (error) {
        reject(error);
      }
    });
  });
}

type Verdict = Results['targets'][number];
const verdict = (target: string, measured: string, pass: boolean | null): Verdict => ({
  target,
  measured,
  verdict: pass === null ? 'INFO' : pass ? 'PASS' : 'MISS',
});

function targetsOf(results: Omit<Results, 'targets'>): Verdict[] {
  const targets: Verdict[] = [];
  const { cost, cold_start: cold, latency, throughput } = results;
  if (cost) {
    const transitions = (path: 'single' | 'multi') =>
      cost.usage.find((u) => u.path === path && u.truelayer_latency_ms === 0)?.state_transitions;
    targets.push(
      verdict(
        `Single-account path ≤ ${cost.targets.single_max_transitions} state transitions`,
        `${transitions('single') ?? '—'}`,
        cost.targets.single_pass,
      ),
      verdict(
        `Multi-account path ≤ ${cost.targets.multi_max_transitions} state transitions`,
        `${transitions('multi') ?? '—'}`,
        cost.targets.multi_pass,
      ),
    );
  } else targets.push({ target: 'State transitions per path', measured: '—', verdict: 'NOT RUN' });
  if (cold) {
    for (const handler of cold.handlers)
      targets.push(
        verdict(
          `${handler.function}: init adds ≤ ${cold.target_added_ms} ms to its plain SDK bundle`,
          handler.added_ms === null
            ? (handler.error ?? 'not measured')
            : `+${handler.added_ms} ms (medians ${handler.init_ms?.median} ms vs ${handler.sdk_init_ms?.median} ms; ${handler.ratio_to_sdk}× paired)`,
          handler.pass,
        ),
      );
  } else targets.push({ target: 'Handler init added to the plain SDK', measured: '—', verdict: 'NOT RUN' });
  if (latency) {
    for (const run of latency.runs)
      targets.push(
        verdict(
          `${run.path === 'single' ? 'Single' : 'Multi'}-account journey p50 @${run.truelayer_latency_ms} ms per TrueLayer call${run.target_ratio === null ? ' vs baseline (information)' : ` ≤ ${run.target_ratio}× baseline`}`,
          `${run.ratio_p50}× (${run.product_ms.median} ms vs ${run.baseline_ms.median} ms)`,
          run.pass,
        ),
      );
  } else targets.push({ target: 'Journey latency overhead', measured: '—', verdict: 'NOT RUN' });
  if (throughput) {
    targets.push(
      verdict(
        `≥ ${throughput.target_jps} single-account journeys/s, nothing lost`,
        `${throughput.peak_product_jps} journeys/s at ×${throughput.peak_product_concurrency}, ${throughput.nothing_lost ? 'nothing lost' : 'journeys lost or failed'}`,
        throughput.pass,
      ),
    );
  } else targets.push({ target: 'Throughput', measured: '—', verdict: 'NOT RUN' });
  return targets;
}

/**
 * The repository's formatter checks JSON and Markdown too (`npm run lint`), so
 * what the bench writes is passed through it. Files outside the repository are
 * left as written.
 */
function formatWithBiome(paths: readonly string[]): Promise<void> {
  const biome = new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url).pathname;
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [biome, 'format', '--write', ...paths], { timeout: 60_000 }, (error) => {
      if (error) log(`(biome did not format ${paths.join(', ')}; the files are written as generated)`);
      resolvePromise();
    });
  });
}

const insideRepository = (path: string) =>
  resolve(path).startsWith(new URL('..', import.meta.url).pathname) &&
  !resolve(path).includes('/.bench-build/');

async function writeReport(results: Results, reportPath: string) {
  await writeFile(reportPath, renderReport(results));
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      sections: { type: 'string' },
      starts: { type: 'string' },
      functions: { type: 'string' },
      out: { type: 'string', default: 'bench/results.json' },
      report: { type: 'string', default: 'BENCHMARKS.md' },
      'build-dir': { type: 'string', default: '.bench-build' },
      render: { type: 'boolean', default: false },
    },
  });
  if (values.render) {
    const results = resultsSchema.parse(JSON.parse(await readFile(values.out, 'utf8')));
    await writeReport(results, values.report);
    if (insideRepository(values.report)) await formatWithBiome([values.report]);
    log(`rendered ${values.report} from ${values.out}`);
    return;
  }
  const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const sections = (values.sections ?? SECTIONS.join(',')).split(',').map((name) => name.trim());
  const unknown = sections.filter((name) => !isSection(name));
  if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(', ')}`);
  const starts = values.starts === undefined ? plan.starts : Number.parseInt(values.starts, 10);
  if (!Number.isInteger(starts) || starts < 1) throw new Error('--starts takes a positive integer');
  const functions = values.functions?.split(',').map((name) => name.trim()) ?? plan.functions;
  const buildDir = resolve(values['build-dir']);
  const workDir = join(buildDir, `run-${process.pid}`);
  await mkdir(workDir, { recursive: true });

  const began = performance.now();
  const machine = machineInfo();
  log(`bench (${mode}) on ${machine.cpu_model}, ${machine.cores} cores, Node ${machine.node}`);
  const partial: Omit<Results, 'targets'> = {
    schema_version: 2,
    mode,
    machine,
    duration_s: 0,
  };
  try {
    if (sections.includes('cold')) {
      log('1/4 cold start per handler');
      partial.cold_start = coldStartResultSchema.parse(
        await measureColdStarts({
          starts,
          buildDir: join(buildDir, 'cold-start'),
          extras: mode !== 'smoke',
          ...(functions ? { only: functions } : {}),
          log: (line) => log(`  ${line}`),
        }),
      );
    }
    if (sections.includes('latency')) {
      log('2/4 journey latency overhead');
      const latency: LatencyResult = await runSection(
        { section: 'latency', ...plan.latency },
        latencyResultSchema,
        workDir,
      );
      partial.latency = latency;
    }
    if (sections.includes('throughput')) {
      log('3/4 throughput');
      const throughput: ThroughputResult = await runSection(
        { section: 'throughput', ...plan.throughput },
        throughputResultSchema,
        workDir,
      );
      partial.throughput = throughput;
    }
    if (sections.includes('cost')) {
      log('4/4 cost per onboarding');
      const cost: CostResult = await runSection({ section: 'cost', ...plan.cost }, costResultSchema, workDir);
      partial.cost = cost;
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  partial.duration_s = Math.round((performance.now() - began) / 100) / 10;
  const results: Results = resultsSchema.parse({ ...partial, targets: targetsOf(partial) });
  await mkdir(dirname(resolve(values.out)), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
  await writeReport(results, values.report);
  const written = [values.out, values.report].filter(insideRepository);
  if (written.length > 0) await formatWithBiome(written);
  log(`wrote ${values.out} and ${values.report} in ${results.duration_s} s`);
  for (const target of results.targets)
    log(`  ${target.verdict.padEnd(7)} ${target.target}: ${target.measured}`);
}

await main();
