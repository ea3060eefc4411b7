import type { ConnectionUserInfo } from '../contract/responses.ts';
import { ConnectionDataUnavailableError } from './errors.ts';
import { readableConnection } from './list-accounts.ts';
import type { ConnectionRepository } from './repository.ts';
import type { DataConnectionsClient } from './truelayer-client.ts';

export interface UserInfoDependencies {
  repository: Pick<ConnectionRepository, 'get'>;
  trueLayer: Pick<DataConnectionsClient, 'userInfo'>;
}

/**
 * `GET /connections/{id}/user-info`: the account holder's name as the bank
 * holds it, asked of TrueLayer now and kept nowhere. TrueLayer answers only
 * for a connection created with the `info` scope, and only in the 5 minutes
 * after the user authenticated (its SCA window): read it right after the
 * return. Each refusal says why, with the connection's status.
 */
export async function getConnectionUserInfo(
  connectionId: string,
  caller: { endUserIp?: string | undefined },
  deps: UserInfoDependencies,
): Promise<ConnectionUserInfo> {
  const record = await readableConnection(connectionId, 'info', deps.repository);
  const answer = await deps.trueLayer.userInfo(connectionId, caller);
  if (answer === 'not_authorized') throw new ConnectionDataUnavailableError('access_lapsed', record.status);
  if (answer === 'window_passed')
    throw new ConnectionDataUnavailableError('sca_window_passed', record.status);
  return { connection_id: connectionId, ...(answer.name === undefined ? {} : { name: answer.name }) };
}
