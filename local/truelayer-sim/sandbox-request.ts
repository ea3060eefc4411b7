import type { z } from 'zod';
import type { RequestContext } from './context.ts';
import { mediaType, readJsonBody, type SimResponse } from './http-io.ts';
import { issuesToErrors, problemResponse } from './problems.ts';

/** A 400 "Invalid Parameters" problem, as TrueLayer answers a bad request. */
export function invalidParameters(
  ctx: RequestContext,
  detail: string,
  errors?: Record<string, string[]>,
): SimResponse {
  return problemResponse(ctx.traceId, {
    status: 400,
    title: 'Invalid Parameters',
    detail,
    ...(errors === undefined ? {} : { errors }),
  });
}

/**
 * Reads the JSON body of a `/_sandbox/...` hook through its schema: the parsed
 * body, or the problem to answer with.
 */
export async function readSandboxBody<S extends z.ZodType>(
  ctx: RequestContext,
  schema: S,
): Promise<{ body: z.infer<S> } | { problem: SimResponse }> {
  if (mediaType(ctx.req) !== 'application/json') {
    return { problem: invalidParameters(ctx, 'Send a JSON body (application/json).') };
  }
  const parsed = schema.safeParse(await readJsonBody(ctx.req));
  if (!parsed.success) {
    return {
      problem: invalidParameters(ctx, 'The request body is invalid.', issuesToErrors(parsed.error.issues)),
    };
  }
  return { body: parsed.data };
}

/** A JSON request body read through its schema, or why not (for the caller's own problem). */
export type ParsedJson<T> =
  | { ok: true; body: T }
  | { ok: false; detail: string; errors: Record<string, string[]> };

/**
 * Parses `text` as JSON and checks it against `schema`: the value, or a detail and `errors` keyed by
 * JSON path, which each API wraps in its own Invalid Parameters problem.
 */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S): ParsedJson<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      detail: 'The request body is not valid JSON.',
      errors: { '(body)': ['Must be JSON'] },
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      detail: 'The request body was invalid.',
      errors: issuesToErrors(parsed.error.issues),
    };
  }
  return { ok: true, body: parsed.data };
}
