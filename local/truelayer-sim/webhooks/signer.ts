import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/** The header TrueLayer signs on every webhook, with the casing its `tl_headers` names it. */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Tl-Webhook-Timestamp';

/** Where the key set lives under `webhooksUrl` (TrueLayer: `https://webhooks.truelayer-sandbox.com/.well-known/jwks`). */
export const JWKS_PATH = '/.well-known/jwks';

/** One public key as TrueLayer's webhook JWKS publishes it. */
export interface WebhookJwk {
  kty: 'EC';
  crv: 'P-521';
  x: string;
  y: string;
  kid: string;
  alg: 'ES512';
  use: 'sig';
}

/** What one webhook's signature covers. */
export interface WebhookSigningInput {
  /** The path of the webhook URI (no query), as the receiver sees it. */
  path: string;
  /** `X-Tl-Webhook-Timestamp`'s value. */
  timestamp: string;
  body: string;
  /** Sign with a key the JWKS does not hold (the `badSignature` fault); same `kid`. */
  bad?: boolean;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-521' });
}

/**
 * TrueLayer's webhook signing (truelayer-signing v2, ES512, detached payload) with a `jku` header
 * naming the key set. truelayer-signing 0.2.3's `sign()` cannot add `jku`, so the JWS is made here
 * with node:crypto; the signed payload is what its `buildV2SigningPayload` builds:
 * `POST <path>\n` + `X-Tl-Webhook-Timestamp: <value>\n` + body.
 */
export class WebhookSigner {
  readonly kid = randomUUID();
  readonly #key = newKey();
  /** The impostor's key for `badSignature`: never published. */
  readonly #strangerKey = newKey();
  #jku = '';

  /** Sets the `jku` every signature names, once the key set's URL is known. */
  setJku(jku: string): void {
    this.#jku = jku;
  }

  /** The key set TrueLayer serves at `/.well-known/jwks`. */
  jwks(): { keys: WebhookJwk[] } {
    const jwk = this.#key.publicKey.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('EC key without x/y');
    return {
      keys: [{ kty: 'EC', crv: 'P-521', x: jwk.x, y: jwk.y, kid: this.kid, alg: 'ES512', use: 'sig' }],
    };
  }

  /** `Tl-Signature`: `{HEADER}..{SIGNATURE}`. */
  sign(input: WebhookSigningInput): string {
    const header = {
      alg: 'ES512',
      kid: this.kid,
      tl_version: '2',
      tl_headers: WEBHOOK_TIMESTAMP_HEADER,
      jku: this.#jku,
    };
    const payload = `POST ${input.path}\n${WEBHOOK_TIMESTAMP_HEADER}: ${input.timestamp}\n${input.body}`;
    const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
    const signingInput = `${encodedHeader}.${Buffer.from(payload).toString('base64url')}`;
    const key = input.bad === true ? this.#strangerKey.privateKey : this.#key.privateKey;
    const signature = sign('sha512', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    return `${encodedHeader}..${signature.toString('base64url')}`;
  }
}
