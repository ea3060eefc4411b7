import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type ErrorKind } from '../errors.ts';

/** RFC 9457 problem details, as every error response of the API carries them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

const STATUS_BY_KIND: Record<ErrorKind, { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  upstream_unavailable: { status: 503, title: 'TrueLayer unavailable' },
  upstream_rejected: { status: 502, title: 'TrueLayer rejected the request' },
};

const problemType = (slug: string) => `urn:signupplus:problem:${slug}`;

/**
 * The single place where errors become HTTP answers. Domain errors expose their
 * message (written for callers); anything else is an internal error whose
 * message is never echoed, so a stack trace or SDK message cannot leak.
 */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof DomainError) {
    const { status, title } = STATUS_BY_KIND[error.kind];
    return {
      ...error.extensions,
      type: problemType(error.kind.replaceAll('_', '-')),
      title,
      status,
      detail: error.message,
    };
  }
  return {
    type: problemType('internal'),
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed. It is safe to retry.',
  };
}

export function problemResponse(problem: ProblemDetails): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
  };
}
