import { readTrueLayerEndpoints } from '../truelayer/config.ts';
import { getSignupPlusAccounts, type SignupPlusAccountsQuery } from '../truelayer/signup-plus-client.ts';

const endpoints = readTrueLayerEndpoints();

/** `GET /signup-plus/accounts` on the configured environment's API host. */
export const fetchSignupPlusAccounts = (accessToken: string, query?: SignupPlusAccountsQuery) =>
  getSignupPlusAccounts(endpoints, accessToken, query);
