import { DomainError } from '../commons/errors.ts';
import { CONFIGURATIONS, type ConfigurationShape, describeShape } from './configurations.ts';

/** The body is valid field by field but combines them in a way TrueLayer does not support. */
export class UnsupportedConfigurationError extends DomainError {
  override readonly name = 'UnsupportedConfigurationError';
  readonly kind = 'invalid_request';

  constructor(shape: ConfigurationShape) {
    const described = describeShape(shape);
    super(
      `${described} is not a supported combination. TrueLayer supports five configurations: ${CONFIGURATIONS.map(
        (c) => `${c.configuration} (${describeShape(c)})`,
      ).join('; ')}.`,
      {
        extensions: {
          errors: [
            {
              field: '(configuration)',
              message: `${described} is not one of the five supported configurations`,
            },
          ],
          supported_configurations: CONFIGURATIONS.map((c) => ({
            configuration: c.configuration,
            summary: c.summary,
            provider_selection_type: c.provider_selection,
            user_consent_type: c.user_consent,
            hosted_page_type: c.hosted_page === 'none' ? null : c.hosted_page,
            authorization_flow: c.authorization_flow,
          })),
        },
      },
    );
  }
}

export class ConnectionNotFoundError extends DomainError {
  override readonly name = 'ConnectionNotFoundError';
  readonly kind = 'not_found';

  constructor() {
    // The id is not echoed: on the browser return leg it comes from the query string.
    super('No connection with this id.');
  }
}

/** An Idempotency-Key came back with a different body, or while its first request is still running. */
export class IdempotencyKeyConflictError extends DomainError {
  override readonly name = 'IdempotencyKeyConflictError';
  readonly kind = 'conflict';
}

/**
 * TrueLayer created the connection but its next step has no URI to send the
 * user to (`consent`, `wait`, `form`, `provider_selection` in TrueLayer's other
 * v3 flows). The product relays redirects only; its answer's fixed sentence
 * (http/problem.ts) says what the integrator can do instead, and its
 * extensions name the connection and the step.
 */
export class NextActionUnsupportedError extends DomainError {
  override readonly name = 'NextActionUnsupportedError';
  readonly kind = 'upstream_rejected';

  constructor(connectionId: string, actionType: string | undefined) {
    const action = actionType === undefined ? 'an action with no type' : `a "${actionType}" action`;
    super(
      `TrueLayer created connection ${connectionId}, but its next step is ${action} with no URI to send the ` +
        'user to. This product relays redirect steps only. Use a configuration in which TrueLayer hosts the ' +
        'journey (hosted_page.type authorization_flow), or carry out this step through TrueLayer’s ' +
        'authorization-flow actions yourself with this connection id.',
      {
        extensions: {
          connection_id: connectionId,
          next_action: actionType ?? null,
          supported_next_actions: ['redirect'],
        },
        serverProblem: 'truelayer_next_action_unsupported',
      },
    );
  }
}

/** Why a connection's data cannot be read now. */
export type DataUnavailableReason =
  | 'not_authorized'
  | 'scope_missing'
  | 'access_lapsed'
  | 'sca_window_passed';

/**
 * The connection's data (its accounts, its user info) cannot be read: it is
 * not authorised (yet, or any more), it was created without the scope the
 * data needs, TrueLayer no longer grants access (the consent lapsed or was
 * revoked; the user must connect again), or, for user info, the five minutes
 * after the user authenticated are over. The answer says which, and the
 * connection's status.
 */
export class ConnectionDataUnavailableError extends DomainError {
  override readonly name = 'ConnectionDataUnavailableError';
  readonly kind = 'conflict';

  constructor(why: DataUnavailableReason, status: string, scope: 'accounts' | 'info' = 'accounts') {
    const messages: Record<DataUnavailableReason, string> = {
      not_authorized: `The connection is ${status}: its data can be read once it is authorized.`,
      scope_missing: `The connection was created without the ${scope} scope.`,
      access_lapsed: 'TrueLayer no longer grants access to this connection: the user must connect again.',
      sca_window_passed:
        'TrueLayer answers user info only in the 5 minutes after the user authenticated at their bank: ' +
        'read it right after the return, or have the user connect again.',
    };
    super(messages[why], { extensions: { connection_status: status, reason: why } });
  }
}
