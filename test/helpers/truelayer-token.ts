import { randomUUID } from 'node:crypto';
import type { LocalStack } from '@signupplus/local';
import { z } from 'zod';
import { authorize } from './journey.ts';

const tokenSchema = z.object({ access_token: z.string().min(1) });

/**
 * A sandbox user's access token, got from the stack's simulator the way the product gets one, over
 * TrueLayer's own HTTP interface: an auth link of the product's application, approved as `user`
 * through `POST {truelayer_auth}/_sandbox/authorize`, and the code from its redirect exchanged at
 * `POST {truelayer_auth}/connect/token`. The redirect is not followed, so no journey starts: for
 * tests of the product's TrueLayer clients against the simulator.
 */
export async function sandboxUserToken(stack: LocalStack, user: string): Promise<string> {
  const { clientId, clientSecret, redirectUri } = stack.trueLayerClient;
  const link = new URL(`${stack.urls.truelayer_auth}/`);
  link.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'info accounts signupplus',
    providers: 'uk-cs-mock uk-ob-all uk-oauth-all',
    state: randomUUID(),
  }).toString();
  const redirectTo = new URL(await authorize(stack, link.toString(), user));
  const code = redirectTo.searchParams.get('code');
  if (code === null) throw new Error(`no code in the redirect for ${user}: ${redirectTo.search}`);
  const response = await fetch(`${stack.urls.truelayer_auth}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      client_secret: clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
  });
  if (response.status !== 200)
    throw new Error(`token exchange for ${user} answered ${response.status}: ${await response.text()}`);
  return tokenSchema.parse(await response.json()).access_token;
}

/**
 * A client-credentials token of the product's application, with `scope`, from the stack's simulator
 * (`POST {truelayer_auth}/connect/token`): for tests that read, as the integrator could, what the
 * product asked TrueLayer for.
 */
export async function clientCredentialsToken(stack: LocalStack, scope: string): Promise<string> {
  const { clientId, clientSecret } = stack.trueLayerClient;
  const response = await fetch(`${stack.urls.truelayer_auth}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope,
    }),
  });
  if (response.status !== 200)
    throw new Error(`client_credentials (${scope}) answered ${response.status}: ${await response.text()}`);
  return tokenSchema.parse(await response.json()).access_token;
}
