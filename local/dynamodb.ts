import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableKeys } from '../functions/onboarding/repository.ts';

export interface LocalDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/** The tables the stack defines, with the same keys. */
export const LOCAL_TABLES = {
  onboardings: 'signupplus-onboardings',
  consumerIdempotency: 'signupplus-example-consumer-idempotency',
} as const;

/**
 * dynalite: DynamoDB's API in pure Node, in memory (or on disk with `path`).
 * The tables are created here as the CDK stack creates them on AWS.
 */
export async function startLocalDynamoDb(options: { host: string; path?: string }): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve) => server.listen(0, options.host, () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${options.host}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, LOCAL_TABLES.onboardings, [tableKeys.partitionKey, tableKeys.sortKey], tableKeys.timeToLive);
  await ensureTable(client, LOCAL_TABLES.consumerIdempotency, ['id'], 'expiration');
  client.destroy();
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function ensureTable(client: DynamoDBClient, name: string, keys: string[], ttlAttribute: string) {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((key) => ({ AttributeName: key, AttributeType: 'S' })),
        KeySchema: keys.map((key, index) => ({ AttributeName: key, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
      }),
    );
  } catch (error) {
    // Tables persisted on disk by an earlier run are reused.
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  } catch {
    // dynalite does not expire items; the attribute is set for parity only.
  }
}
