import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableEventId } from '../../functions/events/event-id.ts';
import { requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  startJourney,
  waitForStatus,
} from '../helpers/journey.ts';

let stack: LocalStack;

beforeAll(async () => {
  // The reconciler looks only after ten minutes here: what these tests see is the first attempt's doing,
  // so the publisher's own resend of a refused entry is what gets the event out, not a later sweep.
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1, journeyStallSeconds: 600 });
});

afterAll(async () => {
  await stack?.close();
});

const readyEvents = (onboardingId: string) =>
  stack.events(onboardingId).filter((event) => event['detail-type'] === 'Onboarding Ready For Payment');

describe('duplicates', () => {
  it('starts one execution and publishes one ready event for 20 identical callbacks in parallel', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');

    const answers = await Promise.all(Array.from({ length: 20 }, () => followRedirect(redirectTo)));
    await waitForStatus(stack, created.onboarding_id, ['completed']);
    await stack.bus.drain();

    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([302]));
    expect(
      stack.stepFunctions.executions().filter((execution) => execution.name === created.onboarding_id),
    ).toHaveLength(1);
    expect(readyEvents(created.onboarding_id)).toHaveLength(1);
    const view = await waitForStatus(stack, created.onboarding_id, ['completed']);
    expect(view.timeline.filter((entry) => entry.step === 'user_authorized')).toHaveLength(1);
  });

  it('lets one of 20 concurrent account choices win and publishes one ready event', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
          account_id: index % 2 === 0 ? 'acc-8232b085624e6babf' : 'acc-469b2c2bcaea10969',
        }),
      ),
    );
    await waitForStatus(stack, onboardingId, ['completed']);
    await stack.bus.drain();

    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
    expect(readyEvents(onboardingId)).toHaveLength(1);
  });

  it('resends an event EventBridge refused on a partial PutEvents failure', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    const rule = stack.faults.add({
      service: 'eventbridge',
      operation: 'PutEvents',
      fault: 'throttle',
      match: { onboarding_id: onboardingId },
    });

    await requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
      account_id: 'acc-aa360adff0f1574e1',
    });
    await waitForStatus(stack, onboardingId, ['completed']);

    expect(stack.faults.list().find((listed) => listed.id === rule)?.fired).toBe(1);
    expect(readyEvents(onboardingId)).toHaveLength(1);
  });

  it('gives every event an id derived from the journey, stable across retries', async () => {
    const { onboardingId } = await startJourney(stack, 'john');
    await waitForStatus(stack, onboardingId, ['completed']);

    const [ready] = readyEvents(onboardingId);
    expect(ready?.detail.event_id).toBe(stableEventId(onboardingId, 'Onboarding Ready For Payment'));
  });
});
