import * as z from 'zod/mini';
import { type ConnectionRecord, connectionIdSchema } from './model.ts';
import type { ConnectionRepository } from './repository.ts';

export const connectionPathSchema = z.object({ id: connectionIdSchema });

/** What `GET /connections/{id}` answers: the record as stored (it holds no personal data). */
export function toConnectionView(record: ConnectionRecord) {
  return record;
}

export async function getConnection(connectionId: string, repository: ConnectionRepository) {
  return toConnectionView(await repository.get(connectionId));
}
