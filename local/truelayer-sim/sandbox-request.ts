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
