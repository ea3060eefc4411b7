import type { SimResponse } from './http-io.ts';

/** TrueLayer's problem `type` URIs for the Payments-family and Data v3 APIs live under this anchor page. */
export const ERROR_TYPES_BASE = 'https://docs.truelayer.com/docs/error-types#';
/** Signup+'s own problem types (D:signup-errors), e.g. `…/signup-errors#user-data-not-found`. */
export const SIGNUP_ERRORS_BASE = 'https://docs.truelayer.com/docs/signup-errors#';

/** Problem Details fields a route chooses; `trace_id` is filled in from the request. */
export interface ProblemInit {
  status: number;
  title: string;
  detail: string;
  /** Full type URI; defaults to the error-types page anchored at the slugged title. */
  type?: string;
  /** Field name → messages, as in TrueLayer's "Invalid Parameters" problems. */
  errors?: Record<string, string[]>;
}

/** Problem Details body as TrueLayer's Payments-family and Data v3 APIs send it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  trace_id: string;
  detail: string;
  errors?: Record<string, string[]>;
}

/** "Rate Limit Exceeded" → "rate-limit-exceeded", the anchor style of TrueLayer's error-types page. */
export function slugFromTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Builds the problem body. */
export function problemBody(traceId: string, init: ProblemInit): ProblemBody {
  const body: ProblemBody = {
    type: init.type ?? `${ERROR_TYPES_BASE}${slugFromTitle(init.title)}`,
    title: init.title,
    status: init.status,
    trace_id: traceId,
    detail: init.detail,
  };
  if (init.errors !== undefined) body.errors = init.errors;
  return body;
}

/** An `application/problem+json` answer. */
export function problemResponse(
  traceId: string,
  init: ProblemInit,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status: init.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify(problemBody(traceId, init)),
  };
}

/** The titles TrueLayer uses for the statuses the fault injector can produce. */
export function statusProblem(status: number): ProblemInit {
  switch (status) {
    case 429:
      return {
        status,
        title: 'Rate Limit Exceeded',
        detail: 'Too many requests; retry later or include the end-user IP header.',
      };
    case 502:
      return { status, title: 'Provider Error', detail: 'The provider returned an unexpected error.' };
    case 504:
      return { status, title: 'Provider Timeout', detail: 'The provider did not answer in time.' };
    case 503:
      return { status, title: 'Service Unavailable', detail: 'The service is temporarily unavailable.' };
    default:
      return { status, title: 'Unknown Error', detail: 'An unexpected error occurred.' };
  }
}

/** Turns schema issues into the `errors` map of an "Invalid Parameters" problem. */
export function issuesToErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || '(body)';
    errors[key] = [...(errors[key] ?? []), issue.message];
  }
  return errors;
}
