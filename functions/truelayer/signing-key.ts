import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { secretValue } from './client-secret.ts';

const signingEnvSchema = z.object({
  /** Name or ARN of the Secrets Manager secret that holds the Payments v3 signing key. */
  TRUELAYER_SIGNING_KEY_SECRET_ID: z.string().check(z.minLength(1)),
});

/** The private key requests to Payments v3 are signed with, and the id TrueLayer knows its public half by. */
export interface SigningKey {
  /** The `kid` Console shows for the uploaded public key. */
  keyId: string;
  /** The EC P-521 private key, PEM-encoded. Never logged. */
  privateKeyPem: string;
}

export type SigningKeyProvider = () => Promise<SigningKey>;

const storedKeySchema = z.object({
  key_id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  private_key_pem: z.string().check(z.regex(/-----BEGIN (EC )?PRIVATE KEY-----/)),
});

/**
 * Reads the signing key from Secrets Manager (cached like the client secret):
 * a JSON object `{ "key_id": "…", "private_key_pem": "-----BEGIN …" }`.
 * A secret of another shape is a configuration error that names the fields,
 * never the value.
 */
export function secretsManagerSigningKey(env: NodeJS.ProcessEnv = process.env): SigningKeyProvider {
  const { TRUELAYER_SIGNING_KEY_SECRET_ID: secretId } = readEnv(signingEnvSchema, env);
  const read = secretValue(secretId);
  return async () => {
    let json: unknown;
    try {
      json = JSON.parse(await read());
    } catch {
      throw new Error(`Secret ${secretId} is not JSON with key_id and private_key_pem`);
    }
    const parsed = storedKeySchema.safeParse(json);
    if (!parsed.success) throw new Error(`Secret ${secretId} needs key_id and a PEM private_key_pem`);
    return { keyId: parsed.data.key_id, privateKeyPem: parsed.data.private_key_pem };
  };
}
