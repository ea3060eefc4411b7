import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeConnection, CALLER_RETURN_URI, EXAMPLES, postConnection } from '../helpers/connections.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import { getOnboarding, statesVisited, waitForStatus } from '../helpers/journey.ts';

/*
 * The connection flow end to end on the local stack: a Data v3 connection
 * created with `signup_plus: true`, authorised at the simulator's hosted page,
 * then Signup+ on the chosen connected account through TrueLayer's
 * asynchronous requests, to the same record, statuses and ready event as
 * every other flow. The simulator's switches play the answers TrueLayer's
 * reference leaves open (it publishes no body for these endpoints).
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  expect((await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' })).status).toBe(
    204,
  );
});

async function setSwitches(switches: Record<string, unknown>) {
  expect((await requestJson('PUT', `${stack.urls.truelayer_api}/_sandbox/switches`, switches)).status).toBe(
    200,
  );
}

const createdSchema = z.object({
  onboarding_id: z.string(),
  connection_id: z.string(),
  signup_plus: z.literal(true),
  redirect_to: z.string(),
});

/** `POST /connections` with Signup+, then the user at the hosted page as `user`, back at the product's return. */
async function connectAs(user: string, decision: 'approve' | 'deny' = 'approve') {
  const response = await postConnection(stack, { ...EXAMPLES.hosted_flow, signup_plus: true });
  expect(response.status).toBe(201);
  const created = createdSchema.parse(response.body);
  const before = await getOnboarding(stack, created.onboarding_id);
  const back = await fetch(await authorizeConnection(stack, created.redirect_to, decision, user), {
    redirect: 'manual',
    headers: { accept: 'text/html' },
  });
  return { created, before, back };
}

const END = ['completed', 'failed', 'expired'];

describe('connection flow (Signup+ on a Data v3 connected account)', () => {
  it('takes a one-account connection to a Ready For Payment event naming the account holder', async () => {
    const { created, before, back } = await connectAs('john');

    const done = await waitForStatus(stack, created.onboarding_id, END);

    // Assess: the onboarding was there from the start, and the user went on to the caller's page
    expect(before).toMatchObject({ flow: 'connection', status: 'awaiting_authorization' });
    expect(before.connection).toEqual({ connection_id: created.connection_id });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toContain(CALLER_RETURN_URI);
    // Assess: the record and its event
    expect(done.status).toBe('completed');
    expect(done.user).toMatchObject({ first_name: 'John' });
    expect(done.connection).toMatchObject({
      connection_id: created.connection_id,
      account_id: expect.any(String),
      signup_plus_request_id: expect.any(String),
    });
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'signup_plus_requested',
      'identity_stored',
      'ready_for_payment',
    ]);
    const events = stack.events(created.onboarding_id);
    // The connection's own events share the journey's id: created, authorised, then the onboarding's end.
    expect(events.map((event) => event['detail-type'])).toEqual([
      'Data Connection Created',
      'Data Connection Authorized',
      'Onboarding Ready For Payment',
    ]);
    expect(events.at(-1)?.detail).toMatchObject({
      connection_id: created.connection_id,
      user: { first_name: 'John' },
    });
    // Assess: the workflow asked, waited for Signup+ and ended, with no choice to make
    const states = await statesVisited(stack, created.onboarding_id);
    expect(states[0]).toBe('FollowConnection');
    expect(states).toContain('WaitForConnection');
    expect(states).not.toContain('WaitForAccountChoice');
    expect(states.at(-1)).toBe('Ended');
    // Assess: TrueLayer was asked about the one account, once
    const requests = stack.simulator.calls().signup_plus_request_create ?? 0;
    expect(requests).toBeGreaterThanOrEqual(1);
  });

  it('asks the user to choose when the connection links several accounts, and reads the chosen one', async () => {
    const { created } = await connectAs('jane');
    const waiting = await waitForStatus(stack, created.onboarding_id, ['awaiting_account_choice']);
    expect(waiting.accounts).toHaveLength(3);
    const chosen = waiting.accounts?.[1]?.account_id ?? '';
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Data Connection Created',
      'Data Connection Authorized',
      'Onboarding Account Choice Required',
    ]);

    const choice = await requestJson(
      'POST',
      `${stack.urls.api}/onboardings/${created.onboarding_id}/account-choice`,
      {
        account_id: chosen,
      },
    );
    const done = await waitForStatus(stack, created.onboarding_id, END);

    expect(choice.status).toBe(202);
    expect(done.status).toBe('completed');
    expect(done.connection?.account_id).toBe(chosen);
    expect(done.user).toMatchObject({ first_name: 'Jane' });
    const inspected = await requestJson(
      'GET',
      `${stack.urls.truelayer_api}/_sandbox/data-connections/${created.connection_id}`,
    );
    const asked = z
      .object({ signup_plus_requests: z.array(z.object({ account_id: z.string() })) })
      .parse(inspected.body).signup_plus_requests;
    expect(asked.map((request) => request.account_id)).toEqual([chosen]);
    const states = await statesVisited(stack, created.onboarding_id);
    expect(states).toContain('WaitForAccountChoice');
    expect(states.at(-1)).toBe('Ended');
  });

  it('ends failed, access_denied, when the user declines the connection at the bank', async () => {
    const { created } = await connectAs('john', 'deny');

    const done = await waitForStatus(stack, created.onboarding_id, END);

    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('access_denied');
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual(
      expect.arrayContaining(['Data Connection Failed', 'Onboarding Failed']),
    );
  });

  it('ends failed with Signup+’s reason when the bank holds no data for the account holder', async () => {
    const { created } = await connectAs('error.user_data_not_found');

    const done = await waitForStatus(stack, created.onboarding_id, END);

    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('user_data_not_found');
  });

  it.each([
    ['a failed request', { signup_plus_request_outcome: 'failed' }, 'user_data_not_found'],
    ['a problem once done', { signup_plus_request_outcome: 'problem' }, 'user_data_not_found'],
  ])('ends failed with the reason when TrueLayer answers %s', async (_what, switches, reason) => {
    await setSwitches(switches);
    const { created } = await connectAs('john');

    const done = await waitForStatus(stack, created.onboarding_id, END);

    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe(reason);
  });

  it.each([
    ['the identity beside the status', { signup_plus_request_shape: 'flat' }],
    ['other status words', { signup_plus_request_status_words: 'alternate' }],
    ['several pending reads first', { signup_plus_request_pending_polls: 3 }],
    ['absent fields as null', { absent_fields: 'null', address_country_key: 'country_code' }],
  ])('completes whatever TrueLayer’s answer looks like: %s', async (_what, switches) => {
    await setSwitches(switches);
    const { created } = await connectAs('john');

    const done = await waitForStatus(stack, created.onboarding_id, END, 20_000);

    expect(done.status).toBe('completed');
    expect(done.user).toMatchObject({ first_name: 'John' });
  });

  it('erases the person behind a completed journey, the connected account with them, and keeps the connection', async () => {
    const { created } = await connectAs('john');
    await waitForStatus(stack, created.onboarding_id, END);

    const erased = await requestJson('DELETE', `${stack.urls.api}/onboardings/${created.onboarding_id}`);
    const after = await getOnboarding(stack, created.onboarding_id);

    expect(erased.status).toBe(202);
    expect(after.erased_at).toEqual(expect.any(String));
    expect(after.user).toBeUndefined();
    expect(after.connection?.connection_id).toBe(created.connection_id);
    expect(after.connection?.account_id).toBeUndefined();
    expect(after.connection?.signup_plus_request_id).toEqual(expect.any(String));
  });

  it('rides out TrueLayer failing the Signup+ request and its reads, past one invocation’s retries', async () => {
    // Prepare: 503s and a dropped connection at the Signup+ request and its reads, each more often than
    // one invocation retries (so the state machine's Retry runs the step again). The connected accounts
    // are left alone: where TrueLayer has no connection read, the return leg asks them too.
    stack.simulator.faults.set([
      { endpoint: 'signup_plus_request_create', fault: { kind: 'status', status: 503 }, times: 4 },
      { endpoint: 'signup_plus_request_read', fault: { kind: 'drop' }, times: 4 },
    ]);
    try {
      // Act
      const { created } = await connectAs('john');
      const done = await waitForStatus(stack, created.onboarding_id, END, 20_000);

      // Assess: retried through to one end, and one request made despite the create's 503s
      expect(done.status).toBe('completed');
      expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
        'Data Connection Created',
        'Data Connection Authorized',
        'Onboarding Ready For Payment',
      ]);
      const inspected = await requestJson(
        'GET',
        `${stack.urls.truelayer_api}/_sandbox/data-connections/${created.connection_id}`,
      );
      const asked = z.object({ signup_plus_requests: z.array(z.unknown()) }).parse(inspected.body);
      expect(asked.signup_plus_requests).toHaveLength(1);
    } finally {
      stack.simulator.faults.clear();
    }
  });

  it('refuses Signup+ on a connection without the accounts scope, naming the field', async () => {
    const response = await postConnection(stack, {
      ...EXAMPLES.hosted_flow,
      scopes: ['info'],
      signup_plus: true,
    });

    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('must include accounts when signup_plus is true');
  });

  it('sends TrueLayer the connection request without the product’s own field', async () => {
    const { created } = await connectAs('john');
    await waitForStatus(stack, created.onboarding_id, END);

    const inspected = await eventually(
      () =>
        requestJson('GET', `${stack.urls.truelayer_api}/_sandbox/data-connections/${created.connection_id}`),
      (answer) => answer.status === 200,
    );

    const body = z.object({ body: z.record(z.string(), z.unknown()) }).parse(inspected.body).body;
    expect(body).not.toHaveProperty('signup_plus');
    expect(body.scopes).toEqual(['accounts', 'transactions']);
  });
});
