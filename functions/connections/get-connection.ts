import type { ConnectionRecord } from './model.ts';
import type { ConnectionRepository } from './repository.ts';

/** What `GET /connections/{id}` answers: the record as stored (it holds no personal data). */
export function toConnectionView(record: ConnectionRecord) {
  return record;
}

export async function getConnection(connectionId: string, repository: ConnectionRepository) {
  return toConnectionView(await repository.get(connectionId));
}
