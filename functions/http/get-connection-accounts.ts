import { endUserIpOf } from '../commons/http/caller-headers.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { listConnectedAccounts } from '../connections/list-accounts.ts';
import { connectionPathSchema } from '../contract/connection-requests.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';

/**
 * GET /connections/{id}/accounts: the accounts the user connected, asked of
 * TrueLayer now. `X-End-User-IP` passes the user's address on while they are
 * present (TrueLayer then does not rate-limit the call).
 */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, connectionPathSchema);
  const endUserIp = endUserIpOf(event.headers);
  const accounts = await listConnectedAccounts(
    id,
    { endUserIp },
    {
      repository: connectionRepository,
      trueLayer: dataConnections,
    },
  );
  return jsonResponse(200, accounts);
});
