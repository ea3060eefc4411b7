import { isIP } from 'node:net';
import { logger } from '../commons/logger.ts';
import type { TrueLayerEndpoints } from './config.ts';
import { IdentityIncompleteError, TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from './http.ts';
import { refusalError } from './refusals.ts';
import {
  type LinkedAccount,
  multipleAccountsSchema,
  readSignupPlusIdentity,
  type SignupPlusIdentity,
  saysMultipleAccounts,
} from './schemas.ts';

export type SignupPlusAccountsResult =
  | { kind: 'identity'; identity: SignupPlusIdentity }
  | { kind: 'multiple_accounts'; accounts: LinkedAccount[] };

export interface SignupPlusAccountsQuery {
  /** The account the user chose, when TrueLayer listed several. */
  accountId?: string;
  /**
   * The user's IP address, passed on as `X-PSU-IP` so that the bank sees the
   * user as present (D:common-headers). Personal data: never logged; left out
   * when it is not an IP address.
   */
  endUserIp?: string;
}

const supportOf = (response: TrueLayerResponse) => ({ status: response.status, ...response.support });

/**
 * `GET /signup-plus/accounts` with the user's bearer token. Without an account
 * id TrueLayer answers either the identity of the single linked account or the
 * list of accounts to choose from; with one it answers that account's identity.
 *
 * Bodies are recognised by what they say, not by their status: the
 * multi-account answer, whose status TrueLayer does not document, is taken
 * with any status. Refusals become the error that says what to do
 * (refusals.ts); an identity without a name or a way to pay the account is an
 * IdentityIncompleteError naming the missing fields.
 */
export async function getSignupPlusAccounts(
  endpoints: TrueLayerEndpoints,
  accessToken: string,
  { accountId, endUserIp }: SignupPlusAccountsQuery = {},
): Promise<SignupPlusAccountsResult> {
  const url = new URL('/signup-plus/accounts', `${endpoints.apiBaseUrl}/`);
  if (accountId !== undefined) url.searchParams.set('account_id', accountId);
  const operation = accountId === undefined ? 'signup-plus accounts' : 'signup-plus account identity';
  const ip = endUserIp?.trim();
  const response = await sendToTrueLayer(
    url.toString(),
    {
      method: 'GET',
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        ...(ip && isIP(ip) !== 0 ? { 'x-psu-ip': ip } : {}),
      },
    },
    { timeoutMs: endpoints.timeoutMs, operation },
  );

  if (saysMultipleAccounts(response.body)) {
    const multiple = multipleAccountsSchema.safeParse(response.body);
    if (accountId !== undefined) {
      throw new TrueLayerContractError(`${operation}: TrueLayer listed accounts although one was chosen`, {
        truelayer: supportOf(response),
      });
    }
    if (!multiple.success || multiple.data.accounts.length < 2) {
      throw new TrueLayerContractError(`${operation}: the account list names fewer than two accounts`, {
        truelayer: supportOf(response),
      });
    }
    return { kind: 'multiple_accounts', accounts: multiple.data.accounts };
  }
  if (response.status < 200 || response.status > 299) {
    throw refusalError(response, { operation, audience: 'user' });
  }
  return { kind: 'identity', identity: identityOf(response, operation) };
}

/**
 * The identity in a Signup+ answer (by account or by payment): one without a
 * name or a way to pay the account is an IdentityIncompleteError naming the
 * missing fields; optional fields in an unusable form are left out and named
 * in a warning (names only: the values are personal data).
 */
export function identityOf(response: TrueLayerResponse, operation: string): SignupPlusIdentity {
  const reading = readSignupPlusIdentity(response.body);
  if (reading.kind === 'unreadable') {
    throw new TrueLayerContractError(`${operation}: the answer is not an identity`, {
      truelayer: supportOf(response),
    });
  }
  if (reading.kind === 'incomplete') {
    throw new IdentityIncompleteError(operation, reading.missing, { truelayer: supportOf(response) });
  }
  if (reading.ignored.length > 0) {
    logger.warn('Signup+ sent optional fields in an unusable form; they are left out', {
      operation,
      fields: reading.ignored,
    });
  }
  return reading.identity;
}
