import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { SDK_CLIENT_TIMEOUTS } from '../commons/clients/timeouts.ts';
import { readEnv } from '../commons/env.ts';
import { tracer } from '../commons/tracer.ts';

const secretEnvSchema = z.object({
  /** Name or ARN of the Secrets Manager secret that holds the client secret. */
  TRUELAYER_CLIENT_SECRET_ID: z.string().check(z.minLength(1)),
});

/** Cached in memory for five minutes, so a warm function does not call Secrets Manager per request. */
const SECRET_MAX_AGE_SECONDS = 300;

export type ClientSecretProvider = () => Promise<string>;

/**
 * A secret's string value through Powertools Parameters, cached for five
 * minutes; the value is never logged or put in an error.
 */
export function secretValue(secretId: string): () => Promise<string> {
  // Traced like every AWS client (the operation and the request id; never the value).
  const secrets = new SecretsProvider({
    awsSdkV3Client: tracer.captureAWSv3Client(
      new SecretsManagerClient({ requestHandler: SDK_CLIENT_TIMEOUTS.control }),
    ),
  });
  return async () => {
    const value = await secrets.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`Secret ${secretId} holds no string value`);
    }
    return value;
  };
}

/**
 * Reads the TrueLayer client secret from Secrets Manager through Powertools
 * Parameters (cached). The secret is either the bare string or a JSON object
 * with a `client_secret` field.
 */
export function secretsManagerClientSecret(env: NodeJS.ProcessEnv = process.env): ClientSecretProvider {
  const { TRUELAYER_CLIENT_SECRET_ID: secretId } = readEnv(secretEnvSchema, env);
  const read = secretValue(secretId);
  return async () => {
    const trimmed = (await read()).trim();
    if (!trimmed.startsWith('{')) return trimmed;
    const parsed = z
      .object({ client_secret: z.string().check(z.minLength(1)) })
      .safeParse(JSON.parse(trimmed));
    if (!parsed.success) throw new Error(`Secret ${secretId} is JSON without a client_secret field`);
    return parsed.data.client_secret;
  };
}
