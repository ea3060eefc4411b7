import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ServerProblemCode } from '../../contract/responses.ts';
import { DomainError, type ErrorKind } from '../errors.ts';

/** RFC 9457 problem details, as every error response of the API carries them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/**
 * What a 5xx answer says, whatever went wrong inside: a stable code for
 * machines, a fixed sentence for people, and (in the body) the trace id the
 * function's log lines carry, so that support can find what happened.
 */
export const SERVER_PROBLEMS = {
  truelayer_unavailable: {
    type: 'upstream-unavailable',
    status: 503,
    title: 'TrueLayer unavailable',
    detail: 'TrueLayer did not answer in time. Nothing was changed; try again shortly.',
  },
  truelayer_rejected: {
    type: 'upstream-rejected',
    status: 502,
    title: 'TrueLayer rejected the request',
    detail: 'TrueLayer refused the request or answered outside its contract. Quote the trace id to support.',
  },
  truelayer_next_action_unsupported: {
    type: 'upstream-rejected',
    status: 502,
    title: 'TrueLayer rejected the request',
    detail:
      'TrueLayer created the connection, but its next step (next_action) has no URI to send the user to, and ' +
      'this product relays redirect steps only. Use a configuration in which TrueLayer hosts the journey ' +
      '(hosted_page.type authorization_flow), or carry out the step through TrueLayer’s authorization-flow ' +
      'actions yourself with connection_id.',
  },
  internal_error: {
    type: 'internal',
    status: 500,
    title: 'Internal error',
    detail: 'The request could not be completed. It is safe to retry.',
  },
} as const satisfies Record<
  ServerProblemCode,
  { type: string; status: number; title: string; detail: string }
>;
export type { ServerProblemCode };

const CLIENT_PROBLEMS: Record<
  Exclude<ErrorKind, 'upstream_unavailable' | 'upstream_rejected'>,
  { status: number; title: string }
> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
};

const SERVER_CODE_BY_KIND: Record<'upstream_unavailable' | 'upstream_rejected', ServerProblemCode> = {
  upstream_unavailable: 'truelayer_unavailable',
  upstream_rejected: 'truelayer_rejected',
};

const problemType = (slug: string) => `urn:signupplus:problem:${slug}`;

/**
 * What a 5xx answer keeps of an error's extensions: they are safe to return by
 * contract (errors.ts), except that of TrueLayer's support block only its ids
 * and status go out, never its text.
 */
function serverExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  const { truelayer: support, ...rest } = extensions;
  if (typeof support !== 'object' || support === null) return rest;
  const kept = Object.fromEntries(
    Object.entries(support).filter(([key]) => ['status', 'trace_id', 'correlation_id'].includes(key)),
  );
  return { ...rest, truelayer: kept };
}

function serverProblem(code: ServerProblemCode, traceId: string | undefined, extra = {}): ProblemDetails {
  const { type, status, title, detail } = SERVER_PROBLEMS[code];
  return {
    ...extra,
    type: problemType(type),
    title,
    status,
    detail,
    code,
    ...(traceId === undefined ? {} : { trace_id: traceId }),
  };
}

/**
 * The single place where errors become HTTP answers. A 4xx domain error
 * exposes its message (written for the caller, who can fix the request); a
 * 5xx answer never carries an error's message, only its stable code, the
 * code's fixed sentence and `traceId` (the id the request's log lines carry).
 */
export function toProblem(error: unknown, traceId?: string): ProblemDetails {
  if (error instanceof DomainError) {
    if (error.kind === 'upstream_unavailable' || error.kind === 'upstream_rejected') {
      const code = error.serverProblem ?? SERVER_CODE_BY_KIND[error.kind];
      return serverProblem(code, traceId, serverExtensions(error.extensions));
    }
    const { status, title } = CLIENT_PROBLEMS[error.kind];
    return {
      ...error.extensions,
      type: problemType(error.kind.replaceAll('_', '-')),
      title,
      status,
      detail: error.message,
    };
  }
  return serverProblem('internal_error', traceId);
}

export function problemResponse(problem: ProblemDetails): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
  };
}
