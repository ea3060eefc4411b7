import { createHash, createPublicKey, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A client registered with the simulator, like an app set up in TrueLayer's Console. */
export interface SandboxClient {
  client_id: string;
  client_secret: string;
  /** Allow-listed redirect URIs; a link's redirect_uri must equal one of them exactly. */
  redirect_uris: string[];
  /** The application's name as the consent page shows it (Console's display name); the client_id when absent. */
  name?: string;
  /**
   * Public keys the client signs Payments v3 requests with, each under the `kid` Console gives it
   * (TrueLayer: EC P-521, ES512). None: the client cannot create payments (every one is refused 401).
   */
  signing_keys?: SigningKey[];
  /**
   * Console's webhook URI: Payments v3 webhooks for this client's payments are POSTed here (signed,
   * see webhooks/). None: nothing is sent.
   */
  webhook_uri?: string;
  /** Whether TrueLayer has enabled `payment_authorized` for the client (off by default, as at TrueLayer). */
  webhook_payment_authorized?: boolean;
  /**
   * Signup+ in Finland: where the user comes back after identifying at their bank. TrueLayer takes no
   * redirect URI on `POST /signup-plus/authuri`; Support allow-lists this one for the client. None:
   * the client cannot use Signup+ in Finland (403).
   */
  signup_plus_fi_redirect_uri?: string;
}

/** A request-signing public key uploaded to Console. */
export interface SigningKey {
  kid: string;
  /** SPKI PEM of an EC P-521 public key. */
  public_key_pem: string;
}

/** True for a PEM that holds an EC public key on P-521, the only curve TrueLayer's signing accepts. */
function isP521PublicKey(pem: string): boolean {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp521r1';
  } catch {
    return false;
  }
}

const SigningKeySchema = z.strictObject({
  kid: z.string().min(1),
  public_key_pem: z.string().refine(isP521PublicKey, 'must be a PEM EC P-521 public key'),
});

const RedirectUriSchema = z
  .string()
  .refine((value) => URL.canParse(value), 'must be an absolute URL')
  .refine((value) => !value.includes('#'), 'must not contain a fragment (RFC 6749 §3.1.2)');

const WebhookUriSchema = z.string().refine((value) => {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
}, 'must be an absolute http(s) URL');

/** Validates client registrations given in the simulator options. */
export const SandboxClientsSchema = z
  .array(
    z.strictObject({
      client_id: z.string().min(1),
      client_secret: z.string().min(1),
      redirect_uris: z.array(RedirectUriSchema).min(1),
      name: z.string().min(1).optional(),
      signing_keys: z
        .array(SigningKeySchema)
        .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'kid values must be unique')
        .optional(),
      webhook_uri: WebhookUriSchema.optional(),
      webhook_payment_authorized: z.boolean().optional(),
      signup_plus_fi_redirect_uri: RedirectUriSchema.optional(),
    }),
  )
  .min(1)
  .refine((clients) => new Set(clients.map((c) => c.client_id)).size === clients.length, {
    message: 'client_id values must be unique',
  });

/** Looks up clients and checks their credentials. */
export class ClientRegistry {
  readonly #clients: ReadonlyMap<string, SandboxClient>;

  constructor(clients: readonly SandboxClient[]) {
    this.#clients = new Map(clients.map((client) => [client.client_id, client]));
  }

  /** The client with this id, if registered. */
  get(clientId: string): SandboxClient | undefined {
    return this.#clients.get(clientId);
  }

  /** True when `redirectUri` equals one of the client's registered URIs character for character. */
  allowsRedirect(client: SandboxClient, redirectUri: string): boolean {
    return client.redirect_uris.includes(redirectUri);
  }

  /**
   * For a Data v3 return URI: registered as it is, or with a query added to a
   * registered URI that has none (how a client carries its own reference;
   * whether TrueLayer allows it is undocumented, the conformance run tells).
   */
  allowsReturnUri(client: SandboxClient, returnUri: string): boolean {
    if (this.allowsRedirect(client, returnUri)) return true;
    const url = URL.parse(returnUri);
    if (url === null || url.search === '') return false;
    url.search = '';
    return client.redirect_uris.includes(url.toString());
  }

  /** Checks a client_id/client_secret pair; the secret comparison takes constant time. */
  authenticate(clientId: string, clientSecret: string): SandboxClient | undefined {
    const client = this.#clients.get(clientId);
    if (client === undefined) return undefined;
    const given = createHash('sha256').update(clientSecret).digest();
    const expected = createHash('sha256').update(client.client_secret).digest();
    return timingSafeEqual(given, expected) ? client : undefined;
  }
}
