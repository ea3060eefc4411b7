import type { IncomingHttpHeaders } from 'node:http';
import { extractKid, type HttpMethod, verify } from 'truelayer-signing';
import type { SandboxClient } from '../clients.ts';

/** Outcome of checking a request's `Tl-Signature`. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** The request as it was signed. */
export interface SignedRequest {
  method: 'POST';
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Headers TrueLayer insists are signed on a payment creation (D:add-idempotency, truelayer-signing README). */
const REQUIRED_SIGNED_HEADERS = ['Idempotency-Key'];

/** The request's headers as the signing library takes them: one string per name. */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The JWS protected header's `alg`, read without trusting it. */
function algOf(signature: string): string | undefined {
  const [encoded = ''] = signature.split('.');
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && 'alg' in header && typeof header.alg === 'string'
      ? header.alg
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies `Tl-Signature` with TrueLayer's `truelayer-signing` library against the public key the
 * client registered under the signature's `kid` (Console's signing keys): method, path, the headers
 * the signature names (Idempotency-Key among them) and the exact body. Only ES512 is taken, so a
 * forged header cannot switch the algorithm (truelayer-signing signs ES512 only).
 */
export function checkSignature(
  client: SandboxClient,
  signature: string | undefined,
  request: SignedRequest,
): SignatureCheck {
  if (signature === undefined || signature === '')
    return { ok: false, reason: 'The Tl-Signature header is missing.' };
  let kid: string;
  try {
    kid = extractKid(signature);
  } catch {
    return { ok: false, reason: 'The Tl-Signature header is not a valid JWS.' };
  }
  if (algOf(signature) !== 'ES512')
    return { ok: false, reason: 'The Tl-Signature must be signed with ES512.' };
  const key = client.signing_keys?.find((candidate) => candidate.kid === kid);
  if (key === undefined) return { ok: false, reason: `No signing key with kid "${kid}" is registered.` };
  try {
    verify({
      publicKeyPem: key.public_key_pem,
      signature,
      // The library types methods as a const enum it does not export at run time; its value is the
      // upper-case method name, which is what this is.
      method: request.method as HttpMethod,
      path: request.path,
      headers: flatHeaders(request.headers),
      body: request.body,
      requiredHeaders: REQUIRED_SIGNED_HEADERS,
    });
  } catch {
    return { ok: false, reason: 'The Tl-Signature is invalid for this request.' };
  }
  return { ok: true };
}
