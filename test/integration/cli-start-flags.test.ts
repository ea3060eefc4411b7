/**
 * `npm start` flags (local/start.ts) in a child process: --auth-link-ttl, --data-dir and
 * --deliver-events-twice reach the stack; a bad value prints one plain line and exits 2.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, requestJson } from '../helpers/http.ts';

const START = fileURLToPath(new URL('../../local/start.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const directories: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, [START, '--port', '0', '--quiet', ...args], {
    env: { ...process.env, PORT: '' },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, closed };
}

async function start(args: string[]) {
  const started = run(args);
  await eventually(
    async () => started.output(),
    (text) => text.includes('Press Ctrl+C') || started.child.exitCode !== null,
    { timeoutMs: 20_000, what: 'npm start to print its URLs' },
  );
  const api = /Integrator API +(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
  if (!api) throw new Error(`npm start printed no API URL:\n${started.output()}`);
  return {
    api,
    output: started.output,
    stop: () => {
      started.child.kill('SIGTERM');
      return started.closed;
    },
  };
}

const createdSchema = z.object({ onboarding_id: z.string(), auth_link_expires_at: z.string() });

describe('npm start flags', () => {
  it('--auth-link-ttl, --data-dir and --deliver-events-twice reach the stack', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'signupplus-data-'));
    directories.push(directory);
    const flags = ['--auth-link-ttl', '42', '--data-dir', directory, '--deliver-events-twice'];

    const first = await start(flags);
    const before = Date.now();
    const created = createdSchema.parse((await requestJson('POST', `${first.api}/onboardings`, {})).body);
    const after = Date.now();
    await expect(first.stop()).resolves.toBe(0);
    // The same data directory again: the onboarding written before is still there.
    const second = await start(flags);
    const reread = await requestJson('GET', `${second.api}/onboardings/${created.onboarding_id}`);
    await expect(second.stop()).resolves.toBe(0);

    // Expiry = the moment of creation + 42 s (to the second, if the product rounds it down).
    const expiresAt = Date.parse(created.auth_link_expires_at);
    expect(expiresAt).toBeGreaterThan(before + 41_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 42_000);
    expect(await readdir(directory)).not.toEqual([]);
    expect(reread.status).toBe(200);
    expect(first.output()).toMatch(
      /Settings: auth links valid 42 s; DynamoDB data in \S+; every event delivered twice/,
    );
  });

  it.each([
    [['--auth-link-ttl', '0'], "npm start: --auth-link-ttl must be a positive integer, got '0'"],
    [['--auth-link-ttl', '1.5'], "npm start: --auth-link-ttl must be a positive integer, got '1.5'"],
    [
      ['--account-choice-timeout', 'soon'],
      "npm start: --account-choice-timeout must be a positive integer, got 'soon'",
    ],
    [['--no-such-flag'], /^npm start: Unknown option '--no-such-flag'/],
  ])('refuses %j with one line and exit code 2', async (args, line) => {
    const started = run(args);

    const code = await started.closed;

    expect(code).toBe(2);
    const lines = started.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      typeof line === 'string' ? new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : line,
    );
  });
});
