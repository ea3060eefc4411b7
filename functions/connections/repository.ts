import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import {
  connectionDueShardOf,
  connectionDueShards,
  dueIndex,
  idOfKey,
  itemKey,
  tableKeys,
} from '../commons/table-keys.ts';
import { epochSeconds } from '../commons/time.ts';
import { ConnectionNotFoundError } from './errors.ts';
import {
  type ConnectionRecord,
  type ConnectionStatus,
  type ConnectionTimelineEntry,
  connectionIdSchema,
  connectionRecordSchema,
  pendingConnectionStatuses,
} from './model.ts';

/**
 * Connections live in the onboarding table under their own prefix, one item
 * each, reached by TrueLayer's connection id, plus a pointer from the
 * product's own id of the journey, which the return URL carries (TrueLayer may
 * or may not append the connection id):
 *   CONNECTION#<connection id> / PROFILE
 *   CONNECTION_REFERENCE#<onboarding id> / REFERENCE → { connection_id }
 * A connection stays on the `due` index (under shards of its own) until its
 * outcome is recorded and published: when its link's time runs out, the
 * sweeper (expire-connections.ts) asks TrueLayer and records what it says, or
 * `expired`.
 * Writes are single-item and conditional or repeatable, like the rest of the table.
 */
const profileKey = (connectionId: string) => itemKey('CONNECTION', connectionId, 'PROFILE');
const referenceKey = (onboardingId: string) => itemKey('CONNECTION_REFERENCE', onboardingId, 'REFERENCE');
const referenceSchema = z.object({ connection_id: connectionIdSchema });

function parseRecord(item: Record<string, unknown>): ConnectionRecord {
  const {
    [tableKeys.partitionKey]: _pk,
    [tableKeys.sortKey]: _sk,
    [tableKeys.timeToLive]: _ttl,
    [dueIndex.partitionKey]: _shard,
    [dueIndex.sortKey]: _due,
    ...rest
  } = item;
  const parsed = connectionRecordSchema.safeParse(rest);
  if (!parsed.success)
    throw new Error(`Stored connection does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

export interface SettleRequest {
  to: Extract<ConnectionStatus, 'authorized' | 'failed' | 'expired'>;
  failure?: ConnectionRecord['failure'];
  timeline: ConnectionTimelineEntry;
}

export class ConnectionRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /**
   * Stores a new connection, then the pointer from its onboarding id. When
   * TrueLayer answered a retried request with a connection already stored, the
   * stored record wins and is returned (and its pointer written again, in case
   * the first attempt stopped between the two writes). The user is sent to
   * TrueLayer only after both are written.
   */
  async create(record: ConnectionRecord, retentionUntil: Date, dueAt: Date): Promise<ConnectionRecord> {
    const ttl = { [tableKeys.timeToLive]: epochSeconds(retentionUntil) };
    const due = {
      [dueIndex.partitionKey]: connectionDueShardOf(record.onboarding_id),
      [dueIndex.sortKey]: epochSeconds(dueAt),
    };
    let stored = record;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...profileKey(record.connection_id), ...record, ...ttl, ...due },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': tableKeys.partitionKey },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      stored = await this.get(record.connection_id);
    }
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...referenceKey(stored.onboarding_id), connection_id: stored.connection_id, ...ttl },
      }),
    );
    return stored;
  }

  /** The connection a return URL's onboarding id names, if the product created it. */
  async findByOnboardingId(onboardingId: string): Promise<ConnectionRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: referenceKey(onboardingId), ConsistentRead: true }),
    );
    const reference = referenceSchema.safeParse(Item);
    return reference.success ? this.find(reference.data.connection_id) : undefined;
  }

  async find(connectionId: string): Promise<ConnectionRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: profileKey(connectionId), ConsistentRead: true }),
    );
    return Item ? parseRecord(Item) : undefined;
  }

  async get(connectionId: string): Promise<ConnectionRecord> {
    const record = await this.find(connectionId);
    if (!record) throw new ConnectionNotFoundError();
    return record;
  }

  /**
   * Moves a pending connection to its outcome. Only the first of concurrent or
   * repeated returns changes the record (`won`); the others get it as it is.
   */
  async settle(
    connectionId: string,
    request: SettleRequest,
  ): Promise<{ record: ConnectionRecord; won: boolean }> {
    const values: Record<string, unknown> = {
      ':to': request.to,
      ':at': request.timeline.at,
      ':entry': [request.timeline],
    };
    const sets = ['#status = :to', '#updated_at = :at', '#timeline = list_append(#timeline, :entry)'];
    const names: Record<string, string> = {
      '#pk': tableKeys.partitionKey,
      '#status': 'status',
      '#updated_at': 'updated_at',
      '#timeline': 'timeline',
    };
    if (request.failure) {
      names['#failure'] = 'failure';
      values[':failure'] = request.failure;
      sets.push('#failure = :failure');
    }
    const pending = pendingConnectionStatuses.map((status, index) => {
      values[`:pending${index}`] = status;
      return `:pending${index}`;
    });
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(connectionId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(#pk) AND #status IN (${pending.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new Error('UpdateItem returned no attributes');
      return { record: parseRecord(Attributes), won: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { record: await this.get(connectionId), won: false };
    }
  }

  /** The outcome is recorded and its event published: nothing is due any more. */
  async clearDue(connectionId: string): Promise<void> {
    await this.#client
      .send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(connectionId),
          UpdateExpression: 'REMOVE #shard, #due',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': tableKeys.partitionKey,
            '#shard': dueIndex.partitionKey,
            '#due': dueIndex.sortKey,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  /** Ids of the connections due at `now` or earlier, at most `limit` per shard. */
  async listDue(now: Date, limit: number): Promise<string[]> {
    const pages = await Promise.all(
      connectionDueShards.map((shard) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: dueIndex.name,
            KeyConditionExpression: '#shard = :shard AND #due <= :now',
            ExpressionAttributeNames: { '#shard': dueIndex.partitionKey, '#due': dueIndex.sortKey },
            ExpressionAttributeValues: { ':shard': shard, ':now': epochSeconds(now) },
            Limit: limit,
          }),
        ),
      ),
    );
    return pages.flatMap(({ Items = [] }) =>
      Items.flatMap((item) => {
        const pk = item[tableKeys.partitionKey];
        const id = idOfKey('CONNECTION', pk);
        return id === undefined ? [] : [id];
      }),
    );
  }
}
