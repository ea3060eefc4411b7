import * as z from 'zod/mini';
import { readCallerHeaders } from '../commons/http/caller-headers.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody } from '../commons/http/request.ts';
import { createdResponse } from '../commons/http/responses.ts';
import { acceptConnectionRequest } from '../connections/create-connection.ts';
import { connectionSettings, createConnectionFor } from '../wiring/create-connection.ts';

/**
 * POST /connections: validates TrueLayer's Data v3 connection request, creates
 * the connection and answers where to send the user. Nothing reaches TrueLayer
 * or the table unless every rule holds.
 */
export const handler = httpHandler(async (event, context) => {
  const caller = readCallerHeaders(event.headers);
  const payload = acceptConnectionRequest(parseJsonBody(event, z.unknown()), caller.problems, {
    aispLicensed: connectionSettings.aispLicensed,
  });
  const created = await createConnectionFor(payload, caller, context);
  return createdResponse(`/connections/${created.connection_id}`, created);
});
