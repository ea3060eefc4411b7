import { readTrueLayerEndpoints } from '../truelayer/config.ts';
import { getSignupPlusAccounts } from '../truelayer/signup-plus-client.ts';

const endpoints = readTrueLayerEndpoints();

/** `GET /signup-plus/accounts` on the configured environment's API host. */
export const fetchSignupPlusAccounts = (accessToken: string, accountId?: string) =>
  getSignupPlusAccounts(endpoints, accessToken, accountId);
