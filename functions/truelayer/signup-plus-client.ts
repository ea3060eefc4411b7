import { trueLayerProblemSchema } from './common-schemas.ts';
import type { TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError, TrueLayerRejectedError } from './errors.ts';
import { sendToTrueLayer } from './http.ts';
import {
  type LinkedAccount,
  multipleAccountsSchema,
  type SignupPlusIdentity,
  signupPlusIdentitySchema,
} from './schemas.ts';

export type SignupPlusAccountsResult =
  | { kind: 'identity'; identity: SignupPlusIdentity }
  | { kind: 'multiple_accounts'; accounts: LinkedAccount[] };

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/**
 * `GET /signup-plus/accounts` with the user's bearer token. Without an account
 * id TrueLayer answers either the identity of the single linked account or the
 * list of accounts to choose from; with one it answers that account's identity.
 */
export interface SignupPlusAccountsQuery {
  /** The account the user chose, when TrueLayer listed several. */
  accountId?: string;
  /** The user's IP address, passed on as X-PSU-IP (personal data: never logged). */
  endUserIp?: string;
}

export async function getSignupPlusAccounts(
  endpoints: TrueLayerEndpoints,
  accessToken: string,
  { accountId }: SignupPlusAccountsQuery = {},
): Promise<SignupPlusAccountsResult> {
  const url = new URL('/signup-plus/accounts', `${endpoints.apiBaseUrl}/`);
  if (accountId !== undefined) url.searchParams.set('account_id', accountId);
  const operation = accountId === undefined ? 'signup-plus accounts' : 'signup-plus account identity';
  const response = await sendToTrueLayer(
    url.toString(),
    { method: 'GET', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
    { timeoutMs: endpoints.timeoutMs, operation },
  );
  if (response.status !== 200) {
    const problem = trueLayerProblemSchema.safeParse(response.body);
    const title = problem.success ? problem.data.title : undefined;
    const reason = title ? slug(title) : `http_${response.status}`;
    throw new TrueLayerRejectedError(
      `${operation}: TrueLayer answered ${response.status}${title ? ` (${title})` : ''}`,
      {
        reason,
        status: response.status,
      },
    );
  }
  const multiple = multipleAccountsSchema.safeParse(response.body);
  if (multiple.success) {
    if (accountId !== undefined) {
      throw new TrueLayerContractError(`${operation}: TrueLayer listed accounts although one was chosen`);
    }
    return { kind: 'multiple_accounts', accounts: multiple.data.accounts };
  }
  const identity = signupPlusIdentitySchema.safeParse(response.body);
  if (!identity.success) {
    throw new TrueLayerContractError(`${operation}: the response does not match the documented shape`);
  }
  return { kind: 'identity', identity: identity.data };
}
