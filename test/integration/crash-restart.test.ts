import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, requestJson } from '../helpers/http.ts';
import { killLeftovers, type Started, start } from '../helpers/npm-start.ts';

/**
 * `npm start -- --data-dir DIR`, killed with SIGKILL in the middle of several
 * journeys and started again on the same directory: the records survive, and
 * every journey that was in flight ends (resumed, or ended with a reason),
 * once. The local Step Functions executions, the simulator's codes and tokens
 * and the bus's history do not survive a crash; the records and the due index
 * do, and the reconciler takes it from there.
 */
const dir = mkdtempSync(join(tmpdir(), 'signupplus-crash-'));
const FLAGS = ['--data-dir', dir, '--quiet', '--auth-link-ttl', '20', '--account-choice-timeout', '20'];

afterEach(() => killLeftovers());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const urlsSchema = z.object({ truelayer_auth: z.string() });
const viewSchema = z
  .object({ status: z.string(), failure: z.object({ reason: z.string() }).optional() })
  .loose();
const createdSchema = z.object({ onboarding_id: z.string(), auth_link: z.string() });
const eventsSchema = z.array(
  z.object({ 'detail-type': z.string(), detail: z.object({ event_id: z.string() }).loose() }),
);

async function json<S extends z.ZodType>(
  schema: S,
  method: string,
  url: string,
  body?: unknown,
): Promise<z.infer<S>> {
  const response = await requestJson(method, url, body);
  if (response.status >= 300) throw new Error(`${method} ${url} answered ${response.status}`);
  return schema.parse(response.body);
}

/** A journey up to TrueLayer's redirect, and optionally the callback. */
async function journey(stack: Started, user: string | undefined) {
  const { truelayer_auth } = await json(urlsSchema, 'GET', `${stack.api}/_local/urls`);
  const created = await json(createdSchema, 'POST', `${stack.api}/onboardings`, {});
  if (user === undefined) return created.onboarding_id;
  const { redirect_to } = await json(
    z.object({ redirect_to: z.string() }),
    'POST',
    `${truelayer_auth}/_sandbox/authorize`,
    {
      auth_link: created.auth_link,
      user,
      decision: 'approve',
    },
  );
  await fetch(redirect_to, { redirect: 'manual' });
  return created.onboarding_id;
}

const view = (stack: Started, id: string) => json(viewSchema, 'GET', `${stack.api}/onboardings/${id}`);
const waitFor = (stack: Started, id: string, statuses: string[], timeoutMs = 20_000) =>
  eventually(
    () => view(stack, id),
    (current) => statuses.includes(current.status),
    { timeoutMs, intervalMs: 100, what: `${id} to reach ${statuses.join('/')}` },
  );

describe('a crash of the local runtime', () => {
  it('loses no record, and every journey in flight ends once after a restart on the same --data-dir', async () => {
    const before = await start(FLAGS);
    const completed = await journey(before, 'john');
    await waitFor(before, completed, ['completed']);
    const unused = await journey(before, undefined);
    const waiting = await journey(before, 'jane');
    await waitFor(before, waiting, ['awaiting_account_choice']);
    const chosen = await journey(before, 'jane');
    await waitFor(before, chosen, ['awaiting_account_choice']);
    await requestJson('POST', `${before.api}/onboardings/${chosen}/account-choice`, {
      account_id: 'acc-8232b085624e6babf',
    });
    const inFlight = await journey(before, 'john');

    before.child.kill('SIGKILL');
    await before.closed;
    const after = await start(FLAGS);

    // The journey that ended before the crash is still there, with what it ended with.
    expect(await view(after, completed)).toMatchObject({
      status: 'completed',
      user: { first_name: expect.any(String) },
    });
    const journeys = { unused, waiting, chosen, inFlight };
    const ends = new Map(
      await Promise.all(
        Object.entries(journeys).map(
          async ([name, id]) =>
            [name, await waitFor(after, id, ['completed', 'failed', 'expired'], 60_000)] as const,
        ),
      ),
    );
    expect(ends.get('unused')).toMatchObject({ status: 'expired', failure: { reason: 'link_expired' } });
    // Each journey the restarted runtime ended announced exactly one end.
    for (const [name, id] of Object.entries(journeys)) {
      const events = await eventually(
        async () =>
          eventsSchema
            .parse((await requestJson('GET', `${after.api}/_local/events?onboarding_id=${id}`)).body)
            .filter((event) => /Ready For Payment|Failed|Expired/.test(event['detail-type'])),
        (list) => list.length > 0 || ends.get(name)?.status === 'completed',
        { what: `the end of ${name} to be published` },
      );
      expect(new Set(events.map((event) => event.detail.event_id)).size, name).toBeLessThanOrEqual(1);
    }
    console.log(
      `after the crash: ${[...ends]
        .map(([name, end]) => `${name} ${end?.status}/${end?.failure?.reason ?? '-'}`)
        .join(', ')}`,
    );
    expect(await after.stop()).toBe(0);
  }, 120_000);
});
