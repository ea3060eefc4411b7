import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsFaultRule } from '@signupplus/local';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  TERMINAL_EVENTS,
  waitForStatus,
} from '../helpers/journey.ts';

/**
 * The faults the product used to strand or end twice on, one test each: an
 * AWS call of one journey is throttled, fails, times out or loses its answer,
 * often enough to get past the SDK's own retries, at the point that once
 * broke the journey. Each journey must still end exactly once, with its event,
 * its secrets gone, and (for a journey that could complete) completed.
 */
let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    // Long enough that the reconciler's own writes (postponing a running journey) do not take the
    // faults a test aims at one step's writes; short enough to wait for it where a test needs it.
    journeyStallSeconds: 4,
    scheduleIntervalMs: 200,
    trueLayerTimeoutMs: 500,
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      // Past the fault-injecting proxy: a journey's faults must not take the test's own reads.
      endpoint: stack.dynamoDbEngineEndpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterEach(() => {
  stack.faults.clear();
  stack.simulator.faults.clear();
});

afterAll(async () => {
  documents?.destroy();
  await stack?.close();
});

/**
 * As many calls as the SDK's attempts (DynamoDB's client makes four, the
 * others three): the fault then reaches the product's own code.
 */
const PAST_THE_SDK = 3;
const PAST_THE_DYNAMODB_SDK = 4;
/**
 * Throttled DynamoDB calls back off for seconds, so the reconciler's own
 * write for the journey may take one of the faults meant for the step: twice
 * the SDK's attempts make sure the step itself fails at least once.
 */
const THROTTLED_PAST_THE_STEP = 2 * PAST_THE_DYNAMODB_SDK;

const faultFor = (onboardingId: string, rule: Omit<AwsFaultRule, 'match'>) =>
  stack.faults.add({ ...rule, match: { onboarding_id: onboardingId } });

const terminalEvents = (onboardingId: string) =>
  stack
    .events(onboardingId)
    .filter((event) =>
      ['Onboarding Ready For Payment', 'Onboarding Failed', 'Onboarding Expired'].includes(
        event['detail-type'],
      ),
    );

/**
 * One end, settled: the record is terminal and off the due index (its event
 * published and confirmed, its secrets deleted), with a single terminal event
 * id of the kind its status says and no secrets item left.
 */
async function expectOneEnd(onboardingId: string, status: 'completed' | 'failed' | 'expired') {
  const view = await waitForStatus(stack, onboardingId, [status], 20_000);
  const item = (sk: 'PROFILE' | 'SECRETS') =>
    documents
      .send(
        new GetCommand({
          TableName: sk === 'SECRETS' ? stack.tables.secrets : stack.tables.onboardings,
          Key: { pk: `ONBOARDING#${onboardingId}`, sk },
          ConsistentRead: true,
        }),
      )
      .then((answer) => answer.Item);
  await eventually(
    () => item('PROFILE'),
    (profile) => profile !== undefined && profile.due_at === undefined,
    { timeoutMs: 20_000, what: `${onboardingId} to be settled` },
  );
  expect(await item('SECRETS')).toBeUndefined();
  const ends = terminalEvents(onboardingId);
  expect(new Set(ends.map((event) => event.detail.event_id)).size).toBe(1);
  expect(new Set(ends.map((event) => event['detail-type']))).toEqual(new Set([TERMINAL_EVENTS[status]]));
  return view;
}

/**
 * Arms `rule` while the journey's Signup+ read is held (the simulator adds
 * latency), once the token is stored: the next writes of the journey are
 * then its end's.
 */
async function armDuringAccountsCall(onboardingId: string, rule: Omit<AwsFaultRule, 'match'>) {
  await eventually(
    () =>
      documents
        .send(
          new GetCommand({
            TableName: stack.tables.secrets,
            Key: { pk: `ONBOARDING#${onboardingId}`, sk: 'SECRETS' },
            ConsistentRead: true,
          }),
        )
        .then((answer) => answer.Item?.access_token),
    (token) => token !== undefined,
    { intervalMs: 5, what: `the token of ${onboardingId} to be stored` },
  );
  faultFor(onboardingId, rule);
}

/** An onboarding whose user approved at the bank, with the faults armed before the redirect lands. */
async function approvedJourney(user: string, rules: Array<Omit<AwsFaultRule, 'match'>>) {
  const created = await createOnboarding(stack);
  for (const rule of rules) faultFor(created.onboarding_id, rule);
  const redirectTo = await authorize(stack, created.auth_link, user);
  const callback = await followRedirect(redirectTo);
  return { onboardingId: created.onboarding_id, redirectTo, callback };
}

const choose = (onboardingId: string, accountId = 'acc-8232b085624e6babf') =>
  requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
    account_id: accountId,
  });

describe('one end per journey under AWS faults', () => {
  it('completes once when the completing write is throttled past the SDK: Ready For Payment only, never Failed', async () => {
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'latency', ms: 250 } }]);
    const { onboardingId } = await approvedJourney('john', []);
    await armDuringAccountsCall(onboardingId, {
      service: 'dynamodb',
      operation: 'UpdateItem',
      fault: 'throttle',
      times: THROTTLED_PAST_THE_STEP,
    });

    await expectOneEnd(onboardingId, 'completed');
    expect(stack.faults.list()[0]?.fired).toBe(THROTTLED_PAST_THE_STEP);
  });

  it('completes once when the completing write took effect and its answer was lost', async () => {
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'latency', ms: 250 } }]);
    const { onboardingId } = await approvedJourney('john', []);
    await armDuringAccountsCall(onboardingId, {
      service: 'dynamodb',
      operation: 'UpdateItem',
      fault: 'lost_answer',
      times: PAST_THE_DYNAMODB_SDK,
    });

    await expectOneEnd(onboardingId, 'completed');
    expect(stack.faults.list()[0]?.fired).toBe(PAST_THE_DYNAMODB_SDK);
  });

  it('ends failed once when FailOnboarding’s write is throttled, and forgets the secrets', async () => {
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 } }]);
    const { onboardingId } = await approvedJourney('john', []);
    // Once Signup+ is being read the token is stored: the next UpdateItem is FailOnboarding's commit.
    await armDuringAccountsCall(onboardingId, {
      service: 'dynamodb',
      operation: 'UpdateItem',
      fault: 'throttle',
      times: THROTTLED_PAST_THE_STEP,
    });

    const view = await expectOneEnd(onboardingId, 'failed');
    expect(view.failure).toEqual(failureOf('truelayer_unavailable'));
  });

  it('ends failed once even when FailOnboarding can never write: the reconciler records the end', async () => {
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 } }]);
    const { onboardingId } = await approvedJourney('john', [
      { service: 'lambda', operation: 'EndOnboarding', fault: 'error', times: 1_000 },
    ]);
    const ended = await executionEnded(stack, onboardingId);
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('EndNotRecorded');

    const view = await expectOneEnd(onboardingId, 'failed');
    expect(view.failure).toEqual(failureOf('internal_error'));
  });

  it('publishes Onboarding Failed once PutEvents takes it again, when it refused it during FailOnboarding', async () => {
    stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 } }]);
    const { onboardingId } = await approvedJourney('john', [
      { service: 'eventbridge', operation: 'PutEvents', fault: 'throttle', times: 5 },
    ]);

    await expectOneEnd(onboardingId, 'failed');
    expect(stack.faults.list().find((rule) => rule.service === 'eventbridge')?.fired).toBe(5);
  });

  it('publishes a denial whose PutEvents failed, and a reload answers the same redirect', async () => {
    const created = await createOnboarding(stack);
    faultFor(created.onboarding_id, {
      service: 'eventbridge',
      operation: 'PutEvents',
      fault: 'error',
      times: 5,
    });
    const redirectTo = await authorize(stack, created.auth_link, 'john', 'deny');

    const first = await followRedirect(redirectTo);
    const reload = await followRedirect(redirectTo);

    expect([first.status, reload.status]).toEqual([302, 302]);
    const view = await expectOneEnd(created.onboarding_id, 'failed');
    expect(view.failure?.reason).toBe('access_denied');
  });

  it('starts the workflow when StartExecution failed in the callback, and the user still lands on the return page', async () => {
    const { onboardingId, callback } = await approvedJourney('john', [
      // An internal error: the SDK's backoff for it is short, so the callback has given up on all three
      // attempts before the reconciler (whose own StartExecution the rule would also match) looks.
      { service: 'sfn', operation: 'StartExecution', fault: 'error', times: PAST_THE_SDK },
    ]);

    expect(callback.status).toBe(302);
    await expectOneEnd(onboardingId, 'completed');
  });

  it('completes a choice made while PutEvents refused Account Choice Required, and announces both', async () => {
    const { onboardingId } = await approvedJourney('jane', [
      { service: 'eventbridge', operation: 'PutEvents', fault: 'throttle', times: 3 },
    ]);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);

    const answer = await choose(onboardingId);

    expect(answer.status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
    const announced = await eventually(
      async () => stack.events(onboardingId).map((event) => event['detail-type']),
      (types) => types.includes('Onboarding Account Choice Required'),
    );
    expect(announced.filter((type) => type === 'Onboarding Account Choice Required')).toHaveLength(1);
  });

  it('accepts a choice whose claim was written and its answer lost (the SDK’s resend finds it taken)', async () => {
    const { onboardingId } = await approvedJourney('jane', []);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    faultFor(onboardingId, { service: 'dynamodb', operation: 'UpdateItem', fault: 'lost_answer', times: 1 });

    const answer = await choose(onboardingId);

    expect(answer.status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
  });

  it('accepts a choice whose SendTaskSuccess took effect with its answer lost', async () => {
    const { onboardingId } = await approvedJourney('jane', []);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    faultFor(onboardingId, { service: 'sfn', operation: 'SendTaskSuccess', fault: 'lost_answer', times: 1 });

    const answer = await choose(onboardingId);

    expect(answer.status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
  });

  it('keeps a choice whose every SendTaskSuccess attempt lost its answer, and completes with it', async () => {
    const { onboardingId } = await approvedJourney('jane', []);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
    // The first attempt takes effect; the SDK's resends (and their answers) are lost too, so the
    // chooser never hears back. Giving the choice back here would undo the one the workflow runs with.
    faultFor(onboardingId, { service: 'sfn', operation: 'SendTaskSuccess', fault: 'lost_answer', times: 3 });

    const answer = await choose(onboardingId);

    expect(answer.status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
  });

  it('completes when the waiting step is retried and mints a new task token', async () => {
    const { onboardingId } = await approvedJourney('jane', [
      { service: 'lambda', operation: 'RequestAccountChoice', fault: 'lost_answer', times: 1 },
    ]);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);

    const answer = await choose(onboardingId);

    expect(answer.status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
  });

  it('rides out a throttled Secrets Manager and every Lambda service error of the workflow', async () => {
    const { onboardingId } = await approvedJourney('jane', [
      { service: 'lambda', operation: 'LinkAccounts', fault: 'throttle', times: 2 },
      { service: 'lambda', operation: 'RequestAccountChoice', fault: 'error', times: 2 },
      { service: 'lambda', operation: 'CompleteWithChosenAccount', fault: 'timeout', times: 2 },
    ]);
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);

    expect((await choose(onboardingId)).status).toBe(202);
    await expectOneEnd(onboardingId, 'completed');
  });
});
