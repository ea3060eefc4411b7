/**
 * `npm run journey` (scripts/journey.ts) as a person runs it: a child process
 * against a local stack started here, asserting its exit codes and what it
 * prints. Its answers are parsed with the OpenAPI document's response schemas,
 * so these journeys also prove the document matches the handlers.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getOnboarding } from '../helpers/journey.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/journey.ts', import.meta.url));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  await stack?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function journey(...args: string[]): Promise<Run> {
  return journeyWith({}, ...args);
}

function journeyWith(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const onboardingIdOf = (run: Run) => /^Onboarding ([0-9a-f-]{36}):/m.exec(run.stdout)?.[1] ?? '';

/** The event printed after "Published event (...):", parsed. */
function printedEvent(run: Run) {
  const start = run.stdout.indexOf('{', run.stdout.indexOf('Published event ('));
  const end = run.stdout.indexOf('\n}\n', start);
  return z
    .object({ id: z.string(), 'detail-type': z.string(), detail: z.record(z.string(), z.unknown()) })
    .loose()
    .parse(JSON.parse(run.stdout.slice(start, end + 2)));
}

/** Lines of the progress timeline: `HH:MM:SS.mmm  kind  name  outcome`. */
const timeline = (run: Run) =>
  run.stdout.split('\n').filter((line) => /^\d\d:\d\d:\d\d\.\d{3} {2}\S/.test(line));

describe('npm run journey', () => {
  it('drives john to ready for payment, printing each step with a time and the final event', async () => {
    // Act
    const run = await journey('--api', stack.urls.api, '--user', 'john', '--reference', 'cli-test');

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = timeline(run);
    expect(lines[0]).toMatch(/api +POST \/onboardings +201$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/api +GET \/callback +302$/),
        expect.stringMatching(/workflow +execution +started$/),
        expect.stringMatching(/state +LinkAccounts +succeeded$/),
        expect.stringMatching(/event +Onboarding Ready For Payment +published \(event_id [0-9a-f-]{36}\)$/),
        expect.stringMatching(/workflow +execution +succeeded$/),
      ]),
    );
    expect(lines.some((line) => line.includes('WaitForAccountChoice'))).toBe(false);
    const id = onboardingIdOf(run);
    const event = printedEvent(run);
    expect(event['detail-type']).toBe('Onboarding Ready For Payment');
    expect(event.detail).toMatchObject({ onboarding_id: id, reference: 'cli-test' });
    expect(stack.events(id).map((published) => published.id)).toEqual([event.id]);
    expect(run.stdout).toMatch(/Result: completed, ready for payment/);
  });

  it('drives a payment to ready for payment with --flow payment, naming the payment in the event', async () => {
    const run = await journey('--api', stack.urls.api, '--flow', 'payment', '--amount', '1200');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = timeline(run);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/api +GET \/payments\/return +302$/),
        expect.stringMatching(/state +CheckPayment +succeeded$/),
        expect.stringMatching(/event +Onboarding Ready For Payment +published/),
      ]),
    );
    const id = onboardingIdOf(run);
    const view = await getOnboarding(stack, id);
    expect(view).toMatchObject({ status: 'completed', flow: 'payment', payment: { amount_in_minor: 1200 } });
    expect(printedEvent(run).detail).toMatchObject({
      payment_id: view.payment?.payment_id,
      user: { first_name: 'Tommie', last_name: 'Burke' },
    });
  });

  it('drives a mandate to ready for payment with --flow mandate, and exits 1 with mandate_failed when the bank refuses it', async () => {
    const run = await journey('--api', stack.urls.api, '--flow', 'mandate', '--amount', '1200');
    const refused = await journey(
      '--api',
      stack.urls.api,
      '--flow',
      'mandate',
      '--user',
      'test_authorisation_failed',
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const view = await getOnboarding(stack, onboardingIdOf(run));
    expect(view).toMatchObject({
      status: 'completed',
      flow: 'mandate',
      mandate: { maximum_individual_amount_in_minor: 1200 },
    });
    expect(printedEvent(run).detail).toMatchObject({ mandate_id: view.mandate?.mandate_id });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Result: failed, mandate_failed/);
  });

  it('exits 1 with the payment’s failure when the bank rejects it, and 64 for a data user in the payment flow', async () => {
    const rejected = await journey(
      '--api',
      stack.urls.api,
      '--flow',
      'payment',
      '--user',
      'test_execution_rejected',
    );
    const wrongUser = await journey('--api', stack.urls.api, '--flow', 'payment', '--user', 'john');

    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/Result: failed, payment_failed/);
    expect(wrongUser.code).toBe(64);
    expect(wrongUser.stderr).toContain('test_executed');
  });

  it('picks jane’s second account with --choose 2', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'jane', '--choose', '2');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('choosing account 2 of 3: TRANSACTION ACCOUNT 2 (acc-8232b085624e6babf)');
    const lines = timeline(run);
    const waiting = lines.findIndex((line) => /WaitForAccountChoice +waiting/.test(line));
    const chosen = lines.findIndex((line) => /POST \/onboardings\/\{id\}\/account-choice +202$/.test(line));
    expect(waiting).toBeGreaterThan(-1);
    expect(chosen).toBeGreaterThan(waiting);
    expect(printedEvent(run).detail).toMatchObject({ account: { account_number: '30000000' } });
    const view = await getOnboarding(stack, onboardingIdOf(run));
    expect(view).toMatchObject({ status: 'completed', chosen_account_id: 'acc-8232b085624e6babf' });
  });

  it('drives a Data v3 connection with Signup+ with --flow connection, jane choosing her second account', async () => {
    const run = await journey(
      '--api',
      stack.urls.api,
      '--flow',
      'connection',
      '--user',
      'jane',
      '--choose',
      '2',
    );

    expect(run.code).toBe(0);
    const lines = timeline(run);
    expect(lines.some((line) => /POST \/connections +201$/.test(line))).toBe(true);
    expect(lines.some((line) => /GET \/connections\/return +302$/.test(line))).toBe(true);
    expect(run.stdout).toContain('choosing account 2 of 3');
    expect(printedEvent(run).detail).toMatchObject({
      connection_id: expect.any(String),
      account: { account_number: '30000000' },
    });
  });

  it('exits 1 when Signup+ has no data for the user, naming the reason', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'error.user_data_not_found');

    expect(run.code).toBe(1);
    expect(timeline(run)).toEqual(
      expect.arrayContaining([expect.stringMatching(/event +Onboarding Failed +published/)]),
    );
    expect(printedEvent(run).detail).toMatchObject({ failure: { reason: 'user_data_not_found' } });
    expect(run.stdout).toMatch(/Result: failed, user_data_not_found/);
  });

  it('exits 1 when the user denies access at the bank', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'john', '--deny');

    expect(run.code).toBe(1);
    expect(timeline(run)).toEqual(
      expect.arrayContaining([expect.stringMatching(/GET \/callback +302 \(the user denied access\)$/)]),
    );
    expect(run.stdout).toMatch(/Result: failed, access_denied/);
  });

  it('exits 1 when the bank login fails, without calling it a denial', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'error.wrong_credentials');

    expect(run.code).toBe(1);
    expect(timeline(run)).toEqual(
      expect.arrayContaining([expect.stringMatching(/GET \/callback +302 \(the bank login failed\)$/)]),
    );
    expect(run.stdout).toMatch(/Result: failed, bank_login_failed/);
    expect(run.stdout).not.toMatch(/denied access|declined/);
  });

  it('shows a step the state machine retried as failed, retrying, then succeeded', async () => {
    // Prepare: the next three Signup+ accounts calls answer 503: the task's own three quick attempts fail,
    // so the state machine's Retry runs the step again
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 }, times: 3 }]);

    const run = await journey('--api', stack.urls.api, '--user', 'john');

    stack.simulator.faults.clear();
    expect(run.code).toBe(0);
    const linkAccounts = timeline(run)
      .filter((line) => line.includes('LinkAccounts'))
      .map((line) => line.replace(/^\S+ +state +LinkAccounts +/, ''));
    expect(linkAccounts).toEqual(['failed (TrueLayerUnavailableError)', 'retrying (attempt 2)', 'succeeded']);
  });

  it('exits 64 with the accounts listed when --choose is out of range', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'jane', '--choose', '7');

    expect(run.code).toBe(64);
    expect(run.stderr).toContain('--choose 7: there are 3 accounts');
    expect(run.stderr).toContain('3. TRANSACTION ACCOUNT 3 (acc-469b2c2bcaea10969)');
  });

  it('finds the local runtime on PORT when --api is not given, as npm start does', async () => {
    const run = await journeyWith({ PORT: new URL(stack.urls.api).port }, '--user', 'john');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`API ${stack.urls.api}`);
  });

  it('exits 64 naming every sandbox user when the user does not exist', async () => {
    const run = await journey('--api', stack.urls.api, '--user', 'bob');

    expect(run.code).toBe(64);
    expect(run.stderr.trim()).toBe(
      `There is no sandbox user 'bob'. The sandbox users are: ${stack.simulator.users.map((user) => user.username).join(', ')}.`,
    );
  });

  it('exits 64 with the usage when --user is missing', async () => {
    const run = await journey('--api', stack.urls.api);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain('Usage: npm run journey -- --user <sandbox user>');
  });

  it('exits 2 with advice when no local runtime answers', async () => {
    // Prepare: a port that was just free
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => server.close(resolve));

    const run = await journey('--api', `http://127.0.0.1:${port}`, '--user', 'john');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /No local runtime answers at .* Start one with npm start, or pass --standalone\./,
    );
  });

  it('runs a journey on its own stack with --standalone', async () => {
    const run = await journey('--standalone', '--user', 'ivy');

    expect(run.code).toBe(0);
    expect(printedEvent(run).detail).toMatchObject({ account: { iban: expect.stringMatching(/^GB/) } });
    expect(stack.events(onboardingIdOf(run))).toEqual([]);
  });
});
