/**
 * `npm start` flags (local/start.ts) in a child process: --help lists every flag and variable;
 * --auth-link-ttl, --data-dir and --deliver-events-twice reach the stack; a bad flag or value, a
 * port in use and a broken users file each get plain lines and a non-zero exit, never a stack
 * trace; the port answers nothing but the product while it starts; the banner's journey command
 * works as printed on another port.
 */
import { exec } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, requestJson } from '../helpers/http.ts';
import { killLeftovers, REPO_ROOT, runStart, start as startWithBanner } from '../helpers/npm-start.ts';

const directories: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  killLeftovers();
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const run = (args: string[], env: Record<string, string> = {}) =>
  runStart(['--port', '0', '--quiet', ...args], env);
const start = (args: string[]) => startWithBanner(['--quiet', ...args]);

/** A loopback port that something else holds for the duration of the test. */
async function heldPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const lines = (text: string) => text.trim().split('\n');
/** What a Node stack trace or an unhandled error dump looks like. */
const STACK = /^\s+at |node:internal|Node\.js v\d|\^$/m;

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
    [
      ['--truelayer-latency', 'x'],
      "npm start: --truelayer-latency must be an integer from 0 to 600000, got 'x'",
    ],
    [['--port', 'abc'], "npm start: --port must be an integer from 0 to 65535, got 'abc'"],
    [['--port'], 'npm start: --port needs a value'],
    [['--quiet=yes'], 'npm start: --quiet takes no value'],
    [['--no-such-flag'], 'npm start: unknown flag --no-such-flag'],
    [['-x'], 'npm start: unknown flag -x'],
    [['serve'], "npm start: unexpected argument 'serve'"],
  ])('refuses %j with a plain line, the way to the help, and exit code 2', async (args, line) => {
    const started = run(args);

    const code = await started.closed;

    expect(code).toBe(2);
    expect(lines(started.output())).toEqual([line, '  npm start -- --help lists every flag.']);
  });

  it('refuses a PORT that is not a port, naming the variable', async () => {
    const started = runStart(['--quiet'], { PORT: 'eighty' });

    expect(await started.closed).toBe(2);
    expect(lines(started.output())[0]).toBe(
      "npm start: PORT must be an integer from 0 to 65535, got 'eighty'",
    );
  });

  it.each(['--help', '-h'])('%s lists every flag and every variable, and exits 0', async (flag) => {
    const started = runStart([flag]);

    expect(await started.closed).toBe(0);
    const help = started.output();
    for (const name of [
      '--port',
      '--quiet',
      '--account-choice-timeout',
      '--auth-link-ttl',
      '--truelayer-latency',
      '--log-level',
      '--data-dir',
      '--deliver-events-twice',
      '--help',
      'PORT',
      'SANDBOX_USERS',
      'TRUELAYER_SIM_SWITCHES',
      'LOCAL_DYNAMODB_ENGINE',
      'TRUELAYER_CLIENT_SECRET',
      'TRUELAYER_AISP_LICENSED',
    ]) {
      expect(help).toContain(name);
    }
    expect(help).not.toContain('Integrator API');
  });

  it('says in two plain lines that the port is in use, and exits 1', async () => {
    const port = await heldPort();

    const started = runStart(['--port', String(port), '--quiet']);

    expect(await started.closed).toBe(1);
    expect(lines(started.output())).toEqual([
      `npm start: port ${port} is in use on 127.0.0.1.`,
      `  Stop whatever uses it, or choose another: npm start -- --port ${port + 1}`,
    ]);
  });

  it.each([
    ['not JSON', '{"users": [', /^npm start: Sandbox users file .+ is not valid JSON: /],
    ['an invalid user', '{"users": [{"username": "x"}]}', /^npm start: Sandbox users file .+ is invalid:/],
  ])(
    'names the broken SANDBOX_USERS file (%s) without a stack trace, and exits 2',
    async (_what, text, line) => {
      const directory = await mkdtemp(join(tmpdir(), 'sandbox-users-'));
      directories.push(directory);
      const file = join(directory, 'users.json');
      await writeFile(file, text);

      const started = run([], { SANDBOX_USERS: file });

      expect(await started.closed).toBe(2);
      expect(lines(started.output())[0]).toMatch(line);
      expect(started.output()).not.toMatch(STACK);
    },
  );

  it('answers nothing but the product while it starts: no request ever gets a 404', async () => {
    // Prepare: a fixed port, polled from the moment the process exists
    const port = await freePort();
    const started = runStart(['--port', String(port), '--quiet']);
    const statuses: number[] = [];

    // Act
    await eventually(
      async () => {
        const answers = await Promise.all(
          ['/_local/urls', '/openapi.json', '/onboardings/00000000-0000-4000-8000-000000000000'].map((path) =>
            fetch(`http://127.0.0.1:${port}${path}`).then(
              (response) => response.status,
              () => 0,
            ),
          ),
        );
        statuses.push(...answers.filter((status) => status !== 0));
        return answers;
      },
      (answers) => answers[0] === 200,
      { timeoutMs: 20_000, what: 'the local API to answer' },
    );

    // Assess: the unknown onboarding is the product's own 404 (problem+json), nothing else is
    const product = await requestJson(
      'GET',
      `http://127.0.0.1:${port}/onboardings/00000000-0000-4000-8000-000000000000`,
    );
    expect(product.status).toBe(404);
    expect(product.headers.get('content-type')).toBe('application/problem+json');
    const urlsAndDocument = statuses.filter((_status, index) => index % 3 !== 2);
    expect(urlsAndDocument.every((status) => status === 200)).toBe(true);
    expect(started.output()).not.toContain('Not Found');
  });

  it('prints a journey command that works as printed on a port other than 3000', async () => {
    // Prepare
    const started = await startWithBanner(['--quiet']);
    const printed = /A journey from the terminal: (.+)$/m.exec(started.output())?.[1] ?? '';

    // Act: exactly as a person would paste it (npm on PATH, through the shell)
    const result = await promisify(exec)(printed, { cwd: REPO_ROOT, env: { ...process.env, PORT: '' } });

    // Assess
    expect(printed).toBe(`npm run journey -- --api ${started.api} --user john`);
    expect(result.stdout).toMatch(/Result: completed, ready for payment/);
    await expect(started.stop()).resolves.toBe(0);
  });
});
