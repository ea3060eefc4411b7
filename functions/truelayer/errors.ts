import { DomainError } from '../commons/errors.ts';
import type { TrueLayerSupport } from '../commons/failure.ts';
import { WorkflowErrorNames } from '../contract/workflow-errors.ts';

/**
 * Error names are a contract with statemachines/onboarding.asl.json: its Retry
 * rules list the retriable ones by name (RETRIABLE_TRUELAYER_ERRORS).
 * test/unit/asl-contract.test.ts keeps both sides in step. Each name stands
 * for one thing an integrator does about it (docs/events.md, "Failure
 * reasons"); failures.ts turns each into its reason.
 */
export const TrueLayerErrorNames = {
  /** Retry: TrueLayer or the bank is briefly unavailable. */
  unavailable: WorkflowErrorNames.trueLayerUnavailable,
  /** Send the user through their bank again: the token, grant or consent is no longer valid. */
  reconnect: 'TrueLayerReconnectRequiredError',
  /** This user cannot use Signup+: joint account, no data, bank not supported. */
  notEligible: 'SignupPlusNotEligibleError',
  /** TrueLayer refused the request as it was sent: an operator should look. */
  rejected: 'TrueLayerRejectedError',
  /** TrueLayer answered in a shape the product cannot read. */
  contract: 'TrueLayerContractError',
  /** Signup+ answered, but without what a payment needs. */
  identityIncomplete: 'IdentityIncompleteError',
} as const;
export type TrueLayerErrorName = (typeof TrueLayerErrorNames)[keyof typeof TrueLayerErrorNames];

/** The names the state machine retries: only unavailability. Everything else ends the journey at once. */
export const RETRIABLE_TRUELAYER_ERRORS: readonly TrueLayerErrorName[] = [TrueLayerErrorNames.unavailable];

interface TrueLayerErrorOptions {
  cause?: unknown;
  /** What TrueLayer said about the call (status, title, trace and correlation ids). */
  truelayer?: TrueLayerSupport | undefined;
}

/**
 * Base of every error about a TrueLayer call. Messages name the call and the
 * status TrueLayer answered, never TrueLayer's text, a code, a token or
 * personal data: they reach logs and the API's answers. What TrueLayer said
 * (status, title, trace and correlation ids) is in `truelayer`, which the API
 * answers carry as an extension of the problem, so that an integrator can
 * quote it to TrueLayer Support.
 */
export abstract class TrueLayerError extends DomainError {
  /** Kept for TrueLayer Support; none of it is personal data. */
  readonly truelayer: TrueLayerSupport | undefined;

  constructor(message: string, options: TrueLayerErrorOptions = {}) {
    super(message, {
      cause: options.cause,
      extensions: options.truelayer ? { truelayer: options.truelayer } : {},
    });
    this.truelayer = options.truelayer;
  }
}

/**
 * TrueLayer could not answer now: network error, timeout, 429 or 5xx
 * (except `Feature Not Supported`), or a body that cannot be read. Worth
 * retrying; `retryAfterSeconds` carries Retry-After.
 */
export class TrueLayerUnavailableError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.unavailable;
  readonly kind = 'upstream_unavailable';
  readonly retryAfterSeconds: number | undefined;
  /**
   * False only when TrueLayer cannot have acted on the request: the connection
   * was never made, or it answered 429 or 503. A timeout, a dropped answer,
   * another 5xx or a garbled body leave it unknown (true): a request that must
   * not happen twice (a code exchange) is then not resent.
   */
  readonly mayHaveTakenEffect: boolean;

  constructor(
    message: string,
    options: TrueLayerErrorOptions & { retryAfterSeconds?: number; mayHaveTakenEffect?: boolean } = {},
  ) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.mayHaveTakenEffect = options.mayHaveTakenEffect ?? true;
  }
}

/**
 * The user must go through their bank again: the access token or grant is no
 * longer valid (401, `invalid_grant`), access was refused or revoked (403), or
 * the connection is no longer authorised (`Invalid State`).
 */
export class TrueLayerReconnectRequiredError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.reconnect;
  readonly kind = 'upstream_rejected';
}

/** Why Signup+ cannot serve this user, as TrueLayer's documented problems say. */
export type IneligibilityCause = 'user_data_not_found' | 'joint_account' | 'provider_not_supported';

/**
 * This user cannot use Signup+: the account is joint (422 `Joint Accounts Not
 * Supported`), the bank holds no data for them (422 `User Data Not Found`),
 * or the bank does not support it (400 `Provider not supported`, 502
 * `Feature Not Supported`). A retry cannot change it.
 */
export class SignupPlusNotEligibleError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.notEligible;
  readonly kind = 'upstream_rejected';
  readonly ineligibility: IneligibilityCause;

  constructor(message: string, options: TrueLayerErrorOptions & { ineligibility: IneligibilityCause }) {
    super(message, options);
    this.ineligibility = options.ineligibility;
  }
}

/**
 * TrueLayer refused the request as the product sent it, for a reason a retry
 * cannot change: bad client credentials (`invalid_client`), an invalid
 * parameter, an unknown resource. Not the user's doing: an operator should
 * look, quoting `truelayer.trace_id` to TrueLayer Support.
 */
export class TrueLayerRejectedError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.rejected;
  readonly kind = 'upstream_rejected';
  /** A short machine-readable reason, e.g. `invalid_client` or `invalid_parameters`. */
  readonly reason: string;
  readonly status: number;

  constructor(message: string, options: TrueLayerErrorOptions & { reason: string; status: number }) {
    super(message, options);
    this.reason = options.reason;
    this.status = options.status;
  }
}

/** TrueLayer answered in a shape the product cannot read (a broken type, not a missing field). */
export class TrueLayerContractError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.contract;
  readonly kind = 'upstream_rejected';
}

/**
 * Signup+ identified the user but left out what a payment needs: a first or
 * last name, or a way to pay the account (sort code with account number, or
 * IBAN). Never retried. Carries the missing field names only, never a value.
 */
export class IdentityIncompleteError extends TrueLayerError {
  override readonly name = TrueLayerErrorNames.identityIncomplete;
  readonly kind = 'upstream_rejected';
  /** Field paths, e.g. `last_name`, `account_details.iban | account_details.sort_code + account_number`. */
  readonly missing: readonly string[];

  constructor(operation: string, missing: readonly string[], options: TrueLayerErrorOptions = {}) {
    super(`${operation}: the answer lacks ${missing.join(', ')}`, options);
    this.missing = missing;
  }
}
