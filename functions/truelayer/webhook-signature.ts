import { extractJku, extractKid, type HttpMethod, verify } from 'truelayer-signing';
import * as z from 'zod/mini';
import { DomainError } from '../commons/errors.ts';
import type { RawRequest } from '../commons/http/request.ts';

/** A webhook whose `Tl-Signature` is missing, names a key set we do not trust, or does not verify. */
export class WebhookSignatureError extends DomainError {
  override readonly name = 'WebhookSignatureError';
  readonly kind = 'unauthorized';
}

export interface WebhookVerifierDependencies {
  /** The only key set a webhook may name as its `jku`: TrueLayer's, for the configured environment. */
  jwksUrl: string;
  /** Reads the key set (a JSON Web Key Set, as text). */
  fetchJwks: (url: string) => Promise<string>;
  /** Epoch milliseconds. */
  now: () => number;
}

/** Keys are kept this long; TrueLayer rotates rarely, and a key not seen before triggers a fresh read. */
const JWKS_MAX_AGE_MS = 15 * 60_000;
/** A key id missing from a fresh key set is fetched again at most this often (a forged kid cannot hammer it). */
const REFETCH_GAP_MS = 30_000;

const keySetSchema = z.object({ keys: z.array(z.object({ kid: z.optional(z.string()) })) });

/** Verifies a webhook's `Tl-Signature` before its body is believed. */
export type VerifyWebhook = (request: RawRequest) => Promise<void>;

/**
 * TrueLayer signs every webhook (a JWS with a detached payload over the
 * method, path, the headers it names and the body) with a key published in
 * its JWKS, named by the signature's `jku`. The `jku` is checked against the
 * one URL we trust before anything is fetched, the key set is cached per
 * execution environment, and `truelayer-signing` does the verification.
 */
export function webhookVerifier(deps: WebhookVerifierDependencies): VerifyWebhook {
  let cached: { jwks: string; kids: ReadonlySet<string>; fetchedAt: number } | undefined;

  async function keySetFor(kid: string): Promise<string> {
    const age = cached ? deps.now() - cached.fetchedAt : Number.POSITIVE_INFINITY;
    if (cached && age < JWKS_MAX_AGE_MS && (cached.kids.has(kid) || age < REFETCH_GAP_MS)) return cached.jwks;
    const jwks = await deps.fetchJwks(deps.jwksUrl);
    let parsed: z.infer<typeof keySetSchema>;
    try {
      parsed = keySetSchema.parse(JSON.parse(jwks));
    } catch {
      throw new Error('TrueLayer webhook key set is not a JWKS');
    }
    const kids = new Set(parsed.keys.flatMap((key) => (key.kid ? [key.kid] : [])));
    cached = { jwks, kids, fetchedAt: deps.now() };
    return jwks;
  }

  return async (request) => {
    const signature = request.headers['tl-signature'];
    if (!signature) throw new WebhookSignatureError('The webhook has no Tl-Signature header.');
    let jku: string | undefined;
    let kid: string;
    try {
      jku = extractJku(signature);
      kid = extractKid(signature);
    } catch {
      throw new WebhookSignatureError('The Tl-Signature header is not a TrueLayer signature.');
    }
    if (jku !== deps.jwksUrl) {
      throw new WebhookSignatureError("The webhook's signature names a key set that is not TrueLayer's.");
    }
    const jwks = await keySetFor(kid);
    try {
      verify({
        jwks,
        signature,
        method: 'POST' as HttpMethod,
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
    } catch {
      throw new WebhookSignatureError('The webhook signature does not verify.');
    }
  };
}
