import { DomainError } from '../commons/errors.ts';

/**
 * Error names are a contract with statemachines/onboarding.asl.json: its Retry
 * rules list the retriable ones by name. test/unit/asl-contract.test.ts keeps
 * both sides in step.
 */
export const TrueLayerErrorNames = {
  unavailable: 'TrueLayerUnavailableError',
  rejected: 'TrueLayerRejectedError',
  contract: 'TrueLayerContractError',
} as const;

/**
 * TrueLayer could not answer now: network error, timeout, 429 or 5xx, or a body
 * that is not JSON. Worth retrying; `retryAfterSeconds` carries Retry-After.
 */
export class TrueLayerUnavailableError extends DomainError {
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
    options: { cause?: unknown; retryAfterSeconds?: number; mayHaveTakenEffect?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.mayHaveTakenEffect = options.mayHaveTakenEffect ?? true;
  }
}

/**
 * TrueLayer refused the request for a reason a retry cannot change: an invalid
 * or used code (`invalid_grant`), bad client credentials, an expired token, an
 * invalid parameter, or a user TrueLayer has no data for.
 */
export class TrueLayerRejectedError extends DomainError {
  override readonly name = TrueLayerErrorNames.rejected;
  readonly kind = 'upstream_rejected';
  /** A short machine-readable reason, e.g. `invalid_grant` or `invalid_parameters`. */
  readonly reason: string;
  readonly status: number;

  constructor(message: string, options: { reason: string; status: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.status = options.status;
  }
}

/** TrueLayer answered 2xx with a body that breaks the documented shape. */
export class TrueLayerContractError extends DomainError {
  override readonly name = TrueLayerErrorNames.contract;
  readonly kind = 'upstream_rejected';
}
