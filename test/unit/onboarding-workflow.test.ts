import { describe, expect, it } from 'vitest';
import { AccountAlreadyChosenError, JourneyEndedError } from '../../functions/onboarding/errors.ts';
import { completeWithChosenAccount } from '../../functions/onboarding/workflow/complete-with-chosen-account.ts';
import { endOnboarding } from '../../functions/onboarding/workflow/end-onboarding.ts';
import {
  type LinkAccountsDependencies,
  linkAccounts,
} from '../../functions/onboarding/workflow/link-accounts.ts';
import { requestAccountChoice } from '../../functions/onboarding/workflow/request-account-choice.ts';
import {
  SignupPlusNotEligibleError,
  TrueLayerReconnectRequiredError,
  TrueLayerUnavailableError,
} from '../../functions/truelayer/errors.ts';
import type { SignupPlusAccountsResult } from '../../functions/truelayer/signup-plus-client.ts';
import {
  fakeClock,
  fakePublisher,
  InMemoryOnboardings,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

const identity: SignupPlusAccountsResult = {
  kind: 'identity',
  identity: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    account_details: { sort_code: '040004', account_number: '12345678' },
  },
};
const twoAccounts: SignupPlusAccountsResult = {
  kind: 'multiple_accounts',
  accounts: [
    {
      account_id: 'acc-1',
      display_name: 'Current',
      account_type: 'CURRENT',
      currency: 'GBP',
      account_number: '12345678',
    },
    { account_id: 'acc-2', display_name: 'Savings', account_type: 'SAVINGS', currency: 'GBP' },
  ],
};

/** An authorized journey with its code stored, and a TrueLayer that answers as told. */
function authorized(read: () => Promise<SignupPlusAccountsResult> = async () => identity) {
  const repository = new InMemoryOnboardings();
  repository.seed(onboardingIn('authorized'), { code_verifier: 'verifier', authorization_code: 'code-1' });
  const events = fakePublisher();
  const clock = fakeClock();
  const exchanges: string[] = [];
  const deps: LinkAccountsDependencies = {
    repository,
    publish: events.publish,
    now: clock.now,
    exchangeCode: async (code) => {
      exchanges.push(code);
      return { accessToken: 'access-1', expiresInSeconds: 3600 };
    },
    fetchAccounts: read,
    newAttemptId: () => `attempt-${exchanges.length + 1}`,
  };
  return { repository, events, clock, exchanges, deps };
}

const input = { onboardingId: ONBOARDING_ID, accountChoiceTimeoutSeconds: 300 };

describe('linkAccounts', () => {
  it('completes a one-account journey: code exchanged once, token kept, identity recorded and announced', async () => {
    const { repository, events, exchanges, deps } = authorized();

    const result = await linkAccounts(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(record.status).toBe('completed');
    expect(record.user).toEqual({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(record.timeline.map((entry) => entry.step)).toContain('code_exchanged');
    expect(exchanges).toEqual(['code-1']);
    expect(events.types()).toEqual(['Onboarding Ready For Payment']);
  });

  it('stores masked choices and a deadline a margin before the timeout when there are several accounts', async () => {
    const { repository, deps } = authorized(async () => twoAccounts);

    const result = await linkAccounts(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(result).toEqual({ next: 'choose', wait_seconds: 300 });
    expect(record.status).toBe('authorized');
    expect(record.account_choice_expires_at).toBe('2026-03-01T10:04:55.000Z');
    expect(record.account_choices?.[0]?.account_number_masked).toBe('••••5678');
    expect(repository.secrets.get(ONBOARDING_ID)?.access_token).toBe('access-1');
  });

  it('never sends the code twice: a retry after an attempt without a token ends the journey', async () => {
    const { repository, exchanges, deps } = authorized();
    repository.secrets.set(ONBOARDING_ID, { authorization_code: 'code-1', code_exchange_attempt: 'earlier' });
    // The step itself must see the earlier attempt: the table's own refusal is a second line only.
    repository.failNext('beginCodeExchange', new Error('a second attempt was begun'));

    await linkAccounts(input, deps);

    expect(exchanges).toEqual([]);
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('code_exchange_unconfirmed');
  });

  it('gives the code back for a retry when TrueLayer cannot have used it', async () => {
    const { repository, deps } = authorized();
    deps.exchangeCode = async () => {
      throw new TrueLayerUnavailableError('code exchange: TrueLayer answered 503', {
        mayHaveTakenEffect: false,
      });
    };

    await expect(linkAccounts(input, deps)).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(repository.secrets.get(ONBOARDING_ID)?.code_exchange_attempt).toBeUndefined();
    expect(repository.record(ONBOARDING_ID).status).toBe('authorized');
  });

  it('ends the journey when a lost answer may have spent the code', async () => {
    const { repository, deps } = authorized();
    deps.exchangeCode = async () => {
      throw new TrueLayerUnavailableError('code exchange: connection failed', { mayHaveTakenEffect: true });
    };

    expect((await linkAccounts(input, deps)).next).toBe('end');
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('code_exchange_unconfirmed');
  });

  it('ends the journey with the reason TrueLayer refused for, and keeps the token it exchanged', async () => {
    const { repository, deps } = authorized(async () => {
      throw new SignupPlusNotEligibleError('not found', { ineligibility: 'user_data_not_found' });
    });

    await linkAccounts(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(record.failure?.reason).toBe('user_data_not_found');
    expect(record.timeline.map((entry) => entry.step)).toContain('code_exchanged');
  });

  it('lets unavailability go up to the state machine, with the token stored', async () => {
    const { repository, deps } = authorized(async () => {
      throw new TrueLayerUnavailableError('signup-plus: TrueLayer answered 502');
    });

    await expect(linkAccounts(input, deps)).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(repository.secrets.get(ONBOARDING_ID)?.access_token).toBe('access-1');
    expect(repository.record(ONBOARDING_ID).status).toBe('authorized');
  });

  it('only settles a journey that has ended, and goes straight on with a recorded choice', async () => {
    const { repository, exchanges, deps } = authorized();
    repository.seed(onboardingIn('account_chosen', { chosen_account_id: 'acc-1' }));
    const chosen = await linkAccounts(input, deps);
    repository.seed(onboardingIn('expired'));
    const ended = await linkAccounts(input, deps);

    expect([chosen.next, ended.next]).toEqual(['chosen', 'end']);
    expect(exchanges).toEqual([]);
  });
});

describe('requestAccountChoice', () => {
  function offered(status: Parameters<typeof onboardingIn>[0] = 'authorized') {
    const repository = new InMemoryOnboardings();
    repository.seed(
      onboardingIn(status, {
        account_choices: [
          { account_id: 'acc-1', display_name: 'Current', account_type: 'CURRENT', currency: 'GBP' },
          { account_id: 'acc-2', display_name: 'Savings', account_type: 'SAVINGS', currency: 'GBP' },
        ],
        account_choice_expires_at: '2026-03-01T10:05:00.000Z',
        ...(status === 'account_chosen' ? { chosen_account_id: 'acc-1' } : {}),
      }),
    );
    const events = fakePublisher();
    return { repository, events, deps: { repository, publish: events.publish, now: fakeClock().now } };
  }
  const wait = { onboardingId: ONBOARDING_ID, taskToken: 'token-1' };

  it('stores the token, then shows the choice and announces it once, however often it runs', async () => {
    const { repository, events, deps } = offered();

    await requestAccountChoice(wait, deps);
    await requestAccountChoice({ ...wait, taskToken: 'token-2' }, deps);

    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_account_choice');
    expect(repository.secrets.get(ONBOARDING_ID)?.task_token).toBe('token-2');
    expect(events.types()).toEqual(['Onboarding Account Choice Required']);
  });

  it('fails with AccountAlreadyChosenError when a choice landed first, and JourneyEndedError after an end', async () => {
    const chosen = offered('account_chosen');
    const ended = offered('failed');

    await expect(requestAccountChoice(wait, chosen.deps)).rejects.toBeInstanceOf(AccountAlreadyChosenError);
    await expect(requestAccountChoice(wait, ended.deps)).rejects.toBeInstanceOf(JourneyEndedError);
    expect(chosen.repository.secrets.get(ONBOARDING_ID)?.task_token).toBe('token-1');
  });
});

describe('completeWithChosenAccount', () => {
  function chosen(read: () => Promise<SignupPlusAccountsResult>, secrets = { access_token: 'access-1' }) {
    const repository = new InMemoryOnboardings();
    repository.seed(onboardingIn('account_chosen', { chosen_account_id: 'acc-2' }), secrets);
    const asked: Array<string | undefined> = [];
    const events = fakePublisher();
    const deps = {
      repository,
      publish: events.publish,
      now: fakeClock().now,
      fetchAccounts: async (_token: string, query?: { accountId?: string }) => {
        asked.push(query?.accountId);
        return read();
      },
    };
    return { repository, asked, events, deps };
  }

  it('reads the chosen account and completes the journey with it', async () => {
    const { repository, asked, events, deps } = chosen(async () => identity);

    await completeWithChosenAccount(ONBOARDING_ID, deps);

    expect(asked).toEqual(['acc-2']);
    expect(repository.record(ONBOARDING_ID).status).toBe('completed');
    expect(events.types()).toEqual(['Onboarding Ready For Payment']);
  });

  it('fails the journey on a refusal, on a list instead of an identity, and when the token is lost', async () => {
    const refused = chosen(async () => {
      throw new TrueLayerReconnectRequiredError('expired consent');
    });
    const listed = chosen(async () => twoAccounts);
    const lost = chosen(async () => identity, { access_token: '' });

    await completeWithChosenAccount(ONBOARDING_ID, refused.deps);
    await completeWithChosenAccount(ONBOARDING_ID, listed.deps);
    await completeWithChosenAccount(ONBOARDING_ID, lost.deps);

    expect(refused.repository.record(ONBOARDING_ID).failure?.reason).toBe('reconnect_required');
    expect(listed.repository.record(ONBOARDING_ID).failure?.reason).toBe('truelayer_contract_violation');
    expect(lost.repository.record(ONBOARDING_ID).failure?.reason).toBe('journey_state_lost');
  });
});

describe('endOnboarding', () => {
  function stuck(status: Parameters<typeof onboardingIn>[0]) {
    const repository = new InMemoryOnboardings();
    repository.seed(onboardingIn(status), {
      access_token: 'access-1',
      code_exchanged_at: '2026-03-01T10:01:00.000Z',
    });
    const events = fakePublisher();
    return { repository, events, deps: { repository, publish: events.publish, now: fakeClock().now } };
  }

  it('fails the journey with the reason the caught error names, recording the exchange it did', async () => {
    const { repository, deps } = stuck('authorized');

    await endOnboarding(
      { onboarding_id: ONBOARDING_ID, outcome: 'failed', error: { Error: 'TrueLayerUnavailableError' } },
      deps,
    );

    const record = repository.record(ONBOARDING_ID);
    expect(record.failure?.reason).toBe('truelayer_unavailable');
    expect(record.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'code_exchanged',
      'failed',
    ]);
  });

  it('expires a journey whose choice timed out, and leaves an ended journey as it is', async () => {
    const waiting = stuck('awaiting_account_choice');
    const ended = stuck('completed');

    await endOnboarding({ onboarding_id: ONBOARDING_ID, outcome: 'expired' }, waiting.deps);
    await endOnboarding({ onboarding_id: ONBOARDING_ID, outcome: 'failed' }, ended.deps);

    expect(waiting.repository.record(ONBOARDING_ID).failure?.reason).toBe('account_choice_timeout');
    expect(ended.repository.record(ONBOARDING_ID).status).toBe('completed');
    expect(ended.events.types()).toEqual([]);
  });
});
