import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableEventId } from '../../functions/events/event-id.ts';
import { createOnboarding } from '../../functions/onboarding/create-onboarding.ts';
import { OnboardingRepository, type TransitionRequest } from '../../functions/onboarding/repository.ts';
import { completeWithChosenAccount } from '../../functions/onboarding/workflow/complete-with-chosen-account.ts';
import {
  type LinkAccountsDependencies,
  linkAccounts,
} from '../../functions/onboarding/workflow/link-accounts.ts';
import type { SignupPlusIdentity } from '../../functions/truelayer/schemas.ts';
import type { SignupPlusAccountsResult } from '../../functions/truelayer/signup-plus-client.ts';
import { LOCAL_TABLES, type LocalDynamoDb, startLocalDynamoDb } from '../../local/dynamodb.ts';

/**
 * LinkAccounts does four things with side effects (code exchange, token write,
 * event, record update), so the state machine may retry it after any of them.
 * These tests stop an attempt at each point and check that the retry converges
 * on one completed journey, without exchanging the spent code again.
 */

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let repository: OnboardingRepository;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb({ host: '127.0.0.1' });
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  repository = new OnboardingRepository(DynamoDBDocumentClient.from(client), LOCAL_TABLES.onboardings);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
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
    },
  );
  const id = created.onboarding_id;
  await repository.storeAuthorizationCode(id, `code-${id}`, new Date(now.getTime() + 60_000));
  await repository.transition(id, {
    from: ['awaiting_authorization'],
    to: 'authorized',
    timeline: { at: now.toISOString(), step: 'user_authorized' },
  });
  return id;
}

/** Fake TrueLayer and bus that count what they are asked, and can fail a chosen call once. */
function harness(accounts: SignupPlusAccountsResult) {
  const calls = { exchange: 0, accounts: 0, published: [] as string[] };
  let failNextTransition = false;
  const flakyRepository = new Proxy(repository, {
    get(target, property, receiver) {
      if (property === 'transition') {
        return async (id: string, request: TransitionRequest) => {
          if (failNextTransition) {
            failNextTransition = false;
            throw new Error('DynamoDB went away');
          }
          return target.transition(id, request);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const deps: LinkAccountsDependencies = {
    repository: flakyRepository,
    now: () => new Date(),
    publish: async (_type, detail) => {
      calls.published.push(detail.event_id);
    },
    exchangeCode: async (code) => {
      calls.exchange += 1;
      if (calls.exchange > 1) throw new Error(`code ${code} exchanged twice`);
      return { accessToken: 'token', expiresInSeconds: 3600 };
    },
    fetchAccounts: async (_token, { accountId } = {}) => {
      calls.accounts += 1;
      return accountId ? { kind: 'identity', identity } : accounts;
    },
  };
  return {
    calls,
    deps,
    failTransitionOnce: () => {
      failNextTransition = true;
    },
  };
}

describe('LinkAccounts, retried', () => {
  it('completes a single-account journey in one attempt: event, record, secrets gone', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness({ kind: 'identity', identity });

    await expect(linkAccounts(id, deps)).resolves.toEqual({ result: 'single_account', account_count: 1 });

    expect(calls).toEqual({
      exchange: 1,
      accounts: 1,
      published: [stableEventId(id, 'Onboarding Ready For Payment')],
    });
    const done = await repository.get(id);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'code_exchanged',
      'identity_stored',
      'ready_for_payment',
    ]);
    expect(done.account).toEqual(identity.account_details);
    expect((await repository.getJourney(id)).secrets).toBeUndefined();
  });

  it('republishes the same event id when the record update failed after publishing, and exchanges once', async () => {
    const id = await authorizedJourney();
    const { calls, deps, failTransitionOnce } = harness({ kind: 'identity', identity });
    failTransitionOnce();

    await expect(linkAccounts(id, deps)).rejects.toThrow('DynamoDB went away');
    expect((await repository.get(id)).status).toBe('authorized');
    expect((await repository.getJourney(id)).secrets?.access_token).toBe('token');

    await expect(linkAccounts(id, deps)).resolves.toEqual({ result: 'single_account', account_count: 1 });
    expect(calls.exchange).toBe(1);
    expect(calls.accounts).toBe(2);
    const readyId = stableEventId(id, 'Onboarding Ready For Payment');
    expect(calls.published).toEqual([readyId, readyId]);
    const done = await repository.get(id);
    expect(done.status).toBe('completed');
    // the exchange happened in the first attempt and is recorded once, at the time it happened
    expect(done.timeline.filter((entry) => entry.step === 'code_exchanged')).toHaveLength(1);
  });

  it('only cleans up when the journey is already completed', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness({ kind: 'identity', identity });
    await linkAccounts(id, deps);

    await expect(linkAccounts(id, deps)).resolves.toEqual({ result: 'single_account', account_count: 1 });
    expect(calls.exchange).toBe(1);
    expect(calls.accounts).toBe(1);
    expect(calls.published).toHaveLength(1);
  });

  it('stores the choices once and answers the same to a retry, without calling TrueLayer again', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness(twoAccounts);

    const expected = { result: 'multiple_accounts_linked', account_count: 2 };
    await expect(linkAccounts(id, deps)).resolves.toEqual(expected);
    await expect(linkAccounts(id, deps)).resolves.toEqual(expected);

    expect(calls).toEqual({ exchange: 1, accounts: 1, published: [] });
    const waiting = await repository.get(id);
    expect(waiting.status).toBe('authorized');
    expect(waiting.account_choices?.map((choice) => choice.account_number_masked)).toEqual([
      '••••5678',
      '••••5678',
    ]);
    expect(waiting.timeline.map((entry) => entry.step).slice(-2)).toEqual([
      'code_exchanged',
      'accounts_fetched',
    ]);
  });

  it('completes with the chosen account, and a retry after that changes nothing', async () => {
    const id = await authorizedJourney();
    const { calls, deps } = harness(twoAccounts);
    await linkAccounts(id, deps);
    await repository.transition(id, {
      from: ['authorized'],
      to: 'account_chosen',
      set: { chosen_account_id: 'acc-2' },
      timeline: { at: new Date().toISOString(), step: 'account_chosen' },
    });

    await completeWithChosenAccount({ onboardingId: id, accountId: 'acc-2' }, deps);
    await completeWithChosenAccount({ onboardingId: id, accountId: 'acc-2' }, deps);

    expect(calls.accounts).toBe(2);
    expect(calls.published).toEqual([stableEventId(id, 'Onboarding Ready For Payment')]);
    const done = await repository.get(id);
    expect(done).toMatchObject({ status: 'completed', chosen_account_id: 'acc-2' });
    expect((await repository.getJourney(id)).secrets).toBeUndefined();
  });
});
