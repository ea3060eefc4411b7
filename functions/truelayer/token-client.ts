import type { ClientSecretProvider } from './client-secret.ts';
import { type TokenResponse, tokenResponseSchema } from './common-schemas.ts';
import type { TrueLayerClientIdentity, TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer } from './http.ts';
import { refusalError } from './refusals.ts';

export interface AccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

export interface TokenClientDependencies {
  endpoints: TrueLayerEndpoints;
  client: TrueLayerClientIdentity;
  clientSecret: ClientSecretProvider;
}

async function requestToken(
  deps: TokenClientDependencies,
  fields: Record<string, string>,
  operation: string,
  once = false,
): Promise<AccessToken> {
  const body = new URLSearchParams({
    ...fields,
    client_id: deps.client.clientId,
    client_secret: await deps.clientSecret(),
  });
  const response = await sendToTrueLayer(
    `${deps.endpoints.authBaseUrl}/connect/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    },
    { timeoutMs: deps.endpoints.timeoutMs, operation, ...(once ? { once } : {}) },
  );
  if (response.status !== 200) {
    // The error names only TrueLayer's OAuth code (`invalid_grant`, `invalid_client`), never its
    // description: the request carried the code. A spent or expired grant means the user must
    // go through their bank again; every other refusal is the client's configuration.
    throw refusalError(response, { operation, audience: 'client' });
  }
  const parsed = tokenResponseSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new TrueLayerContractError(`${operation}: the token response does not match the documented shape`, {
      truelayer: { status: response.status, ...response.support },
    });
  }
  return toAccessToken(parsed.data);
}

const toAccessToken = (token: TokenResponse): AccessToken => ({
  accessToken: token.access_token,
  expiresInSeconds: token.expires_in,
});

/**
 * Exchanges a user's authorization code for an access token
 * (`grant_type=authorization_code`), proving with the PKCE verifier that this
 * journey asked for the code. A code is single-use: the request is resent
 * only when TrueLayer cannot have acted on it (see TrueLayerCallOptions.once).
 */
export function exchangeAuthorizationCode(
  deps: TokenClientDependencies,
  code: string,
  codeVerifier: string | undefined,
): Promise<AccessToken> {
  return requestToken(
    deps,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: deps.client.redirectUri,
      ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }),
    },
    'code exchange',
    true,
  );
}

/** A backend token for this client (`grant_type=client_credentials`), e.g. with scope `data`. */
export function requestClientCredentialsToken(
  deps: TokenClientDependencies,
  scope: string,
): Promise<AccessToken> {
  return requestToken(deps, { grant_type: 'client_credentials', scope }, 'client credentials');
}
