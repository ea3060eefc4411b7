import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { exampleConsumerRecordId } from '../consumers/idempotency-record.ts';
import { IDEMPOTENCY_TABLE_NAME } from './idempotency-table.ts';

/** Deletes the example consumer's idempotency record of one event (erasure); nothing else can be deleted here. */
export async function forgetEvent(eventId: string): Promise<void> {
  await documentClient.send(
    new DeleteCommand({ TableName: IDEMPOTENCY_TABLE_NAME, Key: { id: exampleConsumerRecordId(eventId) } }),
  );
}
