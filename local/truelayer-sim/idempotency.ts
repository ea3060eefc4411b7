import { createHash } from 'node:crypto';
import type { SimResponse } from './http-io.ts';

/** What an Idempotency-Key was used for before. */
export type IdempotentLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: SimResponse }
  | { kind: 'conflict' };

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The Idempotency-Keys of the Payments v3 requests that change something (`POST /v3/payments`,
 * `POST /v3/mandates`, a mandate's revoke), per client: the same key with the same request (method,
 * path and raw body, byte for byte) answers what the first one did; with another request it
 * conflicts (D:add-idempotency). Only answers that carried the request out (2xx) are kept, so a
 * refused request can be sent again, fixed, under its key. Kept for the simulator's life
 * (TrueLayer: 30 days).
 */
export class IdempotencyStore {
  /** `client_id` + key → the request's hash and the answer it got. */
  readonly #keys = new Map<string, { requestHash: string; response: SimResponse }>();

  lookup(clientId: string, key: string, request: string): IdempotentLookup {
    const seen = this.#keys.get(`${clientId}\n${key}`);
    if (seen === undefined) return { kind: 'new' };
    return seen.requestHash === hashOf(request)
      ? { kind: 'replay', response: seen.response }
      : { kind: 'conflict' };
  }

  remember(clientId: string, key: string, request: string, response: SimResponse): void {
    this.#keys.set(`${clientId}\n${key}`, { requestHash: hashOf(request), response });
  }
}
