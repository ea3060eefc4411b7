import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../functions/onboarding/state-token.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  startJourney,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
let sfn: SFNClient;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'eu-west-2', credentials }),
  );
  sfn = new SFNClient({ endpoint: stack.urls.stepfunctions, region: 'eu-west-2', credentials });
});

afterAll(async () => {
  await stack?.close();
});

async function executionsOf(onboardingId: string) {
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn }),
  );
  return executions.filter((execution) => execution.name === onboardingId);
}

async function storedItem(onboardingId: string, sk: 'PROFILE' | 'SECRETS') {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: sk === 'SECRETS' ? stack.tables.secrets : stack.tables.onboardings,
      Key: { pk: `ONBOARDING#${onboardingId}`, sk },
    }),
  );
  return Item;
}

describe('single-account Signup+ journey', () => {
  it('takes john from auth link to a published Ready For Payment event', async () => {
    // Prepare
    const created = await createOnboarding(stack, { reference: 'customer-42' });
    const authLink = new URL(created.auth_link);

    // Act
    const redirectTo = await authorize(stack, created.auth_link, 'john');
    const callback = await followRedirect(redirectTo);
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    // Assess: the auth link is TrueLayer's, for this client, with signupplus and a state
    expect(`${authLink.protocol}//${authLink.host}`).toBe(stack.urls.truelayer_auth);
    expect(authLink.searchParams.get('response_type')).toBe('code');
    expect(authLink.searchParams.get('client_id')).toBeTruthy();
    expect(authLink.searchParams.get('scope')?.split(' ')).toContain('signupplus');
    expect(authLink.searchParams.get('redirect_uri')).toBe(`${stack.urls.api}/callback`);
    expect(authLink.searchParams.get('providers')).toContain('uk-cs-mock');
    expect(authLink.searchParams.get('state')?.length).toBeGreaterThanOrEqual(43);

    // the state is kept only as its SHA-256: no stored item holds the value itself
    const state = authLink.searchParams.get('state') ?? '';
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: stack.tables.onboardings }));
    expect(JSON.stringify(Items)).not.toContain(state);
    expect(Items.some((item) => item.pk === `STATE#${sha256(state)}`)).toBe(true);

    // the callback sends the browser to the return page with the onboarding id and nothing secret
    expect(callback.status).toBe(302);
    const location = new URL(callback.headers.get('location') ?? '');
    expect(location.searchParams.get('onboarding_id')).toBe(created.onboarding_id);
    expect(location.searchParams.has('code')).toBe(false);

    expect(done.status).toBe('completed');
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'code_exchanged',
      'identity_stored',
      'ready_for_payment',
    ]);

    // the record holds the identity and account; the secrets are gone
    const profile = await storedItem(created.onboarding_id, 'PROFILE');
    expect(profile).toMatchObject({
      status: 'completed',
      reference: 'customer-42',
      user: {
        first_name: expect.any(String),
        last_name: expect.any(String),
        date_of_birth: expect.any(String),
      },
      account: {
        provider_id: expect.any(String),
        sort_code: expect.any(String),
        account_number: expect.any(String),
      },
    });
    expect((await executionEnded(stack, created.onboarding_id)).status).toBe('SUCCEEDED');
    expect(await statesVisited(stack, created.onboarding_id)).toEqual(['LinkAccounts', 'WhatNext', 'Ended']);
    expect(await storedItem(created.onboarding_id, 'SECRETS')).toBeUndefined();

    // exactly one Ready For Payment event, carrying what a payment needs
    const events = await eventually(
      async () => stack.events(created.onboarding_id),
      (list) => list.length > 0,
      { what: 'the ready event' },
    );
    expect(events.map((event) => event['detail-type'])).toEqual(['Onboarding Ready For Payment']);
    const [ready] = events;
    expect(ready?.source).toBe('signupplus.onboarding');
    expect(ready?.detail).toMatchObject({
      schema_version: '1',
      onboarding_id: created.onboarding_id,
      reference: 'customer-42',
      user: profile?.user,
      account: profile?.account,
    });

    // the same events through the automation endpoint
    const viaHttp = await requestJson(
      'GET',
      `${stack.urls.api}/_local/events?onboarding_id=${created.onboarding_id}`,
    );
    expect(viaHttp.body).toEqual(events);

    const [execution] = await executionsOf(created.onboarding_id);
    expect(execution?.status).toBe('SUCCEEDED');
  });

  it('records a denial as failed, publishes Onboarding Failed and starts no workflow', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john', 'deny');
    expect(new URL(redirectTo).searchParams.get('error')).toBe('access_denied');

    const callback = await followRedirect(redirectTo);

    expect(callback.status).toBe(302);
    const location = new URL(callback.headers.get('location') ?? '');
    expect(location.searchParams.get('onboarding_id')).toBe(created.onboarding_id);
    expect(location.searchParams.get('outcome')).toBe('denied');
    const view = await waitForStatus(stack, created.onboarding_id, ['failed']);
    expect(view.failure?.reason).toBe('access_denied');
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Failed',
    ]);
    expect(await executionsOf(created.onboarding_id)).toHaveLength(0);
  });

  it('records a failed bank login as bank_login_failed, not as the user declining', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'error.wrong_credentials', 'approve');
    expect(new URL(redirectTo).searchParams.get('error')).toBe('access_denied');

    const callback = await followRedirect(redirectTo);

    expect(callback.status).toBe(302);
    const view = await waitForStatus(stack, created.onboarding_id, ['failed']);
    expect(view.failure).toMatchObject({
      reason: 'bank_login_failed',
      detail: expect.not.stringMatching(/declined/),
      oauth: { error: 'access_denied', description: 'The bank rejected the login credentials' },
    });
    const [event] = stack.events(created.onboarding_id);
    expect(event?.detail).toMatchObject({ failure: { reason: 'bank_login_failed' } });
  });

  it('refuses an unknown state with a clear page and starts nothing', async () => {
    const before = stack.stepFunctions.executions().length;

    const page = await followRedirect(`${stack.urls.api}/callback?code=abc&state=not-a-state-we-issued`);
    const json = await followRedirect(
      `${stack.urls.api}/callback?code=abc&state=not-a-state-we-issued`,
      'application/json',
    );

    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('not recognised');
    expect(json.status).toBe(400);
    expect(json.headers.get('content-type')).toBe('application/problem+json');
    expect(await json.json()).toMatchObject({ status: 400, state_problem: 'unknown' });
    expect(stack.stepFunctions.executions()).toHaveLength(before);
  });

  it('refuses a callback without state', async () => {
    const response = await followRedirect(`${stack.urls.api}/callback?code=abc`, 'application/json');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ state_problem: 'missing' });
  });

  it('refuses a state replayed with another code, and starts nothing more', async () => {
    const { redirectTo, onboardingId } = await startJourney(stack, 'john');
    await waitForStatus(stack, onboardingId, ['completed']);
    const replay = new URL(redirectTo);
    replay.searchParams.set('code', 'a-different-code');

    const response = await followRedirect(replay.toString(), 'application/json');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ state_problem: 'already_used' });
    expect(await executionsOf(onboardingId)).toHaveLength(1);
  });

  it('treats a repeated identical callback as the same journey: one execution, one event', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');

    const answers = await Promise.all(Array.from({ length: 5 }, () => followRedirect(redirectTo)));
    await waitForStatus(stack, created.onboarding_id, ['completed']);
    const late = await followRedirect(redirectTo);

    for (const answer of [...answers, late]) {
      expect(answer.status).toBe(302);
      expect(new URL(answer.headers.get('location') ?? '').searchParams.get('onboarding_id')).toBe(
        created.onboarding_id,
      );
    }
    expect(await executionsOf(created.onboarding_id)).toHaveLength(1);
    await stack.bus.drain();
    expect(
      stack.events(created.onboarding_id).filter((e) => e['detail-type'] === 'Onboarding Ready For Payment'),
    ).toHaveLength(1);
  });

  it('answers 404 for an unknown onboarding and 400 for a malformed id', async () => {
    const unknown = await requestJson(
      'GET',
      `${stack.urls.api}/onboardings/5f0c6c8e-4a53-4a8e-9a57-1b8f0f0b7a11`,
    );
    const malformed = await requestJson('GET', `${stack.urls.api}/onboardings/not-an-id`);

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ errors: [{ field: 'id' }] });
  });

  it('lists the local URLs for automation', async () => {
    const response = await requestJson('GET', `${stack.urls.api}/_local/urls`);
    expect(response.body).toMatchObject({
      api: stack.urls.api,
      truelayer_auth: stack.urls.truelayer_auth,
      truelayer_api: stack.urls.truelayer_api,
    });
  });
});
