import { signupPlusRequestsClient } from '../connections/signup-plus-requests.ts';
import { readTrueLayerEndpoints } from '../truelayer/config.ts';
import { dataToken } from './data-connections.ts';

/** Signup+ on connected accounts, with the same `data` token as the connection calls. */
export const signupPlusRequests = signupPlusRequestsClient({
  endpoints: readTrueLayerEndpoints(),
  token: dataToken,
});
