import { type FieldProblem, RequestValidationError } from '../commons/errors.ts';
import { addDays, addSeconds } from '../commons/time.ts';
import { DetailTypes } from '../contract/events.ts';
import type { CreatedConnection } from '../contract/responses.ts';
import { envelopeFor } from '../events/envelope.ts';
import { stableEventId } from '../events/event-id.ts';
import type { PublishEvent } from '../events/publisher.ts';
import { resourceKey } from '../onboarding/create-onboarding.ts';
import { recordJourneyStarted } from '../onboarding/journey-metrics.ts';
import type { Onboarding } from '../onboarding/model.ts';
import type { OnboardingRepository } from '../onboarding/repository.ts';
import { TrueLayerContractError } from '../truelayer/errors.ts';
import { CONFIGURATIONS, type ConnectionConfiguration } from './configurations.ts';
import { NextActionUnsupportedError, UnsupportedConfigurationError } from './errors.ts';
import type { ConnectionRecord } from './model.ts';
import type { ConnectionRepository } from './repository.ts';
import { type ConnectionRequest, checkConnectionRequest, type ValidationSettings } from './request.ts';
import type { CreatedDataConnection, DataConnectionsClient } from './truelayer-client.ts';

export interface CreateConnectionSettings {
  /** The product's public `GET /connections/return`, registered with TrueLayer as a return URI. */
  returnUrl: string;
  retentionDays: number;
  /** How long the user has to authorise the connection before it is asked about, then expired. */
  linkTtlSeconds: number;
}

export interface CreateConnectionDependencies {
  trueLayer: Pick<DataConnectionsClient, 'create'>;
  repository: Pick<ConnectionRepository, 'create'>;
  /** The connection flow's onboarding record, written before the connection's own. */
  onboardings: Pick<OnboardingRepository, 'create'>;
  publish: PublishEvent;
  settings: CreateConnectionSettings;
  now: () => Date;
}

export interface CreateConnectionInput {
  request: ConnectionRequest;
  configuration: ConnectionConfiguration;
  /** Sent to TrueLayer as `Idempotency-Key`; stable across the caller's retries when they give one. */
  trueLayerIdempotencyKey: string;
  endUserIp?: string;
}

/** What `POST /connections` answers: the connection and where to send the user now. */
/**
 * The request a create call may go ahead with: every rule holds, and so did
 * the caller's headers (`headerProblems`), which are reported together with
 * the body's so that one answer lists everything to fix. A valid request in a
 * shape TrueLayer does not support is refused as such.
 */
export function acceptConnectionRequest(
  body: unknown,
  headerProblems: readonly FieldProblem[],
  settings: ValidationSettings,
): { request: ConnectionRequest; configuration: ConnectionConfiguration } {
  const check = checkConnectionRequest(body, settings);
  const problems = [...headerProblems, ...(!check.ok && check.reason === 'invalid' ? check.problems : [])];
  if (problems.length > 0) throw new RequestValidationError(problems);
  if (!check.ok) {
    if (check.reason === 'unsupported_configuration') throw new UnsupportedConfigurationError(check.shape);
    throw new RequestValidationError(check.problems);
  }
  return { request: check.request, configuration: check.configuration };
}

/** The query parameter of the product's return URL that names the journey when the user comes back. */
export const RETURN_REFERENCE_PARAMETER = 'onboarding_id';

/**
 * The product's return URL for one journey: its own reference rides in the
 * query, so that the return is matched to the journey whatever TrueLayer
 * appends (what it appends is undocumented, docs/conformance.md).
 */
export function returnUrlFor(returnUrl: string, onboardingId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set(RETURN_REFERENCE_PARAMETER, onboardingId);
  return url.toString();
}

/**
 * The journey's id. It follows from the idempotency key sent to TrueLayer, so a
 * retried request sends TrueLayer the same body (same return URL) and finds
 * the same connection.
 */
export const connectionOnboardingId = (trueLayerIdempotencyKey: string) =>
  stableEventId('data-connection-onboarding', trueLayerIdempotencyKey);

/**
 * The body sent to TrueLayer: the caller's request with the return URI
 * replaced by the product's own, so that the user's return passes through the
 * product (which records it) before going on to the caller's page.
 */
export function trueLayerBody(
  { signup_plus: _signupPlus, ...request }: ConnectionRequest,
  returnUrl: string,
): Omit<ConnectionRequest, 'signup_plus'> {
  if (request.hosted_page) {
    // The table's form: the return URI directly under hosted_page, never under a `redirect`.
    const { redirect: _redirect, ...hostedPage } = request.hosted_page;
    return { ...request, hosted_page: { ...hostedPage, return_uri: returnUrl } };
  }
  if (request.authorization_flow) {
    return {
      ...request,
      authorization_flow: {
        ...request.authorization_flow,
        redirect: { ...request.authorization_flow.redirect, return_uri: returnUrl },
      },
    };
  }
  return request;
}

/** The caller's own return page, if they gave one. */
function callerReturnUri(request: ConnectionRequest): string | undefined {
  return (
    request.hosted_page?.return_uri ??
    request.hosted_page?.redirect?.return_uri ??
    request.authorization_flow?.redirect?.return_uri
  );
}

interface NextStep {
  redirectTo: string;
  hostedPage?: { uri: string };
  authorizationFlow?: { actions: { next: { type: string; uri: string } } };
}

/**
 * Where the user goes next, from the field TrueLayer fills for this
 * configuration. A `next` action without a URI is not a broken answer but a
 * step the integrator's own UI must take: it is refused with a problem that
 * says so (NextActionUnsupportedError).
 */
function nextStep(configuration: ConnectionConfiguration, created: CreatedDataConnection): NextStep {
  const expected = CONFIGURATIONS.find((c) => c.configuration === configuration)?.next;
  if (expected === 'hosted_page.uri') {
    const uri = created.hosted_page?.uri;
    if (!uri)
      throw new TrueLayerContractError('create data connection: the answer carries no hosted_page.uri');
    return { redirectTo: uri, hostedPage: { uri } };
  }
  const next = created.authorization_flow?.actions?.next;
  if (!next?.uri) throw new NextActionUnsupportedError(created.id, next?.type);
  return {
    redirectTo: next.uri,
    authorizationFlow: { actions: { next: { type: next.type ?? 'redirect', uri: next.uri } } },
  };
}

/** TrueLayer's status at creation; absent or unknown, the one its configuration documents. */
function createdStatus(
  configuration: ConnectionConfiguration,
  created: CreatedDataConnection,
): CreatedConnection['status'] {
  const status = created.status?.toLowerCase();
  if (status === 'authorization_required' || status === 'authorizing') return status;
  const expected = CONFIGURATIONS.find((c) => c.configuration === configuration)?.next;
  return expected === 'hosted_page.uri' ? 'authorization_required' : 'authorizing';
}

/**
 * Creates the connection at TrueLayer, records it and announces it. A retry
 * that reaches TrueLayer with the same idempotency key gets the same
 * connection, finds it stored, and republishes the same event id.
 */
export async function createConnection(
  input: CreateConnectionInput,
  deps: CreateConnectionDependencies,
): Promise<CreatedConnection> {
  const { request, configuration } = input;
  const onboardingId = connectionOnboardingId(input.trueLayerIdempotencyKey);
  const returnUrl = returnUrlFor(deps.settings.returnUrl, onboardingId);
  const created = await deps.trueLayer.create(trueLayerBody(request, returnUrl), {
    idempotencyKey: input.trueLayerIdempotencyKey,
    ...(input.endUserIp === undefined ? {} : { endUserIp: input.endUserIp }),
  });
  const next = nextStep(configuration, created);
  const status = createdStatus(configuration, created);
  const now = deps.now();
  const returnUri = callerReturnUri(request);
  const providerId = request.provider_selection.provider_id;
  const fresh: ConnectionRecord = {
    onboarding_id: onboardingId,
    connection_id: created.id,
    truelayer_user_id: created.user.id,
    status,
    configuration,
    scopes: request.scopes,
    data_access_type: request.data_access_type,
    ...(providerId === undefined ? {} : { provider_id: providerId }),
    ...(returnUri === undefined ? {} : { return_uri: returnUri }),
    ...(request.signup_plus ? { signup_plus: true as const } : {}),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    timeline: [{ at: now.toISOString(), step: 'connection_created', detail: configuration }],
  };
  if (request.signup_plus) {
    // First, so that a stored connection always has its onboarding: the return finds both.
    await createSignupPlusOnboarding(fresh, deps);
  }
  const record = await deps.repository.create(
    fresh,
    addDays(now, deps.settings.retentionDays),
    addSeconds(now, deps.settings.linkTtlSeconds),
  );
  await deps.publish(DetailTypes.dataConnectionCreated, {
    ...envelopeFor(record, DetailTypes.dataConnectionCreated, new Date(record.created_at)),
    connection_id: record.connection_id,
    truelayer_user_id: record.truelayer_user_id,
    status,
    configuration: record.configuration,
    scopes: record.scopes,
    data_access_type: record.data_access_type,
    ...(record.provider_id === undefined ? {} : { provider_id: record.provider_id }),
  });
  return {
    onboarding_id: record.onboarding_id,
    connection_id: record.connection_id,
    user: { id: record.truelayer_user_id },
    status,
    configuration: record.configuration,
    data_access_type: record.data_access_type,
    ...(record.signup_plus ? { signup_plus: true } : {}),
    redirect_to: next.redirectTo,
    ...(next.hostedPage ? { hosted_page: next.hostedPage } : {}),
    ...(next.authorizationFlow ? { authorization_flow: next.authorizationFlow } : {}),
  };
}

/**
 * The connection flow's onboarding: the same id as the connection's journey,
 * waiting for the user to authorise the connection, due (for the reconciler)
 * when the link runs out. A retried create writes the same record again,
 * which counts as written.
 */
async function createSignupPlusOnboarding(
  connection: ConnectionRecord,
  deps: CreateConnectionDependencies,
): Promise<void> {
  const now = new Date(connection.created_at);
  const onboarding: Onboarding = {
    onboarding_id: connection.onboarding_id,
    flow: 'connection',
    status: 'awaiting_authorization',
    created_at: connection.created_at,
    updated_at: connection.created_at,
    auth_link_expires_at: addSeconds(now, deps.settings.linkTtlSeconds).toISOString(),
    timeline: [{ at: connection.created_at, step: 'onboarding_created' }],
    connection: { connection_id: connection.connection_id },
  };
  await deps.onboardings.create(
    onboarding,
    resourceKey('connection', connection.connection_id),
    {},
    addDays(now, deps.settings.retentionDays),
  );
  recordJourneyStarted(onboarding);
}
