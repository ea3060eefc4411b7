import type { z } from 'zod';
import { authenticateBearer } from '../bearer.ts';
import type { SandboxClient } from '../clients.ts';
import type { RequestContext } from '../context.ts';
import type { AccessTokenRecord } from '../grants.ts';
import { readBodyText, type SimResponse } from '../http-io.ts';
import { problemResponse } from '../problems.ts';
import { invalidParameters, parseJsonText } from '../sandbox-request.ts';
import { checkSignature } from './signing.ts';

/** TrueLayer's Idempotency-Key must be a non-empty value; a UUID v4 is advised (D:add-idempotency). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A request that passed the door, as the route carries it out. */
export interface SignedPost {
  token: AccessTokenRecord;
  client: SandboxClient;
  /** The raw body, exactly as signed. */
  text: string;
}

/**
 * The door of every Payments v3 POST that changes something (`/v3/payments`, `/v3/mandates`, a
 * mandate's revoke), in this order: a client_credentials token with `scope` (any of several), an
 * Idempotency-Key, a Tl-Signature over the request (D:payments-api-errors: missing or bad → 401
 * Unauthenticated), then the key: seen with the same request → the first answer again, with another
 * → 422 Idempotency-Key Reuse (D:add-idempotency, the PHP SDK's error mocks). A new key runs
 * `perform`, whose answer is kept for replays when it is a 2xx. `perform` is synchronous, so two
 * requests with one key cannot both run it.
 */
export async function signedPost(
  ctx: RequestContext,
  scope: string | readonly string[],
  perform: (request: SignedPost) => SimResponse,
): Promise<SimResponse> {
  const auth = authenticateBearer(ctx, { scope, user: false });
  if (!auth.ok) return auth.response;
  const client = ctx.sim.clients.get(auth.token.clientId);
  if (client === undefined) throw new Error(`token of unknown client ${auth.token.clientId}`);
  const text = await readBodyText(ctx.req);

  const key = ctx.req.headers['idempotency-key'];
  if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return invalidParameters(ctx, 'The Idempotency-Key header is missing or invalid.', {
      'Idempotency-Key': [`Required, 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`],
    });
  }
  const signature = ctx.req.headers['tl-signature'];
  const signed = checkSignature(client, typeof signature === 'string' ? signature : undefined, {
    method: 'POST',
    path: ctx.url.pathname,
    headers: ctx.req.headers,
    body: text,
  });
  if (!signed.ok) {
    return problemResponse(ctx.traceId, { status: 401, title: 'Unauthenticated', detail: signed.reason });
  }

  const request = `POST ${ctx.url.pathname}\n${text}`;
  const seen = ctx.sim.idempotency.lookup(client.client_id, key, request);
  if (seen.kind === 'replay') return seen.response;
  if (seen.kind === 'conflict') {
    return problemResponse(ctx.traceId, {
      status: 422,
      title: 'Idempotency-Key Reuse',
      detail: 'The Idempotency-Key value has already been used for a different request.',
    });
  }
  const response = perform({ token: auth.token, client, text });
  if (response.status >= 200 && response.status < 300) {
    ctx.sim.idempotency.remember(client.client_id, key, request, response);
  }
  return response;
}

/** A signed body read through its schema: the value, or 400 Invalid Parameters with `errors` by JSON path. */
export function parseSignedBody<S extends z.ZodType>(
  ctx: RequestContext,
  text: string,
  schema: S,
): { ok: true; body: z.infer<S> } | { ok: false; response: SimResponse } {
  const parsed = parseJsonText(text, schema);
  if (!parsed.ok) return { ok: false, response: invalidParameters(ctx, parsed.detail, parsed.errors) };
  return parsed;
}
