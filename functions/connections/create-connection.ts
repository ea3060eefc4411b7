import { DetailTypes } from '../events/contracts.ts';
import { envelopeFor } from '../events/envelope.ts';
import type { PublishEvent } from '../events/publisher.ts';
import { TrueLayerContractError } from '../truelayer/errors.ts';
import { CONFIGURATIONS, type ConnectionConfiguration } from './configurations.ts';
import type { ConnectionRecord } from './model.ts';
import type { ConnectionRepository } from './repository.ts';
import type { ConnectionRequest } from './request.ts';
import type { CreatedDataConnection, DataConnectionsClient } from './truelayer-client.ts';

export interface CreateConnectionSettings {
  /** The product's public `GET /connections/return`, registered with TrueLayer as a return URI. */
  returnUrl: string;
  retentionDays: number;
}

export interface CreateConnectionDependencies {
  trueLayer: DataConnectionsClient;
  repository: Pick<ConnectionRepository, 'create'>;
  publish: PublishEvent;
  settings: CreateConnectionSettings;
  now: () => Date;
  newId: () => string;
}

export interface CreateConnectionInput {
  request: ConnectionRequest;
  configuration: ConnectionConfiguration;
  /** Sent to TrueLayer as `Idempotency-Key`; stable across the caller's retries when they give one. */
  trueLayerIdempotencyKey: string;
  endUserIp?: string;
}

/** What `POST /connections` answers: the connection and where to send the user now. */
export interface CreatedConnection {
  onboarding_id: string;
  connection_id: string;
  user: { id: string };
  status: 'authorization_required' | 'authorizing';
  configuration: ConnectionConfiguration;
  data_access_type: ConnectionRequest['data_access_type'];
  /** The one URI to send the user to, whichever of the two fields below carries it. */
  redirect_to: string;
  hosted_page?: { uri: string };
  authorization_flow?: { actions: { next: { type: string; uri: string } } };
}

/**
 * The body sent to TrueLayer: the caller's request with the return URI
 * replaced by the product's own, so that the user's return passes through the
 * product (which records it) before going on to the caller's page.
 */
export function trueLayerBody(request: ConnectionRequest, returnUrl: string): ConnectionRequest {
  if (request.hosted_page) {
    return { ...request, hosted_page: { ...request.hosted_page, return_uri: returnUrl } };
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
  return request.hosted_page?.return_uri ?? request.authorization_flow?.redirect?.return_uri;
}

/** Where the user goes next, from the field TrueLayer fills for this configuration. */
function nextUri(configuration: ConnectionConfiguration, created: CreatedDataConnection): string {
  const expected = CONFIGURATIONS.find((c) => c.configuration === configuration)?.next;
  const uri =
    expected === 'hosted_page.uri' ? created.hosted_page?.uri : created.authorization_flow?.actions.next.uri;
  if (!uri) {
    throw new TrueLayerContractError(`create data connection: the response carries no ${expected}`);
  }
  return uri;
}

const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);

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
  const created = await deps.trueLayer.create(trueLayerBody(request, deps.settings.returnUrl), {
    idempotencyKey: input.trueLayerIdempotencyKey,
    ...(input.endUserIp === undefined ? {} : { endUserIp: input.endUserIp }),
  });
  const redirectTo = nextUri(configuration, created);
  const now = deps.now();
  const returnUri = callerReturnUri(request);
  const providerId = request.provider_selection.provider_id;
  const fresh: ConnectionRecord = {
    onboarding_id: deps.newId(),
    connection_id: created.id,
    truelayer_user_id: created.user.id,
    status: created.status,
    configuration,
    scopes: request.scopes,
    data_access_type: request.data_access_type,
    ...(providerId === undefined ? {} : { provider_id: providerId }),
    ...(returnUri === undefined ? {} : { return_uri: returnUri }),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    timeline: [{ at: now.toISOString(), step: 'connection_created', detail: configuration }],
  };
  const record = await deps.repository.create(fresh, addDays(now, deps.settings.retentionDays));
  await deps.publish(DetailTypes.dataConnectionCreated, {
    ...envelopeFor(record, DetailTypes.dataConnectionCreated, new Date(record.created_at)),
    connection_id: record.connection_id,
    truelayer_user_id: record.truelayer_user_id,
    status: created.status,
    configuration: record.configuration,
    scopes: record.scopes,
    data_access_type: record.data_access_type,
    ...(record.provider_id === undefined ? {} : { provider_id: record.provider_id }),
  });
  return {
    onboarding_id: record.onboarding_id,
    connection_id: record.connection_id,
    user: { id: record.truelayer_user_id },
    status: created.status,
    configuration: record.configuration,
    data_access_type: record.data_access_type,
    redirect_to: redirectTo,
    ...(created.hosted_page ? { hosted_page: created.hosted_page } : {}),
    ...(created.authorization_flow ? { authorization_flow: created.authorization_flow } : {}),
  };
}
