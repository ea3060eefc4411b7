import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, requestJson } from '../helpers/http.ts';
import { executionEnded, startJourney, waitForStatus } from '../helpers/journey.ts';

// A stack of its own, on a clock the test moves: the wait for a choice is the default 900 s.
const CHOICE_TIMEOUT_SECONDS = 900;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    accountChoiceTimeoutSeconds: CHOICE_TIMEOUT_SECONDS,
    clock: 'controlled',
  });
});

afterAll(async () => {
  await stack?.close();
});

describe('a multi-account journey nobody finishes', () => {
  it('expires when the wait times out, publishes Onboarding Expired, and refuses a late choice', async () => {
    // Prepare
    const { onboardingId } = await startJourney(stack, 'jane');
    const waiting = await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    expect(waiting.account_choice_expires_at).toEqual(expect.any(String));

    // Act: nobody chooses, and the whole wait goes by
    stack.clock.advance(CHOICE_TIMEOUT_SECONDS + 1);
    const expired = await waitForStatus(stack, onboardingId, ['expired', 'completed', 'failed']);
    const late = await requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
      account_id: 'acc-8232b085624e6babf',
    });

    // Assess
    expect(expired.status).toBe('expired');
    expect(expired.failure?.reason).toBe('account_choice_timeout');
    const types = await eventually(
      async () => stack.events(onboardingId).map((event) => event['detail-type']),
      (list) => list.includes('Onboarding Expired'),
      { what: 'the expired event' },
    );
    expect(types).toEqual(['Onboarding Account Choice Required', 'Onboarding Expired']);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ onboarding_status: 'expired' });
    expect((await executionEnded(stack, onboardingId)).status).toBe('SUCCEEDED');
  });
});
