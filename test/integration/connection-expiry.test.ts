import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import {
  authorizeConnection,
  createdConnectionSchema,
  EXAMPLES,
  postConnection,
} from '../helpers/connections.ts';
import { eventually, requestJson } from '../helpers/http.ts';

/**
 * A Data v3 connection nobody comes back from ends too: when its link's time
 * runs out, TrueLayer is asked, and what it says (or `expired`) is recorded
 * and published, once.
 */
let stack: LocalStack;
// The default link lifetime, on a clock the tests move past it instead of waiting.
const LINK_TTL_SECONDS = 600;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    authLinkTtlSeconds: LINK_TTL_SECONDS,
    scheduleIntervalMs: 200,
    clock: 'controlled',
  });
});

afterAll(async () => {
  await stack?.close();
});

const recordSchema = z
  .object({ status: z.string(), failure: z.object({ reason: z.string(), detail: z.string() }).optional() })
  .loose();

async function create() {
  const response = await postConnection(stack, EXAMPLES.hosted_flow);
  if (response.status !== 201) throw new Error(`POST /connections answered ${response.status}`);
  return createdConnectionSchema.parse(response.body);
}

/** The link's lifetime goes by; then the connection must settle in one of `statuses`, with its event. */
const settled = (connectionId: string, onboardingId: string, statuses: string[]) => {
  stack.clock.advance(LINK_TTL_SECONDS + 1);
  return eventually(
    async () => ({
      record: recordSchema.parse(
        (await requestJson('GET', `${stack.urls.api}/connections/${connectionId}`)).body,
      ),
      events: stack.events(onboardingId).map((event) => event['detail-type']),
    }),
    ({ record, events }) => statuses.includes(record.status) && events.length > 1,
    { what: `connection ${connectionId} to settle` },
  );
};

describe('Data v3 connections nobody comes back from', () => {
  it('expire with Data Connection Expired (link_expired) when TrueLayer reports no outcome', async () => {
    const created = await create();

    const { record, events } = await settled(created.connection_id, created.onboarding_id, ['expired']);

    expect(record.failure).toEqual(failureOf('link_expired'));
    expect(events).toEqual(['Data Connection Created', 'Data Connection Expired']);
  });

  it('are recorded authorized, as TrueLayer reports, when the user authorised at the bank but never returned', async () => {
    const created = await create();
    await authorizeConnection(stack, created.redirect_to);

    const { record, events } = await settled(created.connection_id, created.onboarding_id, ['authorized']);

    expect(record.status).toBe('authorized');
    expect(events).toEqual(['Data Connection Created', 'Data Connection Authorized']);
  });

  it('send a user who comes back after the expiry to the return page with status=expired', async () => {
    const created = await create();
    await settled(created.connection_id, created.onboarding_id, ['expired']);

    const back = await fetch(
      `${stack.urls.api}/connections/return?onboarding_id=${created.onboarding_id}&connection_id=${created.connection_id}`,
      { redirect: 'manual' },
    );

    expect(back.status).toBe(302);
    const location = new URL(back.headers.get('location') ?? '');
    expect(location.searchParams.get('status')).toBe('expired');
    expect(location.searchParams.get('error')).toBe('link_expired');
    const expired = stack
      .events(created.onboarding_id)
      .filter((event) => event['detail-type'] === 'Data Connection Expired');
    expect(new Set(expired.map((event) => event.detail.event_id)).size).toBe(1);
  });
});
