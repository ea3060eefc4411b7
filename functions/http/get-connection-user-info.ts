import { endUserIpOf } from '../commons/http/caller-headers.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { getConnectionUserInfo } from '../connections/user-info.ts';
import { connectionPathSchema } from '../contract/connection-requests.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';

/** GET /connections/{id}/user-info: the name the user's bank holds, asked of TrueLayer now. */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, connectionPathSchema);
  const endUserIp = endUserIpOf(event.headers);
  const info = await getConnectionUserInfo(
    id,
    { endUserIp },
    { repository: connectionRepository, trueLayer: dataConnections },
  );
  return jsonResponse(200, info);
});
