import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { type FieldProblem, RequestValidationError } from '../errors.ts';

type Headers = Record<string, string | undefined> | undefined;

/** A header's value, whatever case the caller (or API Gateway) wrote its name in. */
export const headerValue = (headers: Headers, name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

const idempotencyKeySchema = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/));

/** The optional headers a caller may send with a create request, and what is wrong with them. */
export interface CallerHeaders {
  /** `Idempotency-Key`: a retry with the same key gets the first answer. */
  idempotencyKey: string | undefined;
  /** `X-End-User-IP`: the end user's address, passed on to TrueLayer. */
  endUserIp: string | undefined;
  problems: FieldProblem[];
}

/** Reads `Idempotency-Key` and `X-End-User-IP`; a malformed one is a problem named after the header. */
export function readCallerHeaders(headers: Headers): CallerHeaders {
  const problems: FieldProblem[] = [];
  const idempotencyKey = headerValue(headers, 'idempotency-key');
  if (idempotencyKey !== undefined && !idempotencyKeySchema.safeParse(idempotencyKey).success) {
    problems.push({ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' });
  }
  const endUserIp = headerValue(headers, 'x-end-user-ip')?.trim();
  if (endUserIp !== undefined && isIP(endUserIp) === 0) {
    problems.push({ field: 'X-End-User-IP', message: 'must be an IPv4 or IPv6 address' });
  }
  return { problems, idempotencyKey, endUserIp };
}

/** `X-End-User-IP` alone, for the routes that read a user's data while they are present; malformed is a 400. */
export function endUserIpOf(headers: Headers): string | undefined {
  const { endUserIp, problems } = readCallerHeaders(headers);
  const ipProblems = problems.filter((problem) => problem.field === 'X-End-User-IP');
  if (ipProblems.length > 0) throw new RequestValidationError(ipProblems);
  return endUserIp;
}
