import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { getConnection } from '../connections/get-connection.ts';
import { connectionPathSchema } from '../contract/connection-requests.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';

/** GET /connections/{id}: the connection's onboarding record, by TrueLayer's connection id. */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, connectionPathSchema);
  return jsonResponse(200, await getConnection(id, connectionRepository));
});
