import { dataConnectionsClient } from '../connections/truelayer-client.ts';
import { secretsManagerClientSecret } from '../truelayer/client-secret.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import { cachedClientToken } from '../truelayer/token-cache.ts';
import { requestClientCredentialsToken } from '../truelayer/token-client.ts';

const endpoints = readTrueLayerEndpoints();
const tokenDependencies = {
  endpoints,
  client: readTrueLayerClient(),
  clientSecret: secretsManagerClientSecret(),
};

/** One `data` token per execution environment, renewed shortly before it expires. */
export const dataToken = cachedClientToken(() => requestClientCredentialsToken(tokenDependencies, 'data'));

export const dataConnections = dataConnectionsClient({ endpoints, token: dataToken });
