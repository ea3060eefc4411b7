import { describe, expect, it } from 'vitest';
import type { CallbackQuery } from '../../functions/contract/requests.ts';
import { createOnboarding } from '../../functions/onboarding/create-onboarding.ts';
import { InvalidStateError } from '../../functions/onboarding/errors.ts';
import { getOnboarding } from '../../functions/onboarding/get-onboarding.ts';
import { handleCallback } from '../../functions/onboarding/handle-callback.ts';
import { reconcileOne } from '../../functions/onboarding/reconcile.ts';
import {
  CREATE_SETTINGS,
  fakeClock,
  fakePublisher,
  InMemoryOnboardings,
  noPayments,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

const settings = CREATE_SETTINGS;

/** A journey created through the use case, and the raw state its link carries. */
async function started() {
  const repository = new InMemoryOnboardings();
  const clock = fakeClock();
  const events = fakePublisher();
  const workflows: string[] = [];
  const created = await createOnboarding(
    { reference: 'customer-42' },
    { repository, settings, now: clock.now, startPayment: noPayments, startMandate: noPayments },
  );
  const state = new URL(created.auth_link).searchParams.get('state') ?? '';
  const deps = {
    repository,
    publish: events.publish,
    now: clock.now,
    startWorkflow: async (id: string) => {
      workflows.push(id);
    },
  };
  return { repository, clock, events, workflows, created, state, deps };
}

const callback = (query: CallbackQuery, ip: string | undefined, deps: Parameters<typeof handleCallback>[2]) =>
  handleCallback(query, ip, deps);

describe('createOnboarding', () => {
  it('stores an awaiting record, a hashed state and a PKCE verifier, and links to TrueLayer with both', async () => {
    const { repository, created, state } = await started();

    const record = repository.record(created.onboarding_id);
    const link = new URL(created.auth_link);

    expect(record.status).toBe('awaiting_authorization');
    expect(record.auth_link_expires_at).toBe('2026-03-01T10:15:00.000Z');
    expect(created.auth_link_expires_at).toBe(record.auth_link_expires_at);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...repository.states.keys()]).not.toContain(state);
    expect(repository.secrets.get(created.onboarding_id)?.code_verifier).toBeDefined();
    expect(link.searchParams.get('code_challenge_method')).toBe('S256');
    expect(link.searchParams.get('providers')).toBe('uk-ob-all');
  });

  it('stores nothing the caller is not told about when the write fails', async () => {
    const repository = new InMemoryOnboardings();
    repository.failNext('create');

    const creating = createOnboarding(
      {},
      {
        repository,
        settings,
        now: fakeClock().now,
        startPayment: noPayments,
        startMandate: noPayments,
      },
    );

    await expect(creating).rejects.toThrow('create failed');
    expect(repository.records.size).toBe(0);
  });
});

describe('handleCallback', () => {
  it('stores the code and the IP, moves the journey to authorized and starts its workflow', async () => {
    const { repository, workflows, created, state, deps } = await started();

    const outcome = await callback({ state, code: 'code-1' }, '203.0.113.7', deps);

    expect(outcome).toEqual({ onboardingId: created.onboarding_id, outcome: 'started' });
    expect(repository.record(created.onboarding_id).status).toBe('authorized');
    expect(repository.secrets.get(created.onboarding_id)).toMatchObject({
      authorization_code: 'code-1',
      end_user_ip: '203.0.113.7',
    });
    expect(workflows).toEqual([created.onboarding_id]);
  });

  it('drops an end-user address that is not an IP address', async () => {
    const { repository, created, state, deps } = await started();

    await callback({ state, code: 'code-1' }, 'not-an-ip', deps);

    expect(repository.secrets.get(created.onboarding_id)?.end_user_ip).toBeUndefined();
  });

  it('lets the same redirect through again and starts the workflow idempotently', async () => {
    const { repository, workflows, created, state, deps } = await started();
    await callback({ state, code: 'code-1' }, undefined, deps);

    const again = await callback({ state, code: 'code-1' }, undefined, deps);

    expect(again.outcome).toBe('started');
    expect(
      repository.record(created.onboarding_id).timeline.filter((e) => e.step === 'user_authorized'),
    ).toHaveLength(1);
    expect(workflows).toEqual([created.onboarding_id, created.onboarding_id]);
  });

  it('refuses a replay of the state with another code', async () => {
    const { state, deps } = await started();
    await callback({ state, code: 'code-1' }, undefined, deps);

    const replay = callback({ state, code: 'code-2' }, undefined, deps);

    await expect(replay).rejects.toMatchObject({ name: 'InvalidStateError', problem: 'already_used' });
  });

  it('refuses a missing, an unknown and an expired state', async () => {
    const { clock, state, deps } = await started();

    const missing = callback({ code: 'code-1' }, undefined, deps);
    const unknown = callback({ state: 'x'.repeat(43), code: 'code-1' }, undefined, deps);
    clock.advanceSeconds(900);
    const expired = callback({ state, code: 'code-1' }, undefined, deps);

    await expect(missing).rejects.toBeInstanceOf(InvalidStateError);
    await expect(missing).rejects.toMatchObject({ problem: 'missing' });
    await expect(unknown).rejects.toMatchObject({ problem: 'unknown' });
    await expect(expired).rejects.toMatchObject({ problem: 'expired' });
  });

  it('ends the journey failed on a denial, announces it once and starts no workflow', async () => {
    const { repository, events, workflows, created, state, deps } = await started();

    const outcome = await callback({ state, error: 'access_denied' }, undefined, deps);
    const again = await callback({ state, error: 'access_denied' }, undefined, deps);

    const record = repository.record(created.onboarding_id);
    expect([outcome.outcome, again.outcome]).toEqual(['denied', 'denied']);
    expect(record.status).toBe('failed');
    expect(record.failure?.reason).toBe('access_denied');
    expect(events.types()).toEqual(['Onboarding Failed']);
    expect(record.outbox).toBeUndefined();
    expect(repository.secrets.has(created.onboarding_id)).toBe(false);
    expect(workflows).toEqual([]);
  });

  it('keeps the denial before the end, so the reconciler ends the journey with it when the end could not be written', async () => {
    // Prepare: the callback's end write fails, and the user never reloads
    const { repository, events, clock, created, state, deps } = await started();
    repository.failNext('transition');

    // Act
    const failing = callback({ state, error: 'access_denied' }, undefined, deps);
    await expect(failing).rejects.toThrow('transition failed');
    const outcome = await reconcileOne(created.onboarding_id, {
      ...deps,
      batchSize: 10,
      workflowState: async () => 'not_found',
      startWorkflow: async () => undefined,
      resumeWorkflow: async () => 'resumed',
    });

    // Assess: failed as the user said, while the link was still open, not expired later
    expect(outcome).toBe('ended');
    expect(clock.now().getTime()).toBeLessThan(Date.parse(created.auth_link_expires_at));
    expect(repository.record(created.onboarding_id).failure?.reason).toBe('access_denied');
    expect(events.types()).toEqual(['Onboarding Failed']);
    expect(repository.secrets.has(created.onboarding_id)).toBe(false);
  });

  it('changes nothing for a callback that arrives after the journey ended', async () => {
    const { repository, workflows, created, state, deps } = await started();
    const ended = onboardingIn('expired', { onboarding_id: created.onboarding_id });
    repository.seed(ended);

    const outcome = await callback({ state, code: 'code-1' }, undefined, deps);

    expect(outcome.outcome).toBe('ended');
    expect(repository.record(created.onboarding_id).status).toBe('expired');
    expect(workflows).toEqual([]);
  });

  it('still sends the user on when the workflow cannot be started: the reconciler starts it', async () => {
    const { repository, created, state, deps } = await started();

    const outcome = await callback({ state, code: 'code-1' }, undefined, {
      ...deps,
      startWorkflow: async () => {
        throw new Error('StartExecution throttled');
      },
    });

    expect(outcome.outcome).toBe('started');
    expect(repository.record(created.onboarding_id).status).toBe('authorized');
  });
});

describe('getOnboarding', () => {
  it('shows the choices as accounts only while a choice is awaited, and never the outbox', async () => {
    const repository = new InMemoryOnboardings();
    const choices = [{ account_id: 'a1', display_name: 'Current', account_type: 'CURRENT', currency: 'GBP' }];
    repository.seed(
      onboardingIn('awaiting_account_choice', {
        account_choices: choices,
        outbox: [{ event_id: 'e1', detail_type: 'Onboarding Account Choice Required', detail: {} }],
      }),
    );

    const view = await getOnboarding(ONBOARDING_ID, repository);

    expect(view).toMatchObject({ status: 'awaiting_account_choice', accounts: choices });
    expect(view).not.toHaveProperty('outbox');
    expect(view).not.toHaveProperty('account_choices');
  });
});
