import type { LocalStack } from '@signupplus/local';
import { z } from 'zod';
import { createdOnboardingSchema, onboardingViewSchema } from '../../functions/contract/responses.ts';
import { eventually, requestJson } from './http.ts';

/** The API's answers, parsed with the product contract's own schemas (never a second copy). */
export { createdOnboardingSchema as createdSchema, onboardingViewSchema };
export type OnboardingView = z.output<typeof onboardingViewSchema>;

const authorizeSchema = z.object({ redirect_to: z.string() });

export async function createOnboarding(stack: LocalStack, body: unknown = {}) {
  const response = await requestJson('POST', `${stack.urls.api}/onboardings`, body);
  if (response.status !== 201)
    throw new Error(`POST /onboardings answered ${response.status}: ${JSON.stringify(response.body)}`);
  return createdOnboardingSchema.parse(response.body);
}

/** What the user's browser does at TrueLayer, through the simulator's non-interactive hook. */
export async function authorize(
  stack: LocalStack,
  authLink: string,
  user: string,
  decision: 'approve' | 'deny' = 'approve',
) {
  const response = await requestJson('POST', `${stack.urls.truelayer_auth}/_sandbox/authorize`, {
    auth_link: authLink,
    user,
    decision,
  });
  if (response.status !== 200)
    throw new Error(`authorize answered ${response.status}: ${JSON.stringify(response.body)}`);
  return authorizeSchema.parse(response.body).redirect_to;
}

/** Follows TrueLayer's redirect to our callback the way a browser would, without following our own redirect. */
export async function followRedirect(url: string, accept = 'text/html') {
  return fetch(url, { redirect: 'manual', headers: { accept } });
}

/** Creates an onboarding, approves it as `user` and lands on the callback; returns the callback answer. */
export async function startJourney(stack: LocalStack, user: string) {
  const created = await createOnboarding(stack);
  const redirectTo = await authorize(stack, created.auth_link, user);
  const callback = await followRedirect(redirectTo);
  return { created, redirectTo, callback, onboardingId: created.onboarding_id };
}

export async function getOnboarding(stack: LocalStack, onboardingId: string): Promise<OnboardingView> {
  const response = await requestJson('GET', `${stack.urls.api}/onboardings/${onboardingId}`);
  if (response.status !== 200) throw new Error(`GET onboarding answered ${response.status}`);
  return onboardingViewSchema.parse(response.body);
}

/** The event each end is announced with. */
export const TERMINAL_EVENTS: Readonly<Record<string, string>> = {
  completed: 'Onboarding Ready For Payment',
  failed: 'Onboarding Failed',
  expired: 'Onboarding Expired',
};

/**
 * Waits for the record to reach one of `statuses`. For an end (completed,
 * failed, expired) it also waits for the end's event: the record is the
 * commit point and its event is published a moment later, from its outbox.
 */
export function waitForStatus(
  stack: LocalStack,
  onboardingId: string,
  statuses: readonly string[],
  timeoutMs = 10_000,
) {
  return eventually(
    () => getOnboarding(stack, onboardingId),
    (view) => {
      if (!statuses.includes(view.status)) return false;
      const announced = TERMINAL_EVENTS[view.status];
      return (
        announced === undefined ||
        stack.events(onboardingId).some((event) => event['detail-type'] === announced)
      );
    },
    { timeoutMs, what: `onboarding ${onboardingId} to reach ${statuses.join('/')}, with its event` },
  );
}

/**
 * Waits for the onboarding's execution to end. The record turns terminal a
 * moment before the last step finishes publishing and deleting secrets, so
 * checks on those wait for this rather than for the status.
 */
export async function executionEnded(stack: LocalStack, onboardingId: string) {
  const started = await eventually(
    async () => stack.stepFunctions.executions().find((record) => record.name === onboardingId),
    (record) => record !== undefined,
    { what: `the execution of ${onboardingId}` },
  );
  return stack.stepFunctions.waitForExecution(started?.executionArn ?? '');
}

/** The states the journey's execution entered, in order, as its execution history records them. */
export async function statesVisited(stack: LocalStack, onboardingId: string): Promise<string[]> {
  const execution = await executionEnded(stack, onboardingId);
  return stack.stepFunctions
    .history(execution.executionArn)
    .flatMap((event) =>
      event.type.endsWith('StateEntered') ? [event.stateEnteredEventDetails?.name ?? '?'] : [],
    );
}
