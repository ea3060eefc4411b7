/**
 * The direct baseline: what the onboarding does, written as one plain
 * function with no workflow, no state checks and no intermediate records.
 * It exchanges the code at the simulator's /connect/token, reads
 * /signup-plus/accounts (and the chosen account for jane), writes the
 * finished onboarding item and publishes Ready For Payment, through the same
 * SDK client instances and TrueLayer transport the product's functions use,
 * against the same dynalite, bus and simulator. The product's overhead is
 * measured against it.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DetailTypes, EVENT_SOURCE, readyForPaymentDetailSchema } from '../functions/contract/events.ts';
import { envelopeFor } from '../functions/events/envelope.ts';
import { tokenResponseSchema } from '../functions/truelayer/common-schemas.ts';
import { sendToTrueLayer, type TrueLayerRequest } from '../functions/truelayer/http.ts';
import { multipleAccountsSchema, signupPlusIdentitySchema } from '../functions/truelayer/schemas.ts';
import type { LocalStack } from '../local/stack.ts';
import {
  type ApiCounter,
  authorize,
  createOnboarding,
  type EventClock,
  JOURNEY_TIMEOUT_MS,
} from './journeys.ts';

export interface BaselineSettings {
  authUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tableName: string;
  /** Where the product keeps the journeys' secrets (the PKCE verifier is read from there). */
  secretsTableName: string;
  busName: string;
  /** The product's own module-scope clients (same instances, same connection pools). */
  documents: DynamoDBDocumentClient;
  events: EventBridgeClient;
}

/**
 * What the stack set for its functions, read back once it has started. The
 * client modules are imported only now, after the stack has set the endpoint
 * variables, exactly as the functions load them (and they are the same
 * module instances, so the same clients).
 */
export async function baselineSettings(stack: LocalStack, clientSecret: string): Promise<BaselineSettings> {
  const { documentClient } = await import('../functions/commons/clients/dynamodb.ts');
  const { eventBridgeClient } = await import('../functions/commons/clients/eventbridge.ts');
  const env = z
    .object({
      TRUELAYER_CLIENT_ID: z.string().min(1),
      TRUELAYER_REDIRECT_URI: z.url(),
      EVENT_BUS_NAME: z.string().min(1),
    })
    .parse(process.env);
  return {
    authUrl: stack.urls.truelayer_auth,
    apiUrl: stack.urls.truelayer_api,
    clientId: env.TRUELAYER_CLIENT_ID,
    clientSecret,
    redirectUri: env.TRUELAYER_REDIRECT_URI,
    tableName: stack.tables.onboardings,
    secretsTableName: stack.tables.secrets,
    busName: env.EVENT_BUS_NAME,
    documents: documentClient,
    events: eventBridgeClient,
  };
}

export interface BaselineSteps {
  tokenMs: number;
  accountsMs: number;
  putItemMs: number;
  putEventsMs: number;
}

/**
 * TrueLayer through the product's own HTTP transport, as the SDK calls go
 * through the product's own clients: the comparison is about the workflow,
 * not about which HTTP client each side uses.
 */
async function getJson(url: string, request: TrueLayerRequest): Promise<unknown> {
  const response = await sendToTrueLayer(url, request, {
    timeoutMs: JOURNEY_TIMEOUT_MS,
    operation: 'baseline',
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.body;
}

/** The whole onboarding, done directly. Returns how long each step took. */
export async function directOnboarding(
  settings: BaselineSettings,
  onboardingId: string,
  code: { code: string; codeVerifier: string },
  accountId?: string,
): Promise<BaselineSteps> {
  const t0 = performance.now();
  const token = tokenResponseSchema.parse(
    await getJson(`${settings.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code.code,
        code_verifier: code.codeVerifier,
        redirect_uri: settings.redirectUri,
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
      }).toString(),
    }),
  );
  const t1 = performance.now();
  const bearer = { authorization: `Bearer ${token.access_token}`, accept: 'application/json' };
  let body = await getJson(`${settings.apiUrl}/signup-plus/accounts`, { method: 'GET', headers: bearer });
  if (accountId !== undefined && multipleAccountsSchema.safeParse(body).success) {
    const url = new URL('/signup-plus/accounts', `${settings.apiUrl}/`);
    url.searchParams.set('account_id', accountId);
    body = await getJson(url.toString(), { method: 'GET', headers: bearer });
  }
  const { account_details: account, ...user } = signupPlusIdentitySchema.parse(body);
  const t2 = performance.now();
  const now = new Date();
  const at = now.toISOString();
  await settings.documents.send(
    new PutCommand({
      TableName: settings.tableName,
      Item: {
        pk: `ONBOARDING#${onboardingId}`,
        sk: 'PROFILE',
        onboarding_id: onboardingId,
        status: 'completed',
        created_at: at,
        updated_at: at,
        auth_link_expires_at: at,
        timeline: [
          { at, step: 'onboarding_created' },
          { at, step: 'user_authorized' },
          { at, step: 'code_exchanged' },
          { at, step: 'identity_stored' },
          { at, step: 'ready_for_payment' },
        ],
        user,
        account,
        expires_at_ttl: Math.floor(now.getTime() / 1000) + 30 * 86_400,
      },
    }),
  );
  const t3 = performance.now();
  const detail = readyForPaymentDetailSchema.parse({
    ...envelopeFor({ onboarding_id: onboardingId }, DetailTypes.readyForPayment, now),
    user,
    account,
  });
  const published = await settings.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: settings.busName,
          Source: EVENT_SOURCE,
          DetailType: DetailTypes.readyForPayment,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (published.FailedEntryCount) throw new Error('PutEvents refused the ready event');
  const t4 = performance.now();
  return { tokenMs: t1 - t0, accountsMs: t2 - t1, putItemMs: t3 - t2, putEventsMs: t4 - t3 };
}

export interface BaselineJourney {
  onboardingId: string;
  latencyMs: number;
  journeyMs: number;
  steps: BaselineSteps;
}

/**
 * The same journey as the product's up to the redirect (create, approve at
 * the bank); from there the direct function replaces callback and workflow.
 * Timed from the moment the code is in hand to the ready event's arrival.
 */
export async function runBaselineJourney(
  stack: LocalStack,
  clock: EventClock,
  settings: BaselineSettings,
  user: string,
  options: { accountId?: string; api?: ApiCounter } = {},
): Promise<BaselineJourney> {
  const journeyStarted = performance.now();
  const created = await createOnboarding(stack, options.api);
  const redirectTo = new URL(await authorize(stack, created.authLink, user));
  const code = redirectTo.searchParams.get('code');
  if (!code) throw new Error('the bank sent no code');
  // The link carries the product's PKCE challenge: the direct function needs its verifier (read untimed).
  const { Item } = await settings.documents.send(
    new GetCommand({
      TableName: settings.secretsTableName,
      Key: { pk: `ONBOARDING#${created.onboardingId}`, sk: 'SECRETS' },
    }),
  );
  const codeVerifier = typeof Item?.code_verifier === 'string' ? Item.code_verifier : '';
  const started = performance.now();
  const steps = await directOnboarding(
    settings,
    created.onboardingId,
    { code, codeVerifier },
    options.accountId,
  );
  const ready = await clock.wait(created.onboardingId, [DetailTypes.readyForPayment]);
  clock.forget(created.onboardingId);
  return {
    onboardingId: created.onboardingId,
    latencyMs: ready.at - started,
    journeyMs: ready.at - journeyStarted,
    steps,
  };
}
