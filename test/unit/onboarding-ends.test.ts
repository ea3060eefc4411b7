import { describe, expect, it } from 'vitest';
import type { WorkflowState } from '../../functions/onboarding/choose-account.ts';
import { endJourney, settleJourney } from '../../functions/onboarding/end-journey.ts';
import { eraseOnboarding } from '../../functions/onboarding/erase-onboarding.ts';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { type ReconcileDependencies, reconcile, reconcileOne } from '../../functions/onboarding/reconcile.ts';
import {
  fakeClock,
  fakePublisher,
  InMemoryOnboardings,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

const user = { first_name: 'Ada', last_name: 'Lovelace' };
const account = { sort_code: '040004', account_number: '12345678' };

function journey(status: Parameters<typeof onboardingIn>[0] = 'authorized') {
  const repository = new InMemoryOnboardings();
  repository.seed(onboardingIn(status), { code_verifier: 'v', access_token: 'at' });
  const events = fakePublisher();
  const clock = fakeClock();
  return { repository, events, clock, deps: { repository, publish: events.publish, now: clock.now } };
}

describe('endJourney', () => {
  it('commits the end with its event, then deletes the secrets and publishes and confirms the event', async () => {
    const { repository, events, deps } = journey();

    const ended = await endJourney(
      {
        onboarding: repository.record(ONBOARDING_ID),
        end: { outcome: 'completed', user, account, detail: 'one account linked' },
      },
      deps,
    );

    expect(ended.status).toBe('completed');
    expect(ended.timeline.map((entry) => entry.step).slice(-2)).toEqual([
      'identity_stored',
      'ready_for_payment',
    ]);
    expect(events.types()).toEqual(['Onboarding Ready For Payment']);
    expect(repository.record(ONBOARDING_ID).outbox).toBeUndefined();
    expect(repository.secrets.has(ONBOARDING_ID)).toBe(false);
  });

  it('records one end of two racing: the loser returns the end recorded first and announces nothing new', async () => {
    const { repository, events, deps } = journey();
    const read = repository.record(ONBOARDING_ID);
    await endJourney(
      { onboarding: read, end: { outcome: 'expired', failure: failureOf('link_expired') } },
      deps,
    );

    const loser = await endJourney(
      { onboarding: read, end: { outcome: 'completed', user, account, detail: 'one account linked' } },
      deps,
    );

    expect(loser.status).toBe('expired');
    expect(events.types()).toEqual(['Onboarding Expired']);
  });

  it('refuses an end from a status it was not allowed from', async () => {
    const { repository, deps } = journey('awaiting_account_choice');

    const ending = endJourney(
      {
        onboarding: repository.record(ONBOARDING_ID),
        end: { outcome: 'failed', failure: failureOf('access_denied') },
        from: ['awaiting_authorization'],
      },
      deps,
    );

    await expect(ending).rejects.toMatchObject({ currentStatus: 'awaiting_account_choice' });
  });

  it('keeps the event in the outbox when publishing fails, for the reconciler to send', async () => {
    const { repository, events, deps } = journey();
    events.refuseNext();

    const ended = await endJourney(
      {
        onboarding: repository.record(ONBOARDING_ID),
        end: { outcome: 'failed', failure: failureOf('internal_error') },
      },
      deps,
    );
    await settleJourney(repository.record(ONBOARDING_ID), deps);

    expect(ended.status).toBe('failed');
    expect(events.types()).toEqual(['Onboarding Failed']);
    expect(repository.record(ONBOARDING_ID).outbox).toBeUndefined();
  });
});

describe('eraseOnboarding', () => {
  const deps = (base: ReturnType<typeof journey>, forgotten: string[]) => ({
    ...base.deps,
    forgetEvent: async (eventId: string) => {
      forgotten.push(eventId);
    },
  });

  it('strips the personal fields of an ended journey, announces the erasure and forgets the consumer record', async () => {
    const base = journey();
    base.repository.seed(onboardingIn('completed', { user, account }));
    const forgotten: string[] = [];

    const erased = await eraseOnboarding(ONBOARDING_ID, deps(base, forgotten));

    const record = base.repository.record(ONBOARDING_ID);
    expect(erased).toEqual({
      onboarding_id: ONBOARDING_ID,
      status: 'completed',
      erased_at: '2026-03-01T10:00:00.000Z',
    });
    expect(record).not.toHaveProperty('user');
    expect(record).not.toHaveProperty('reference');
    expect(base.events.types()).toEqual(['Onboarding Erased']);
    expect(forgotten).toHaveLength(1);
  });

  it('ends a journey under way first, failed with reason erased, so it keeps its one terminal event', async () => {
    const base = journey('awaiting_account_choice');

    const erased = await eraseOnboarding(ONBOARDING_ID, deps(base, []));

    expect(erased.status).toBe('failed');
    expect(base.repository.record(ONBOARDING_ID).failure?.reason).toBe('erased');
    expect(base.events.types()).toEqual(['Onboarding Failed', 'Onboarding Erased']);
  });

  it('answers the same to a repeat and announces the erasure once', async () => {
    const base = journey();
    base.repository.seed(onboardingIn('expired'));
    const first = await eraseOnboarding(ONBOARDING_ID, deps(base, []));

    const again = await eraseOnboarding(ONBOARDING_ID, deps(base, []));

    expect(again).toEqual(first);
    expect(base.events.types()).toEqual(['Onboarding Erased']);
  });

  it('refuses an unknown onboarding', async () => {
    const base = journey();

    const erasing = eraseOnboarding('00000000-0000-4000-8000-000000000000', deps(base, []));

    await expect(erasing).rejects.toMatchObject({ name: 'OnboardingNotFoundError' });
  });
});

describe('reconcile', () => {
  function reconciler(base: ReturnType<typeof journey>, state: WorkflowState) {
    const started: string[] = [];
    const resumed: string[] = [];
    const deps: ReconcileDependencies = {
      ...base.deps,
      workflowState: async () => state,
      startWorkflow: async (id) => {
        started.push(id);
      },
      resumeWorkflow: async (taskToken) => {
        resumed.push(taskToken);
        return 'resumed';
      },
      batchSize: 10,
    };
    return { deps, started, resumed };
  }

  it('expires an auth link never used once it is past, and leaves one still valid waiting', async () => {
    const base = journey('awaiting_authorization');
    const { deps } = reconciler(base, 'not_found');

    const early = await reconcileOne(ONBOARDING_ID, deps);
    base.clock.advanceSeconds(900);
    const late = await reconcileOne(ONBOARDING_ID, deps);

    expect([early, late]).toEqual(['waiting', 'expired']);
    expect(base.repository.record(ONBOARDING_ID).failure?.reason).toBe('link_expired');
  });

  it('moves on a callback that stored the code but not the status, and starts the workflow', async () => {
    const base = journey('awaiting_authorization');
    base.repository.secrets.set(ONBOARDING_ID, { authorization_code: 'code-1' });
    const { deps, started } = reconciler(base, 'not_found');

    const outcome = await reconcileOne(ONBOARDING_ID, deps);

    expect(outcome).toBe('started');
    expect(base.repository.record(ONBOARDING_ID).status).toBe('authorized');
    expect(started).toEqual([ONBOARDING_ID]);
  });

  it('starts the execution of a journey that has none', async () => {
    const base = journey('authorized');
    const { deps, started } = reconciler(base, 'not_found');

    expect(await reconcileOne(ONBOARDING_ID, deps)).toBe('started');
    expect(started).toEqual([ONBOARDING_ID]);
  });

  it('resends a recorded choice to a running execution', async () => {
    const base = journey();
    base.repository.seed(onboardingIn('account_chosen', { chosen_account_id: 'acc-1' }), {
      task_token: 'token-1',
    });
    const { deps, resumed } = reconciler(base, 'running');

    expect(await reconcileOne(ONBOARDING_ID, deps)).toBe('resumed');
    expect(resumed).toEqual(['token-1']);
  });

  it('ends a journey whose execution is over: expired past the choice deadline, failed otherwise', async () => {
    const late = journey();
    late.repository.seed(
      onboardingIn('awaiting_account_choice', { account_choice_expires_at: '2026-03-01T09:59:00.000Z' }),
    );
    const stuck = journey('authorized');

    const outcomes = [
      await reconcileOne(ONBOARDING_ID, reconciler(late, 'ended').deps),
      await reconcileOne(ONBOARDING_ID, reconciler(stuck, 'ended').deps),
    ];

    expect(outcomes).toEqual(['ended', 'ended']);
    expect(late.repository.record(ONBOARDING_ID).failure?.reason).toBe('account_choice_timeout');
    expect(stuck.repository.record(ONBOARDING_ID).failure?.reason).toBe('internal_error');
  });

  it('settles an end whose event was not published, and reports records gone and failures without stopping', async () => {
    const base = journey();
    base.repository.seed(
      onboardingIn('failed', {
        failure: failureOf('internal_error'),
        outbox: [{ event_id: 'e1', detail_type: 'Onboarding Failed', detail: {} }],
      }),
    );
    base.repository.due = [ONBOARDING_ID, '00000000-0000-4000-8000-000000000000', ONBOARDING_ID];
    const { deps } = reconciler(base, 'ended');

    const report = await reconcile(deps);

    expect(report).toEqual({ due: 2, outcomes: { settled: 1, gone: 1 } });
    expect(base.events.types()).toEqual(['Onboarding Failed']);
  });
});
