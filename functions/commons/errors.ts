import type { ServerProblemCode } from './http/problem.ts';

/**
 * What kind of failure a domain error is, independent of transport. The HTTP
 * layer maps kinds to status codes in one place (http/problem.ts); areas never
 * choose status codes themselves.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'conflict'
  | 'upstream_unavailable'
  | 'upstream_rejected';

/** A field-level problem, reported to callers so they can fix their request. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Base of every error an area raises on purpose. For a 4xx kind the message is
 * written for callers (it becomes the problem's `detail`) and must never carry
 * secrets or personal data; a 5xx kind's message is for the logs only, since
 * its answer carries a fixed sentence (http/problem.ts). `extensions` are extra
 * problem fields that are safe to return (the onboarding's current status,
 * TrueLayer's ids for its Support).
 */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  readonly extensions: Record<string, unknown>;
  /** A 5xx error with a code (and fixed sentence) of its own; otherwise its kind's code is answered. */
  readonly serverProblem: ServerProblemCode | undefined;

  constructor(
    message: string,
    options: {
      cause?: unknown;
      extensions?: Record<string, unknown>;
      serverProblem?: ServerProblemCode;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.extensions = options.extensions ?? {};
    this.serverProblem = options.serverProblem;
  }
}

/** The request does not match the route's schema; every problem is listed at once. */
export class RequestValidationError extends DomainError {
  override readonly name = 'RequestValidationError';
  readonly kind = 'invalid_request';
  readonly errors: FieldProblem[];

  constructor(errors: FieldProblem[]) {
    super(
      errors.length === 1
        ? `${errors[0]?.field}: ${errors[0]?.message}`
        : `${errors.length} problems in the request`,
      {
        extensions: { errors },
      },
    );
    this.errors = errors;
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly kind = 'unsupported_media_type';
}

export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly kind = 'payload_too_large';
}
