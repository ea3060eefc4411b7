import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  getOnboarding,
  startJourney,
  waitForStatus,
} from '../helpers/journey.ts';

/**
 * Ends that no step of the workflow records: an auth link nobody uses, an
 * execution stopped under a waiting journey, a callback replayed after the
 * end, a code carried from one journey to another. Each must still end the
 * journey exactly once, with its event, and leave no secret behind.
 */
let stack: LocalStack;
let documents: DynamoDBDocumentClient;
let sfn: SFNClient;

// The default lifetimes, on a clock the tests move instead of waiting.
const AUTH_LINK_TTL_SECONDS = 600;
const CHOICE_TIMEOUT_SECONDS = 900;
const STALL_SECONDS = 1;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    authLinkTtlSeconds: AUTH_LINK_TTL_SECONDS,
    accountChoiceTimeoutSeconds: CHOICE_TIMEOUT_SECONDS,
    journeyStallSeconds: STALL_SECONDS,
    scheduleIntervalMs: 200,
    clock: 'controlled',
  });
  const local = { region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: stack.urls.dynamodb }));
  sfn = new SFNClient({ ...local, endpoint: stack.urls.stepfunctions });
});

afterAll(async () => {
  documents?.destroy();
  sfn?.destroy();
  await stack?.close();
});

const secretsOf = async (onboardingId: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: stack.tables.secrets,
        Key: { pk: `ONBOARDING#${onboardingId}`, sk: 'SECRETS' },
        ConsistentRead: true,
      }),
    )
  ).Item;

// One entry per distinct event: an end's event may be published twice (the reconciler resends an outbox
// whose confirmation it has not seen yet, with the same event_id), which consumers deduplicate on.
const detailTypes = (onboardingId: string) => [
  ...new Map(
    stack.events(onboardingId).map((event) => [String(event.detail.event_id), event['detail-type']]),
  ).values(),
];

const choose = (onboardingId: string, accountId: string) =>
  requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
    account_id: accountId,
  });

describe('journeys that end without the workflow', () => {
  it('expires an auth link nobody used, with Onboarding Expired (link_expired), and forgets its verifier', async () => {
    const created = await createOnboarding(stack);
    expect(await secretsOf(created.onboarding_id)).toMatchObject({ code_verifier: expect.any(String) });

    stack.clock.advance(AUTH_LINK_TTL_SECONDS + 1);
    const view = await waitForStatus(stack, created.onboarding_id, ['expired']);

    expect(view.failure).toEqual(failureOf('link_expired'));
    expect(view.timeline.map((entry) => entry.step)).toEqual(['onboarding_created', 'expired']);
    expect(detailTypes(created.onboarding_id)).toEqual(['Onboarding Expired']);
    expect(await secretsOf(created.onboarding_id)).toBeUndefined();
  });

  it('ends a waiting journey whose execution was stopped: the choice is refused and the journey fails once', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    const running = stack.stepFunctions.executions().find((record) => record.name === onboardingId);
    expect(running?.status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn: running?.executionArn ?? '' }));

    const answer = await choose(onboardingId, 'acc-8232b085624e6babf');
    // Long enough for the reconciler to see a journey stuck without its execution.
    stack.clock.advance(STALL_SECONDS + 1);
    const view = await waitForStatus(stack, onboardingId, ['failed', 'completed', 'expired']);

    expect(answer.status).toBe(409);
    expect(view.status).toBe('failed');
    expect(view.failure).toEqual(failureOf('internal_error'));
    expect(detailTypes(onboardingId)).toEqual(['Onboarding Account Choice Required', 'Onboarding Failed']);
    expect(await secretsOf(onboardingId)).toBeUndefined();
  });
});

describe('choosing near the deadline', () => {
  it('shows a deadline no later than the workflow’s, and accepts a choice made just before it', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    const waiting = await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    const chooseBefore = Date.parse(String(waiting.account_choice_expires_at));
    const event = stack
      .events(onboardingId)
      .find((candidate) => candidate['detail-type'] === 'Onboarding Account Choice Required');
    expect(event?.detail.choose_before).toBe(waiting.account_choice_expires_at);

    // Time goes by until a second before the deadline shown to the user.
    stack.clock.advance((chooseBefore - Date.now()) / 1000 - 1);
    expect(Date.now()).toBeLessThan(chooseBefore);
    const answer = await choose(onboardingId, 'acc-8232b085624e6babf');

    expect(answer.status).toBe(202);
    expect((await waitForStatus(stack, onboardingId, ['completed', 'expired', 'failed'])).status).toBe(
      'completed',
    );
  });

  it('refuses a choice after the deadline shown, and the journey expires with its event', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    const waiting = await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    const chooseBefore = Date.parse(String(waiting.account_choice_expires_at));
    stack.clock.advance((chooseBefore - Date.now()) / 1000 + 0.01);

    const answer = await choose(onboardingId, 'acc-8232b085624e6babf');
    // The workflow waits a little past the deadline shown; then that goes by too.
    stack.clock.advance(CHOICE_TIMEOUT_SECONDS);
    const view = await waitForStatus(stack, onboardingId, ['expired', 'completed', 'failed']);

    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ onboarding_status: 'expired' });
    expect(view.status).toBe('expired');
    expect(view.failure).toEqual(failureOf('account_choice_timeout'));
  });
});

describe('hostile and late redirects', () => {
  it('writes nothing back when a used callback is replayed after the journey ended', async () => {
    const { onboardingId, redirectTo } = await startJourney(stack, 'john');
    await waitForStatus(stack, onboardingId, ['completed']);
    await executionEnded(stack, onboardingId);
    expect(await secretsOf(onboardingId)).toBeUndefined();

    const replay = await followRedirect(redirectTo);

    expect(replay.status).toBe(302);
    expect(await secretsOf(onboardingId)).toBeUndefined();
    expect(detailTypes(onboardingId)).toEqual(['Onboarding Ready For Payment']);
  });

  it('keeps only an OAuth error code the RFC defines, never the text an attacker put in the redirect', async () => {
    const created = await createOnboarding(stack);
    const redirect = new URL(await authorize(stack, created.auth_link, 'john', 'deny'));
    const state = redirect.searchParams.get('state') ?? '';
    const hostile = new URL(`${stack.urls.api}/callback`);
    hostile.searchParams.set('state', state);
    hostile.searchParams.set('error', 'evil_<b>code</b>');
    hostile.searchParams.set('error_description', 'Call +44 20 7946 0000 to claim your prize');

    const answer = await followRedirect(hostile.toString());
    const view = await waitForStatus(stack, created.onboarding_id, ['failed']);

    expect(answer.status).toBe(302);
    expect(view.failure).toEqual({ ...failureOf('authorization_error'), oauth: { error: 'unknown' } });
    expect(JSON.stringify(stack.events(created.onboarding_id))).not.toMatch(/evil|prize|7946/);
  });

  it('onboards nobody with a code carried from one journey into another journey’s callback (PKCE)', async () => {
    const victim = await createOnboarding(stack);
    const attacker = await createOnboarding(stack);
    const victimRedirect = new URL(await authorize(stack, victim.auth_link, 'jane'));
    const attackerRedirect = new URL(await authorize(stack, attacker.auth_link, 'john'));
    // The attacker's own state, the victim's code.
    const injected = new URL(attackerRedirect);
    injected.searchParams.set('code', victimRedirect.searchParams.get('code') ?? '');

    await followRedirect(injected.toString());
    const attacked = await waitForStatus(stack, attacker.onboarding_id, ['failed', 'completed']);

    expect(attacked.status).toBe('failed');
    expect(attacked.user).toBeUndefined();
    expect(attacked.account).toBeUndefined();
    expect(detailTypes(attacker.onboarding_id)).toEqual(['Onboarding Failed']);

    // The victim's own redirect still works: a refused verifier does not spend the code.
    await followRedirect(victimRedirect.toString());
    expect((await waitForStatus(stack, victim.onboarding_id, ['awaiting_account_choice'])).status).toBe(
      'awaiting_account_choice',
    );
    expect((await getOnboarding(stack, attacker.onboarding_id)).status).toBe('failed');
  });
});
