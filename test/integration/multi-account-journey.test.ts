import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  executionEnded,
  getOnboarding,
  startJourney,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';

let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(async () => {
  await stack?.close();
});

const SECOND_ACCOUNT = 'acc-8232b085624e6babf';

function choose(onboardingId: string, accountId: string) {
  return requestJson('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
    account_id: accountId,
  });
}

async function janeWaiting() {
  const { onboardingId } = await startJourney(stack, 'jane');
  const view = await waitForStatus(stack, onboardingId, ['awaiting_account_choice', 'failed', 'completed']);
  expect(view.status).toBe('awaiting_account_choice');
  return { onboardingId, view };
}

async function secretsOf(onboardingId: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.tables.secrets,
      Key: { pk: `ONBOARDING#${onboardingId}`, sk: 'SECRETS' },
    }),
  );
  return Item;
}

describe('multi-account Signup+ journey', () => {
  it('waits for jane to pick the second of three accounts, then publishes that account', async () => {
    // Prepare
    const { onboardingId, view } = await janeWaiting();

    // Assess the wait: three choices, numbers masked, nothing else leaked
    expect(view.accounts?.map((account) => account.account_id)).toEqual([
      'acc-aa360adff0f1574e1',
      SECOND_ACCOUNT,
      'acc-469b2c2bcaea10969',
    ]);
    expect(view.accounts?.[1]).toMatchObject({
      display_name: 'TRANSACTION ACCOUNT 2',
      account_number_masked: '••••0000',
    });
    expect(JSON.stringify(view)).not.toContain('30000000');
    expect(view.user).toBeUndefined();
    const waitingEvents = await eventually(
      async () => stack.events(onboardingId),
      (events) => events.length > 0,
      { what: 'the choice-required event' },
    );
    expect(waitingEvents[0]?.['detail-type']).toBe('Onboarding Account Choice Required');
    expect(waitingEvents[0]?.detail).toMatchObject({ account_count: 3 });
    // Account ids are acc- and 17 hex digits; a bare "acc-" also occurs inside random UUIDs (…-8acc-…).
    expect(JSON.stringify(waitingEvents)).not.toMatch(/task_token|acc-[0-9a-f]{17}|30000000/);
    expect((await secretsOf(onboardingId))?.task_token).toEqual(expect.any(String));

    // Act
    const accepted = await choose(onboardingId, SECOND_ACCOUNT);
    const done = await waitForStatus(stack, onboardingId, ['completed', 'failed', 'expired']);

    // Assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      onboarding_id: onboardingId,
      status: 'account_chosen',
      chosen_account_id: SECOND_ACCOUNT,
    });
    expect(JSON.stringify(accepted.body)).not.toContain('task');
    expect(done.status).toBe('completed');
    expect(done.account).toMatchObject({ sort_code: '01-21-31', account_number: '30000000' });
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'code_exchanged',
      'accounts_fetched',
      'account_choice_required',
      'account_chosen',
      'identity_stored',
      'ready_for_payment',
    ]);
    const ready = stack
      .events(onboardingId)
      .filter((event) => event['detail-type'] === 'Onboarding Ready For Payment');
    expect(ready).toHaveLength(1);
    expect(ready[0]?.detail).toMatchObject({
      account: { sort_code: '01-21-31', account_number: '30000000' },
    });
    expect((await executionEnded(stack, onboardingId)).status).toBe('SUCCEEDED');
    expect(await statesVisited(stack, onboardingId)).toEqual([
      'LinkAccounts',
      'WhatNext',
      'WaitForAccountChoice',
      'CompleteWithChosenAccount',
      'Ended',
    ]);
    expect(await secretsOf(onboardingId)).toBeUndefined();
  });

  it('refuses an account that was not offered and keeps waiting', async () => {
    const { onboardingId } = await janeWaiting();

    const refused = await choose(onboardingId, 'acc-not-offered');

    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ errors: [{ field: 'account_id' }] });
    expect((await getOnboarding(stack, onboardingId)).status).toBe('awaiting_account_choice');
    expect((await choose(onboardingId, SECOND_ACCOUNT)).status).toBe(202);
    await waitForStatus(stack, onboardingId, ['completed']);
  });

  it('answers a second choice with 409 and the current status', async () => {
    const { onboardingId } = await janeWaiting();
    expect((await choose(onboardingId, SECOND_ACCOUNT)).status).toBe(202);
    await waitForStatus(stack, onboardingId, ['completed']);

    const again = await choose(onboardingId, 'acc-aa360adff0f1574e1');

    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ onboarding_status: 'completed' });
  });

  it('lets exactly one of concurrent choices win, with one ready event', async () => {
    const { onboardingId } = await janeWaiting();

    const answers = await Promise.all([
      choose(onboardingId, 'acc-aa360adff0f1574e1'),
      choose(onboardingId, SECOND_ACCOUNT),
      choose(onboardingId, 'acc-469b2c2bcaea10969'),
      choose(onboardingId, SECOND_ACCOUNT),
    ]);
    const done = await waitForStatus(stack, onboardingId, ['completed']);
    await stack.bus.drain();

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 202)?.body as { chosen_account_id: string };
    expect(done.chosen_account_id).toBe(winner.chosen_account_id);
    const ready = stack
      .events(onboardingId)
      .filter((event) => event['detail-type'] === 'Onboarding Ready For Payment');
    expect(ready).toHaveLength(1);
  });

  it('answers 404 for a choice on an unknown onboarding', async () => {
    const response = await choose('0b7e2a44-31f4-4c5e-9d7e-5f7b8f1a2c3d', SECOND_ACCOUNT);
    expect(response.status).toBe(404);
  });

  it('answers 409 for a choice while the journey is not waiting', async () => {
    const { onboardingId } = await startJourney(stack, 'john');
    await waitForStatus(stack, onboardingId, ['completed']);
    const response = await choose(onboardingId, SECOND_ACCOUNT);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ onboarding_status: 'completed' });
  });

  it.each([
    ['an empty body', '', 400],
    ['a missing account_id', '{}', 400],
    ['a wrongly typed account_id', '{"account_id":42}', 400],
    ['an unknown field', '{"account_id":"acc-1","extra":1}', 400],
  ])('refuses %s with problem+json', async (_label, body, status) => {
    const { onboardingId } = await janeWaiting();
    const response = await requestJson(
      'POST',
      `${stack.urls.api}/onboardings/${onboardingId}/account-choice`,
      body || undefined,
    );
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await getOnboarding(stack, onboardingId)).status).toBe('awaiting_account_choice');
  });
});
