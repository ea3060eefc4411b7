import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import { tableKeys } from '../commons/table-keys.ts';
import { OnboardingNotFoundError, OnboardingStatusConflictError } from './errors.ts';
import {
  type JourneySecrets,
  journeySecretsSchema,
  type Onboarding,
  type OnboardingStatus,
  onboardingSchema,
  type StateRecord,
  stateRecordSchema,
  type TimelineEntry,
} from './model.ts';

/**
 * One table, three kinds of item, all reached by key (no scans, no indexes):
 *   ONBOARDING#<id> / PROFILE  the record integrators read
 *   ONBOARDING#<id> / SECRETS  authorization code, access token, task token
 *   STATE#<sha256>  / STATE    what an auth link's state points to
 * Every change is a single-item conditional write, so concurrent callbacks and
 * choices resolve to exactly one winner without transactions.
 */
const profileKey = (onboardingId: string) => ({ pk: `ONBOARDING#${onboardingId}`, sk: 'PROFILE' });
const secretsKey = (onboardingId: string) => ({ pk: `ONBOARDING#${onboardingId}`, sk: 'SECRETS' });
const stateKey = (stateHash: string) => ({ pk: `STATE#${stateHash}`, sk: 'STATE' });

const KEY_ATTRIBUTES = ['pk', 'sk', tableKeys.timeToLive] as const;

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}

function parseItem<S extends z.ZodMiniType>(
  schema: S,
  item: Record<string, unknown>,
  what: string,
): z.infer<S> {
  const parsed = schema.safeParse(withoutKeys(item));
  if (!parsed.success) throw new Error(`Stored ${what} does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export interface TransitionRequest {
  /** The write happens only when the record is in one of these statuses. */
  from: readonly OnboardingStatus[];
  to?: OnboardingStatus;
  set?: Partial<Omit<Onboarding, 'onboarding_id' | 'status' | 'timeline' | 'created_at' | 'updated_at'>>;
  remove?: ReadonlyArray<keyof Onboarding>;
  /** Appended to the timeline, in order; omitted only when undoing a claim. */
  timeline?: TimelineEntry | readonly TimelineEntry[];
  /** Extra condition on a field's current value, e.g. the account a claim was made for. */
  expect?: { field: keyof Onboarding; value: string };
}

/** Everything a workflow step starts from, read in one request. */
export interface Journey {
  onboarding: Onboarding;
  secrets: JourneySecrets | undefined;
}

export class OnboardingRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /** Stores a new onboarding and the state item its auth link carries. */
  async create(onboarding: Onboarding, stateHash: string, retentionUntil: Date): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...profileKey(onboarding.onboarding_id),
          ...onboarding,
          [tableKeys.timeToLive]: epochSeconds(retentionUntil),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    const expiresAt = new Date(onboarding.auth_link_expires_at);
    const state: StateRecord = {
      onboarding_id: onboarding.onboarding_id,
      expires_at_epoch: epochSeconds(expiresAt),
    };
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        // Kept a day past expiry so that a late callback is told "expired", not "unknown".
        Item: { ...stateKey(stateHash), ...state, [tableKeys.timeToLive]: epochSeconds(expiresAt) + 86_400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findState(stateHash: string): Promise<StateRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: stateKey(stateHash), ConsistentRead: true }),
    );
    return Item ? parseItem(stateRecordSchema, Item, 'state') : undefined;
  }

  /**
   * Marks a state as used by one outcome, atomically: only the first caller
   * whose state is still unused and unexpired wins and gets the state record;
   * everyone else gets undefined.
   */
  async useState(stateHash: string, outcomeHash: string, now: Date): Promise<StateRecord | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: stateKey(stateHash),
          UpdateExpression: 'SET used_at = :now, outcome_hash = :outcome',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at_epoch > :nowEpoch',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':outcome': outcomeHash,
            ':nowEpoch': epochSeconds(now),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? parseItem(stateRecordSchema, Attributes, 'state') : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async find(onboardingId: string): Promise<Onboarding | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: profileKey(onboardingId), ConsistentRead: true }),
    );
    return Item ? parseItem(onboardingSchema, Item, 'onboarding') : undefined;
  }

  async get(onboardingId: string): Promise<Onboarding> {
    const onboarding = await this.find(onboardingId);
    if (!onboarding) throw new OnboardingNotFoundError(onboardingId);
    return onboarding;
  }

  /**
   * Moves the record from one of `from` to `to` (or only updates fields),
   * appending a timeline entry. Throws OnboardingStatusConflictError carrying
   * the current status when the record is elsewhere.
   */
  async transition(onboardingId: string, request: TransitionRequest): Promise<Onboarding> {
    const names: Record<string, string> = { '#status': 'status', '#updated_at': 'updated_at' };
    const entries = request.timeline === undefined ? [] : [request.timeline].flat();
    const values: Record<string, unknown> = {
      ':updated_at': entries.at(-1)?.at ?? new Date().toISOString(),
    };
    const sets = ['#updated_at = :updated_at'];
    if (entries.length > 0) {
      names['#timeline'] = 'timeline';
      values[':entries'] = entries;
      sets.push('#timeline = list_append(#timeline, :entries)');
    }
    if (request.to) {
      sets.push('#status = :to');
      values[':to'] = request.to;
    }
    for (const [field, value] of Object.entries(request.set ?? {})) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const removes = (request.remove ?? []).map((field) => {
      names[`#${field}`] = field;
      return `#${field}`;
    });
    const fromValues = request.from.map((status, index) => {
      values[`:from${index}`] = status;
      return `:from${index}`;
    });
    let condition = `attribute_exists(pk) AND #status IN (${fromValues.join(', ')})`;
    if (request.expect) {
      names['#expected'] = request.expect.field;
      values[':expected'] = request.expect.value;
      condition += ' AND #expected = :expected';
    }
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(onboardingId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new Error('UpdateItem returned no attributes');
      return parseItem(onboardingSchema, Attributes, 'onboarding');
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(onboardingId);
      throw new OnboardingStatusConflictError(
        `The onboarding is ${current.status}; expected ${request.from.join(' or ')}.`,
        current.status,
      );
    }
  }

  /** Stores the authorization code unless secrets already exist (a duplicate callback must not overwrite a token). */
  async storeAuthorizationCode(onboardingId: string, code: string, retentionUntil: Date): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...secretsKey(onboardingId),
            authorization_code: code,
            [tableKeys.timeToLive]: epochSeconds(retentionUntil),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * The record and its secrets together: both live under the onboarding's
   * partition key, so one strongly consistent Query returns them.
   */
  async getJourney(onboardingId: string): Promise<Journey> {
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': profileKey(onboardingId).pk },
        ConsistentRead: true,
      }),
    );
    const profile = Items.find((item) => item.sk === 'PROFILE');
    if (!profile) throw new OnboardingNotFoundError(onboardingId);
    const secrets = Items.find((item) => item.sk === 'SECRETS');
    return {
      onboarding: parseItem(onboardingSchema, profile, 'onboarding'),
      secrets: secrets ? parseItem(journeySecretsSchema, secrets, 'journey secrets') : undefined,
    };
  }

  /** Replaces the single-use code with the access token it was exchanged for. */
  async storeAccessToken(
    onboardingId: string,
    token: { accessToken: string; expiresAt: Date; exchangedAt: Date },
  ): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: secretsKey(onboardingId),
        UpdateExpression:
          'SET access_token = :token, access_token_expires_at = :expires, code_exchanged_at = :exchanged REMOVE authorization_code',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':token': token.accessToken,
          ':expires': token.expiresAt.toISOString(),
          ':exchanged': token.exchangedAt.toISOString(),
        },
      }),
    );
  }

  async storeTaskToken(onboardingId: string, taskToken: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: secretsKey(onboardingId),
        UpdateExpression: 'SET task_token = :taskToken',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':taskToken': taskToken },
      }),
    );
  }

  /** Forgets every secret of the journey; called when it ends, whichever way. */
  async deleteSecrets(onboardingId: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: secretsKey(onboardingId) }));
  }
}
