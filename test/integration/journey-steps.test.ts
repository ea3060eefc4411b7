import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingDetailType } from '../../functions/contract/onboarding-events.ts';
import { stableEventId } from '../../functions/events/event-id.ts';
import type { AnnouncedEvent } from '../../functions/events/publisher.ts';
import { createOnboarding } from '../../functions/onboarding/create-onboarding.ts';
import { settleJourney } from '../../functions/onboarding/end-journey.ts';
import { OnboardingRepository, type TransitionRequest } from '../../functions/onboarding/repository.ts';
import { completeWithChosenAccount } from '../../functions/onboarding/workflow/complete-with-chosen-account.ts';
import {
  type LinkAccountsDependencies,
  linkAccounts,
} from '../../functions/onboarding/workflow/link-accounts.ts';
import { TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';
import type { SignupPlusIdentity } from '../../functions/truelayer/schemas.ts';
import type { SignupPlusAccountsResult } from '../../functions/truelayer/signup-plus-client.ts';

/**
 * The workflow's steps against a real table (the local stack's, at the DynamoDB endpoint it
 * serves the product), with TrueLayer and the bus faked: each step is stopped at the point where
 * AWS or TrueLayer can fail it and run again, as the state machine's Retry would, and must
 * converge on one end with one event, never sending the single-use code twice.
 */

let stack: LocalStack;
let client: DynamoDBClient;
let repository: OnboardingRepository;

beforeAll(async () => {
  // This file runs the steps itself, so the stack's reconciler stays out of the way for the file's
  // run: it would take up these journeys once they fall due, as it does stranded ones.
  stack = await startLocalStack({ logLevel: 'SILENT', scheduleIntervalMs: 3_600_000 });
  client = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  repository = new OnboardingRepository(
    DynamoDBDocumentClient.from(client),
    { records: stack.tables.onboardings, secrets: stack.tables.secrets },
    { stallSeconds: 60 },
  );
});

afterAll(async () => {
  client?.destroy();
  await stack?.close();
});

const identity: SignupPlusIdentity = {
  first_name: 'John',
  last_name: 'Doe',
  date_of_birth: '1990-01-01',
  address: { address_line1: '1 High Street', city: 'London', zip: 'N1 1AA', country: 'GB' },
  account_details: { provider_id: 'ob-monzo', sort_code: '04-00-04', account_number: '12345678' },
};

const twoAccounts: SignupPlusAccountsResult = {
  kind: 'multiple_accounts',
  accounts: ['acc-1', 'acc-2'].map((account_id) => ({
    account_id,
    display_name: `Account ${account_id}`,
    account_type: 'TRANSACTION',
    currency: 'GBP',
    account_number: '12345678',
  })),
};

const readyId = (id: string) => stableEventId(id, 'Onboarding Ready For Payment');

/** A journey whose user has come back from the bank: record authorized, code stored. */
async function authorizedJourney(): Promise<string> {
  const now = new Date();
  const created = await createOnboarding(
    {},
    {
      repository,
      now: () => now,
      settings: {
        authBaseUrl: 'http://127.0.0.1:9/',
        clientId: 'client',
        redirectUri: 'http://127.0.0.1:9/callback',
        scopes: ['signupplus'],
        providers: ['uk-ob-all'],
        authLinkTtlSeconds: 600,
        retentionDays: 1,
      },
      startPayment: async () => {
        throw new Error('A data journey creates no payment');
      },
      startMandate: async () => {
        throw new Error('A data journey creates no mandate');
      },
    },
  );
  const id = created.onboarding_id;
  await repository.storeAuthorizationCode(id, { authorizationCode: `code-${id}`, endUserIp: '192.0.2.7' });
  await repository.transition(id, {
    from: ['awaiting_authorization'],
    to: 'authorized',
    now,
    timeline: { at: now.toISOString(), step: 'user_authorized' },
  });
  return id;
}

type Fault = 'none' | 'after' | 'before';

/** Fake TrueLayer and bus that count what they are asked; the repository's transition can fail once. */
function harness(accounts: SignupPlusAccountsResult) {
  const calls = { exchange: 0, accounts: 0, published: [] as string[], verifiers: [] as string[] };
  const faults = {
    /** `after`: the write takes effect and then fails, as a lost answer does; `before`: it never happens. */
    transition: 'none' as Fault,
    publish: false,
    exchange: undefined as Error | undefined,
  };
  const flakyRepository = new Proxy(repository, {
    get(target, property, receiver) {
      if (property === 'transition') {
        return async (id: string, request: TransitionRequest) => {
          const fault = faults.transition;
          faults.transition = 'none';
          if (fault === 'before') throw new Error('DynamoDB went away');
          const result = await target.transition(id, request);
          if (fault === 'after') throw new Error('The answer was lost');
          return result;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const deps: LinkAccountsDependencies = {
    repository: flakyRepository,
    now: () => new Date(),
    publish: async (event: AnnouncedEvent<OnboardingDetailType>) => {
      if (faults.publish) throw new Error('PutEvents refused the entry');
      const detail = event.detail;
      if (typeof detail === 'object' && detail !== null && 'event_id' in detail) {
        calls.published.push(String(detail.event_id));
      }
    },
    exchangeCode: async (_code, verifier) => {
      calls.exchange += 1;
      calls.verifiers.push(verifier ?? '');
      const fault = faults.exchange;
      faults.exchange = undefined;
      if (fault) throw fault;
      return { accessToken: 'token', expiresInSeconds: 3600 };
    },
    fetchAccounts: async (_token, { accountId } = {}) => {
      calls.accounts += 1;
      return accountId ? { kind: 'identity', identity } : accounts;
    },
    newAttemptId: () => crypto.randomUUID(),
  };
  return { calls, deps, faults };
}

const run = (id: string, deps: LinkAccountsDependencies) =>
  linkAccounts({ onboardingId: id, accountChoiceTimeoutSeconds: 900 }, deps);

describe('LinkAccounts, retried', () => {
  it('completes a single-account journey in one attempt: record, event, secrets gone, nothing due', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness({ kind: 'identity', identity });

    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    expect(calls.exchange).toBe(1);
    expect(calls.published).toEqual([readyId(id)]);
    const done = await repository.get(id);
    expect(done.status).toBe('completed');
    expect(done.outbox).toBeUndefined();
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'code_exchanged',
      'identity_stored',
      'ready_for_payment',
    ]);
    expect(done.account).toEqual(identity.account_details);
    expect((await repository.getJourney(id)).secrets).toBeUndefined();
    expect(await repository.listDue(new Date(Date.now() + 86_400_000), 1000)).not.toContain(id);
  });

  it('sends the PKCE verifier stored when the onboarding was created', async () => {
    const id = await authorizedJourney();
    const stored = (await repository.getJourney(id)).secrets?.code_verifier;
    const { calls, deps } = harness({ kind: 'identity', identity });

    await run(id, deps);

    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(calls.verifiers).toEqual([stored]);
  });

  it('converges when the completing write took effect but its answer was lost: one event id, one exchange', async () => {
    const id = await authorizedJourney();
    const { calls, deps, faults } = harness({ kind: 'identity', identity });
    faults.transition = 'after';

    await expect(run(id, deps)).rejects.toThrow('The answer was lost');
    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    expect(calls.exchange).toBe(1);
    expect(new Set(calls.published)).toEqual(new Set([readyId(id)]));
    const done = await repository.get(id);
    expect(done.status).toBe('completed');
    expect(done.outbox).toBeUndefined();
    expect(done.timeline.filter((entry) => entry.step === 'code_exchanged')).toHaveLength(1);
  });

  it('completes even when the event cannot be published yet, and keeps it for the reconciler', async () => {
    const id = await authorizedJourney();
    const { calls, deps, faults } = harness({ kind: 'identity', identity });
    faults.publish = true;

    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    const pending = await repository.get(id);
    expect(pending.status).toBe('completed');
    expect(pending.outbox?.map((event) => event.event_id)).toEqual([readyId(id)]);
    expect(await repository.listDue(new Date(Date.now() + 120_000), 1000)).toContain(id);

    faults.publish = false;
    await settleJourney(pending, deps);
    expect(calls.published).toEqual([readyId(id)]);
    expect((await repository.get(id)).outbox).toBeUndefined();
    expect(await repository.listDue(new Date(Date.now() + 86_400_000), 1000)).not.toContain(id);
  });

  it('never resends a code whose exchange answer was lost: the journey fails code_exchange_unconfirmed', async () => {
    const id = await authorizedJourney();
    const { calls, deps, faults } = harness({ kind: 'identity', identity });
    faults.exchange = new TrueLayerUnavailableError('code exchange: no answer within 5000 ms', {
      mayHaveTakenEffect: true,
    });

    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });
    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    expect(calls.exchange).toBe(1);
    const failed = await repository.get(id);
    expect(failed.status).toBe('failed');
    expect(failed.failure?.reason).toBe('code_exchange_unconfirmed');
    expect(calls.published).toEqual([stableEventId(id, 'Onboarding Failed')]);
    expect((await repository.getJourney(id)).secrets).toBeUndefined();
  });

  it('sends the code again when TrueLayer cannot have used it (429, 503, no connection)', async () => {
    const id = await authorizedJourney();
    const { calls, deps, faults } = harness({ kind: 'identity', identity });
    faults.exchange = new TrueLayerUnavailableError('code exchange: TrueLayer answered 429', {
      mayHaveTakenEffect: false,
    });

    await expect(run(id, deps)).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    expect(calls.exchange).toBe(2);
    expect((await repository.get(id)).status).toBe('completed');
  });

  it('does not send the code again after an attempt that died half-way', async () => {
    const id = await authorizedJourney();
    const { calls, deps, faults } = harness({ kind: 'identity', identity });
    faults.exchange = new Error('the function was killed');

    await expect(run(id, deps)).rejects.toThrow('killed');
    await expect(run(id, deps)).resolves.toEqual({ next: 'end', wait_seconds: 1 });

    expect(calls.exchange).toBe(1);
    expect((await repository.get(id)).failure?.reason).toBe('code_exchange_unconfirmed');
  });

  it('stores the choices and a deadline once, and answers the same wait to a retry without calling TrueLayer', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness(twoAccounts);

    await expect(run(id, deps)).resolves.toEqual({ next: 'choose', wait_seconds: 900 });
    const retried = await run(id, deps);

    expect(retried.next).toBe('choose');
    // the retry waits only until a little after the deadline already shown
    expect(retried.wait_seconds).toBeGreaterThan(895);
    expect(retried.wait_seconds).toBeLessThanOrEqual(900);
    expect(calls).toMatchObject({ exchange: 1, accounts: 1, published: [] });
    const waiting = await repository.get(id);
    expect(waiting.status).toBe('authorized');
    const deadline = new Date(waiting.account_choice_expires_at ?? '').getTime();
    expect(deadline).toBeLessThanOrEqual(Date.now() + 895_000);
    expect(waiting.account_choices?.map((choice) => choice.account_number_masked)).toEqual([
      '••••5678',
      '••••5678',
    ]);
  });

  it('goes straight on with a choice already recorded (a journey the reconciler started again)', async () => {
    const id = await authorizedJourney();
    const { deps } = harness(twoAccounts);
    await run(id, deps);
    await repository.transition(id, {
      from: ['authorized'],
      to: 'account_chosen',
      now: new Date(),
      set: { chosen_account_id: 'acc-2' },
      timeline: { at: new Date().toISOString(), step: 'account_chosen' },
    });

    await expect(run(id, deps)).resolves.toEqual({ next: 'chosen', wait_seconds: 1 });
  });

  it('completes with the account the record says was chosen, and a retry after that changes nothing', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness(twoAccounts);
    await run(id, deps);
    await repository.transition(id, {
      from: ['authorized'],
      to: 'account_chosen',
      now: new Date(),
      set: { chosen_account_id: 'acc-2' },
      timeline: { at: new Date().toISOString(), step: 'account_chosen' },
    });

    await completeWithChosenAccount(id, deps);
    await completeWithChosenAccount(id, deps);

    expect(calls.accounts).toBe(2);
    expect(calls.published).toEqual([readyId(id)]);
    const done = await repository.get(id);
    expect(done).toMatchObject({ status: 'completed', chosen_account_id: 'acc-2' });
    expect((await repository.getJourney(id)).secrets).toBeUndefined();
  });
});
