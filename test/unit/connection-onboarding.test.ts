import { describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../functions/connections/model.ts';
import type { SignupPlusRequestState } from '../../functions/connections/signup-plus-requests.ts';
import type { ConnectedAccountItem } from '../../functions/connections/truelayer-client.ts';
import type { Onboarding } from '../../functions/onboarding/model.ts';
import { reconcileOne } from '../../functions/onboarding/reconcile.ts';
import {
  type FollowConnectionDependencies,
  followConnection,
  SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS,
} from '../../functions/onboarding/workflow/follow-connection.ts';
import { SignupPlusNotEligibleError, TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';
import type { SignupPlusIdentity } from '../../functions/truelayer/schemas.ts';
import {
  fakeClock,
  fakePublisher,
  InMemoryOnboardings,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

/*
 * The connection flow's one workflow step: wait for the Data v3 connection,
 * list its accounts (the user choosing among several), ask Signup+ about the
 * account asynchronously and read the answer to the journey's one end.
 */

const CONNECTION_ID = 'conn-1';
const CHOICE_TIMEOUT = 900;
const holder: SignupPlusIdentity = {
  first_name: 'Jane',
  last_name: 'Smith',
  date_of_birth: '1990-01-01',
  address: { address_line1: '1 High St', city: 'London', zip: 'N1 1AA', country: 'GB' },
  account_details: { sort_code: '04-00-04', account_number: '12345678', provider_id: 'ob-monzo' },
};
const account = (id: string, number = '12345678'): ConnectedAccountItem => ({
  id,
  account_type: 'current',
  currency: 'GBP',
  account_identifiers: [{ type: 'sort_code_account_number', sort_code: '04-00-04', account_number: number }],
});

const connectionJourney = (
  status: Onboarding['status'] = 'awaiting_authorization',
  extra: Partial<Onboarding> = {},
) => onboardingIn(status, { flow: 'connection', connection: { connection_id: CONNECTION_ID }, ...extra });

interface Script {
  accounts?: Array<
    Awaited<ReturnType<FollowConnectionDependencies['connections']['connectedAccounts']>> | Error
  >;
  connection?: Partial<ConnectionRecord>;
  reads?: Array<SignupPlusRequestState | Error>;
  request?: () => Promise<string>;
}

function following(journey: Onboarding, script: Script = {}) {
  const repository = new InMemoryOnboardings();
  repository.seed(journey, {});
  const events = fakePublisher();
  const clock = fakeClock();
  const requests: Array<{ accountId: string; idempotencyKey: string }> = [];
  const reads: string[] = [];
  const deps: FollowConnectionDependencies = {
    repository,
    publish: events.publish,
    now: clock.now,
    connections: {
      connectedAccounts: async () => {
        const next = script.accounts?.shift();
        if (next === undefined) throw new Error('TrueLayer’s accounts were asked more often than expected');
        if (next instanceof Error) throw next;
        return next;
      },
      find: async () =>
        script.connection && ({ connection_id: CONNECTION_ID, ...script.connection } as ConnectionRecord),
    },
    signupPlus: {
      request: async (_connectionId, accountId, { idempotencyKey }) => {
        requests.push({ accountId, idempotencyKey });
        return script.request ? script.request() : 'req-1';
      },
      read: async (_connectionId, accountId) => {
        reads.push(accountId);
        const next = script.reads?.shift();
        if (next === undefined) throw new Error('the request was read more often than expected');
        if (next instanceof Error) throw next;
        return next;
      },
    },
  };
  const step = () =>
    followConnection({ onboardingId: ONBOARDING_ID, accountChoiceTimeoutSeconds: CHOICE_TIMEOUT }, deps);
  return { repository, events, clock, requests, reads, step, record: () => repository.record(ONBOARDING_ID) };
}

describe('followConnection', () => {
  it('requests Signup+ on the only account, then completes with the holder once the answer is ready', async () => {
    // Prepare
    const run = following(connectionJourney(), {
      accounts: [{ accounts: [account('acc-1')] }],
      reads: [{ status: 'pending' }, { status: 'completed', identity: holder }],
    });

    // Act
    const first = await run.step();
    const second = await run.step();
    const third = await run.step();

    // Assess
    expect([first.next, second.next, third.next]).toEqual(['wait', 'wait', 'end']);
    expect(run.requests).toEqual([{ accountId: 'acc-1', idempotencyKey: expect.any(String) }]);
    const done = run.record();
    expect(done.status).toBe('completed');
    expect(done.user).toMatchObject({ first_name: 'Jane' });
    expect(done.account).toEqual(holder.account_details);
    expect(done.connection).toMatchObject({ account_id: 'acc-1', signup_plus_request_id: 'req-1' });
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'signup_plus_requested',
      'identity_stored',
      'ready_for_payment',
    ]);
    expect(run.events.types()).toEqual(['Onboarding Ready For Payment']);
    expect(run.events.published[0]?.detail).toMatchObject({ connection_id: CONNECTION_ID });
  });

  it('makes the request once: a retried step reads the recorded request, with the same key each time', async () => {
    const run = following(
      connectionJourney('authorized', {
        connection: { connection_id: CONNECTION_ID, account_id: 'acc-1' },
      }),
      { reads: [{ status: 'pending' }] },
    );
    const keys = following(
      connectionJourney('authorized', { connection: { connection_id: CONNECTION_ID, account_id: 'acc-1' } }),
    );

    await run.step();
    await run.step();
    await keys.step();

    expect(run.requests).toHaveLength(1);
    expect(run.reads).toEqual(['acc-1']);
    expect(keys.requests[0]?.idempotencyKey).toBe(run.requests[0]?.idempotencyKey);
  });

  it('offers several accounts for the user’s choice, masked, and reads the chosen one afterwards', async () => {
    const run = following(connectionJourney(), {
      accounts: [{ accounts: [account('acc-1', '11112222'), account('acc-2', '33334444')] }],
      reads: [{ status: 'completed', identity: holder }],
    });

    const first = await run.step();
    const offered = run.record();
    run.repository.seed({ ...offered, status: 'account_chosen', chosen_account_id: 'acc-2' });
    const afterChoice = await run.step();
    const last = await run.step();

    expect(first).toEqual({ next: 'choose', wait_seconds: CHOICE_TIMEOUT });
    expect(offered.status).toBe('authorized');
    expect(offered.account_choices?.map((choice) => choice.account_number_masked)).toEqual([
      '••••2222',
      '••••4444',
    ]);
    expect(offered.account_choices?.[0]).toMatchObject({
      display_name: 'Current account 2222',
      sort_code: '04-00-04',
    });
    expect(afterChoice.next).toBe('wait');
    expect(last.next).toBe('end');
    expect(run.requests.map((request) => request.accountId)).toEqual(['acc-2']);
    expect(run.record().status).toBe('completed');
  });

  it('numbers the accounts whose names would read the same', async () => {
    const run = following(connectionJourney(), {
      accounts: [
        {
          accounts: [
            account('acc-1', '10000000'),
            account('acc-2', '30000000'),
            account('acc-3', '12345678'),
          ],
        },
      ],
    });

    await run.step();

    expect(run.record().account_choices?.map((choice) => choice.display_name)).toEqual([
      'Current account 0000 (1)',
      'Current account 0000 (2)',
      'Current account 5678',
    ]);
  });

  it('waits while the connection is not authorised, then ends expired once the link has run out', async () => {
    const run = following(connectionJourney(), { accounts: ['not_authorized', 'not_authorized'] });

    const early = await run.step();
    run.clock.advanceSeconds(15 * 60);
    const late = await run.step();

    expect(early.next).toBe('wait');
    expect(early.wait_seconds).toBeGreaterThanOrEqual(5);
    expect(late.next).toBe('end');
    expect(run.record()).toMatchObject({ status: 'expired', failure: { reason: 'link_expired' } });
    expect(run.events.types()).toEqual(['Onboarding Expired']);
  });

  it('ends failed when the connection’s return recorded a refusal at the bank', async () => {
    const declined = following(connectionJourney(), {
      accounts: ['not_authorized'],
      connection: { status: 'failed', failure: { reason: 'access_denied', detail: 'declined' } },
    });
    const refused = following(connectionJourney(), {
      accounts: ['not_authorized'],
      connection: { status: 'failed', failure: { reason: 'provider_error', detail: 'bank' } },
    });

    await declined.step();
    await refused.step();

    expect(declined.record().failure?.reason).toBe('access_denied');
    expect(refused.record().failure?.reason).toBe('authorization_error');
  });

  it('ends failed when the authorised connection links no account', async () => {
    const run = following(connectionJourney(), { accounts: [{ accounts: [] }] });

    await run.step();

    expect(run.record()).toMatchObject({ status: 'failed', failure: { reason: 'no_connected_account' } });
  });

  it.each([
    ['a failed request', { status: 'failed' } as const, 'signup_plus_request_failed'],
    [
      'User data not found',
      new SignupPlusNotEligibleError('read signup-plus request: user_data_not_found', {
        ineligibility: 'user_data_not_found',
      }),
      'user_data_not_found',
    ],
  ])('ends failed with the reason when TrueLayer answers %s', async (_what, answer, reason) => {
    const run = following(
      connectionJourney('authorized', {
        connection: {
          connection_id: CONNECTION_ID,
          account_id: 'acc-1',
          signup_plus_request_id: 'req-1',
          signup_plus_requested_at: '2026-03-01T10:00:00.000Z',
        },
      }),
      { reads: [answer] },
    );

    await run.step();

    expect(run.record()).toMatchObject({ status: 'failed', failure: { reason } });
  });

  it('ends failed once a request has been pending past its deadline, and waits before it', async () => {
    const pendingSince = (seconds: number) =>
      following(
        connectionJourney('authorized', {
          connection: {
            connection_id: CONNECTION_ID,
            account_id: 'acc-1',
            signup_plus_request_id: 'req-1',
            signup_plus_requested_at: new Date(
              Date.parse('2026-03-01T10:00:00.000Z') - seconds * 1000,
            ).toISOString(),
          },
        }),
        { reads: [{ status: 'pending' }] },
      );
    const before = pendingSince(SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS - 1);
    const after = pendingSince(SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS);

    const waiting = await before.step();
    await after.step();

    expect(waiting).toEqual({ next: 'wait', wait_seconds: 1 });
    expect(before.record().status).toBe('authorized');
    expect(after.record()).toMatchObject({
      status: 'failed',
      failure: { reason: 'signup_plus_request_timeout' },
    });
  });

  it('leaves what is worth retrying to the state machine, recording nothing', async () => {
    const run = following(connectionJourney(), {
      accounts: [
        new TrueLayerUnavailableError('list connected accounts: 503', { mayHaveTakenEffect: false }),
      ],
    });

    await expect(run.step()).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(run.record().status).toBe('awaiting_authorization');
  });

  it('only settles an ended journey, asking TrueLayer nothing', async () => {
    const run = following(connectionJourney('completed'));

    const result = await run.step();

    expect(result.next).toBe('end');
    expect(run.requests).toEqual([]);
  });

  it('waits for the choice again when restarted while the choices are on the record', async () => {
    const run = following(
      connectionJourney('awaiting_account_choice', {
        account_choices: [],
        account_choice_expires_at: '2026-03-01T10:10:00.000Z',
      }),
    );

    const result = await run.step();

    expect(result.next).toBe('choose');
    expect(result.wait_seconds).toBe(600 + 5);
  });
});

describe('the reconciler and the connection flow', () => {
  async function reconcileAt(at: string, record: Onboarding) {
    const repository = new InMemoryOnboardings();
    repository.seed(record, {});
    const started: string[] = [];
    const outcome = await reconcileOne(ONBOARDING_ID, {
      repository,
      publish: fakePublisher().publish,
      now: fakeClock(at).now,
      workflowState: async () => 'not_found',
      startWorkflow: async (id, flow) => {
        started.push(`${flow}:${id}`);
      },
      resumeWorkflow: async () => 'resumed',
      batchSize: 10,
    });
    return { outcome, started, record: repository.record(ONBOARDING_ID) };
  }

  it('leaves a connection the user may still authorise, then starts its workflow once the link ran out', async () => {
    // A user who authorised and closed the tab before the return: only TrueLayer's accounts can tell.
    const early = await reconcileAt('2026-03-01T10:05:00.000Z', connectionJourney());
    const late = await reconcileAt('2026-03-01T10:16:00.000Z', connectionJourney());

    expect(early).toMatchObject({ outcome: 'waiting', started: [] });
    expect(late).toMatchObject({ outcome: 'started', started: [`connection:${ONBOARDING_ID}`] });
    expect(late.record.status).toBe('awaiting_authorization');
  });
});
