import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exampleConsumerRecordId } from '../../functions/consumers/idempotency-record.ts';
import { DetailTypes } from '../../functions/contract/onboarding-events.ts';
import { stableEventId } from '../../functions/events/event-id.ts';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  getOnboarding,
  type OnboardingView,
  waitForStatus,
} from '../helpers/journey.ts';

/**
 * DELETE /onboardings/{id}: the person's data leaves every table the
 * product keeps (the record, the secrets, the example consumer's
 * idempotency record), Onboarding Erased is published once without personal
 * data, a journey under way is ended first, and repeats answer the same.
 */
let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    journeyStallSeconds: 1,
    scheduleIntervalMs: 200,
    accountChoiceTimeoutSeconds: 5,
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(async () => {
  documents?.destroy();
  await stack?.close();
});

/** Every personal value a journey showed, and the integrator's reference: none may remain after erasure. */
const personal = new Set<string>();

function remember(view: OnboardingView, reference?: string) {
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 4) personal.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(view.user);
  collect(view.account);
  // The choices offered: display names and masked numbers (what a person would recognise).
  for (const account of view.accounts ?? []) {
    collect(account.display_name);
    collect(account.account_number_masked);
  }
  if (reference) personal.add(reference);
}

const tables = () => [stack.tables.onboardings, stack.tables.secrets, stack.tables.consumerIdempotency];

async function everyItem(): Promise<Array<{ table: string; item: Record<string, unknown> }>> {
  const items: Array<{ table: string; item: Record<string, unknown> }> = [];
  for (const table of tables()) {
    for await (const page of paginateScan(
      { client: documents },
      { TableName: table, ConsistentRead: true },
    )) {
      for (const item of page.Items ?? []) items.push({ table, item });
    }
  }
  return items;
}

/** The items any table holds about one journey (by its id, or the consumer's record of its ready event). */
async function itemsOf(onboardingId: string) {
  const consumerRecord = exampleConsumerRecordId(stableEventId(onboardingId, DetailTypes.readyForPayment));
  return (await everyItem()).filter(({ item }) => {
    const text = JSON.stringify(item);
    return text.includes(onboardingId) || item.id === consumerRecord;
  });
}

const erasedAnswerSchema = z.object({
  onboarding_id: z.string(),
  status: z.enum(['completed', 'failed', 'expired']),
  erased_at: z.string(),
});

const erase = (onboardingId: string) =>
  requestJson('DELETE', `${stack.urls.api}/onboardings/${onboardingId}`);

const erasedEvents = (onboardingId: string) =>
  stack.events(onboardingId).filter((event) => event['detail-type'] === DetailTypes.erased);

/** Waits for Onboarding Erased, and checks it names nobody. */
async function erasedEvent(onboardingId: string) {
  const [event] = await eventually(
    async () => erasedEvents(onboardingId),
    (found) => found.length > 0,
    { what: `Onboarding Erased for ${onboardingId}` },
  );
  const text = JSON.stringify(event);
  for (const value of personal) expect(text).not.toContain(value);
  expect(event?.detail).not.toHaveProperty('reference');
  return event;
}

async function completedJourney(user: string, reference: string) {
  const created = await createOnboarding(stack, { reference });
  const redirectTo = await authorize(stack, created.auth_link, user);
  await followRedirect(redirectTo);
  const view = await waitForStatus(stack, created.onboarding_id, ['completed']);
  remember(view, reference);
  return created.onboarding_id;
}

describe('DELETE /onboardings/{id}', () => {
  it('erases a completed journey from every table, and publishes Onboarding Erased without personal data', async () => {
    const onboardingId = await completedJourney('john', 'customer-erase-1');
    // The example consumer has handled the ready event: its record is one more copy to erase.
    const consumerKey = {
      id: exampleConsumerRecordId(stableEventId(onboardingId, DetailTypes.readyForPayment)),
    };
    await eventually(
      () =>
        documents
          .send(new GetCommand({ TableName: stack.tables.consumerIdempotency, Key: consumerKey }))
          .then((answer) => answer.Item),
      (item) => item !== undefined,
      { what: 'the example consumer to record the ready event' },
    );
    const before = JSON.stringify(await itemsOf(onboardingId));
    expect([...personal].some((value) => before.includes(value))).toBe(true);

    const answer = await erase(onboardingId);

    expect(answer.status).toBe(202);
    const erased = erasedAnswerSchema.parse(answer.body);
    expect(erased).toMatchObject({ onboarding_id: onboardingId, status: 'completed' });
    const event = await erasedEvent(onboardingId);
    expect(event?.detail).toMatchObject({
      onboarding_id: onboardingId,
      status: 'completed',
      schema_version: '1',
    });
    // Settled: the event is confirmed, so the record leaves the due index.
    await eventually(
      () =>
        documents
          .send(
            new GetCommand({
              TableName: stack.tables.onboardings,
              Key: { pk: `ONBOARDING#${onboardingId}`, sk: 'PROFILE' },
              ConsistentRead: true,
            }),
          )
          .then((answer) => answer.Item),
      (item) => item !== undefined && item.due_at === undefined && item.outbox === undefined,
      { what: `${onboardingId} to be settled` },
    );
    const after = await itemsOf(onboardingId);
    const text = JSON.stringify(after);
    for (const value of personal) expect(text, value).not.toContain(value);
    // What is left: the tombstone record (and the used state), nothing in the secrets or idempotency tables.
    expect(after.map(({ table }) => table).sort()).toEqual([
      stack.tables.onboardings,
      stack.tables.onboardings,
    ]);
    expect(
      (
        await documents.send(
          new GetCommand({ TableName: stack.tables.consumerIdempotency, Key: consumerKey }),
        )
      ).Item,
    ).toBeUndefined();
  });

  it('leaves a record that says it was erased and how it ended, with step names and times only', async () => {
    const onboardingId = await completedJourney('john', 'customer-erase-2');
    const before = await getOnboarding(stack, onboardingId);

    await erase(onboardingId);

    const view = await getOnboarding(stack, onboardingId);
    expect(view.status).toBe('completed');
    expect(view.erased_at).toEqual(expect.any(String));
    expect(view).not.toHaveProperty('user');
    expect(view).not.toHaveProperty('account');
    expect(view).not.toHaveProperty('reference');
    expect(view.timeline).toEqual(before.timeline.map(({ at, step }) => ({ at, step })));
  });

  it('ends a journey under way first (failed, erased), then erases it: one terminal event, then Erased', async () => {
    const created = await createOnboarding(stack, { reference: 'customer-erase-3' });
    const redirectTo = await authorize(stack, created.auth_link, 'jane');
    await followRedirect(redirectTo);
    const waiting = await waitForStatus(stack, created.onboarding_id, ['awaiting_account_choice']);
    remember(waiting, 'customer-erase-3');
    expect(waiting.accounts?.length).toBeGreaterThan(1);

    const answer = await erase(created.onboarding_id);

    expect(answer.status).toBe(202);
    expect(erasedAnswerSchema.parse(answer.body).status).toBe('failed');
    await erasedEvent(created.onboarding_id);
    // One copy of each fact (consumers deduplicate on event_id), in the order they happened.
    const facts = new Map(stack.events(created.onboarding_id).map((event) => [event.detail.event_id, event]));
    const types = [...facts.values()]
      .sort((a, b) => String(a.detail.occurred_at).localeCompare(String(b.detail.occurred_at)))
      .map((event) => event['detail-type']);
    expect(types).toEqual([DetailTypes.accountChoiceRequired, DetailTypes.failed, DetailTypes.erased]);
    const failed = stack
      .events(created.onboarding_id)
      .find((event) => event['detail-type'] === DetailTypes.failed);
    expect(failed?.detail.failure).toEqual(failureOf('erased'));
    const view = await getOnboarding(stack, created.onboarding_id);
    expect(view).not.toHaveProperty('accounts');
    expect(view).not.toHaveProperty('account_choices');
    expect(
      (
        await documents.send(
          new GetCommand({
            TableName: stack.tables.secrets,
            Key: { pk: `ONBOARDING#${created.onboarding_id}`, sk: 'SECRETS' },
            ConsistentRead: true,
          }),
        )
      ).Item,
    ).toBeUndefined();
    // The journey is over: a late choice is refused.
    const late = await requestJson(
      'POST',
      `${stack.urls.api}/onboardings/${created.onboarding_id}/account-choice`,
      {
        account_id: waiting.accounts?.[0]?.account_id,
      },
    );
    expect(late.status).toBe(409);
  });

  it('answers the same 202 when repeated, and publishes Onboarding Erased once', async () => {
    const onboardingId = await completedJourney('john', 'customer-erase-4');

    const first = await erase(onboardingId);
    const again = await Promise.all([erase(onboardingId), erase(onboardingId)]);

    expect([first.status, ...again.map((answer) => answer.status)]).toEqual([202, 202, 202]);
    for (const answer of again) expect(answer.body).toEqual(first.body);
    await erasedEvent(onboardingId);
    await stack.bus.drain();
    expect(new Set(erasedEvents(onboardingId).map((event) => event.detail.event_id)).size).toBe(1);
  });

  it('erases once when the erasing write took effect and its answer was lost', async () => {
    const onboardingId = await completedJourney('john', 'customer-erase-5');
    stack.faults.add({
      service: 'dynamodb',
      operation: 'UpdateItem',
      fault: 'lost_answer',
      times: 1,
      match: { onboarding_id: onboardingId },
    });

    const answer = await erase(onboardingId);

    expect(answer.status).toBe(202);
    expect(stack.faults.list().find((rule) => rule.match?.onboarding_id === onboardingId)?.fired).toBe(1);
    await erasedEvent(onboardingId);
    expect((await getOnboarding(stack, onboardingId)).erased_at).toBe(
      erasedAnswerSchema.parse(answer.body).erased_at,
    );
  });

  it('answers 404 for an onboarding it does not know, and 400 for an id that is not one', async () => {
    expect((await erase('0f5f8a57-7a0e-4e7b-9d8e-2c0b6a3f1e11')).status).toBe(404);
    expect((await erase('not-an-id')).status).toBe(400);
  });

  it('leaves, once every journey of this file is erased, none of their personal data in any table', async () => {
    expect(personal.size).toBeGreaterThan(5);
    const items = await everyItem();
    expect(items.length).toBeGreaterThan(0);
    const text = JSON.stringify(items);
    for (const value of personal) expect(text, value).not.toContain(value);
  });
});
