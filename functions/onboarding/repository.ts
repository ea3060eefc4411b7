import { randomUUID } from 'node:crypto';
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
import { ConfigurationError } from '../commons/env.ts';
import { dueIndex, dueShardOf, idOfKey, itemKey, tableKeys } from '../commons/table-keys.ts';
import { epochSeconds } from '../commons/time.ts';
import { OnboardingNotFoundError, OnboardingStatusConflictError } from './errors.ts';
import {
  type Failure,
  type JourneySecrets,
  journeySecretsSchema,
  type Onboarding,
  type OnboardingStatus,
  type OutboxEvent,
  onboardingSchema,
  type StateRecord,
  stateRecordSchema,
  type TimelineEntry,
  terminalStatuses,
} from './model.ts';

/**
 * Two tables, three kinds of item, all reached by key. The records table:
 *   ONBOARDING#<id> / PROFILE  the record integrators read
 *   STATE#<sha256>  / STATE    what an auth link's (or an identification's) state points to
 *   STATE#payment:<sha256> / STATE  which onboarding a payment is for
 *   WEBHOOK#<event id> / WEBHOOK a TrueLayer webhook already acted on
 * with one sparse index, `due`, over the records something is due on (see
 * dueAt below), which the reconciler sweeps. The secrets table, under a key
 * of its own, which only the steps that need a secret may read:
 *   ONBOARDING#<id> / SECRETS  PKCE verifier, authorization code or reference, access token, task token, user IP
 * Every change is a single-item conditional write, so concurrent callbacks
 * and choices resolve to exactly one winner without transactions.
 */
const profileKey = (onboardingId: string) => itemKey('ONBOARDING', onboardingId, 'PROFILE');
const secretsKey = (onboardingId: string) => itemKey('ONBOARDING', onboardingId, 'SECRETS');
const stateKey = (stateHash: string) => itemKey('STATE', stateHash, 'STATE');
const webhookKey = (eventId: string) => itemKey('WEBHOOK', eventId, 'WEBHOOK');
/** TrueLayer retries a webhook for up to 72 hours; a receipt outlives that. */
const WEBHOOK_RECEIPT_SECONDS = 7 * 86_400;
const onboardingIdOf = (pk: unknown) => idOfKey('ONBOARDING', pk);

/** Bookkeeping attributes: on the item, never in what the schemas see. */
const WRITE_ID = 'write_id';
const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  tableKeys.timeToLive,
  dueIndex.partitionKey,
  dueIndex.sortKey,
  WRITE_ID,
] as const;

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

/**
 * What a state points to, until when. Kept a day past expiry so that a late
 * return is told "expired", not "unknown".
 */
function stateItem(stateHash: string, onboardingId: string, expiresAt: Date): Record<string, unknown> {
  const state: StateRecord = { onboarding_id: onboardingId, expires_at_epoch: epochSeconds(expiresAt) };
  return { ...stateKey(stateHash), ...state, [tableKeys.timeToLive]: epochSeconds(expiresAt) + 86_400 };
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export interface RepositorySettings {
  /**
   * How long a journey may sit in an in-between status, or an end may wait
   * for its event and clean-up, before the reconciler looks at it.
   */
  stallSeconds: number;
}

/**
 * When the reconciler must look at a record next, or undefined when nothing is
 * due: an unused auth link when it expires; a journey in an in-between status,
 * or any record with an unpublished event, after the stall time. A terminal
 * record whose event and clean-up are confirmed leaves the index.
 */
export function dueAt(
  record: { status: OnboardingStatus; auth_link_expires_at: string; pendingEvents: boolean },
  now: Date,
  settings: RepositorySettings,
): number | undefined {
  const stalled = epochSeconds(now) + settings.stallSeconds;
  if (record.status === 'awaiting_authorization') {
    const expiry = epochSeconds(new Date(record.auth_link_expires_at));
    return record.pendingEvents ? Math.min(expiry, stalled) : expiry;
  }
  if (terminalStatuses.includes(record.status) && !record.pendingEvents) return undefined;
  return stalled;
}

export interface TransitionRequest {
  /** The write happens only when the record is in one of these statuses. */
  from: readonly OnboardingStatus[];
  to?: OnboardingStatus;
  set?: Partial<
    Omit<
      Onboarding,
      | 'onboarding_id'
      | 'status'
      | 'timeline'
      | 'created_at'
      | 'updated_at'
      | 'outbox'
      | 'auth_link_expires_at'
    >
  >;
  remove?: ReadonlyArray<keyof Onboarding>;
  /** Appended to the timeline, in order; omitted only when undoing a claim. */
  timeline?: TimelineEntry | readonly TimelineEntry[];
  /** The event this change announces, committed with it (see outboxEventSchema). */
  announce?: OutboxEvent;
  /** Extra condition on a field's current value, e.g. the account a claim was made for. */
  expect?: { field: keyof Onboarding; value: string };
  now: Date;
}

/** Everything a workflow step starts from, read in one request. */
export interface Journey {
  onboarding: Onboarding;
  secrets: JourneySecrets | undefined;
}

/** Where the repository keeps its items. */
export interface RepositoryTables {
  /** Records and auth link states. */
  records: string;
  /**
   * The journeys' secrets. Absent in functions that must not touch them
   * (their role cannot either): a call that needs it then fails loudly.
   */
  secrets?: string | undefined;
}

export class OnboardingRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #secretsTableName: string | undefined;
  readonly #settings: RepositorySettings;

  constructor(client: DynamoDBDocumentClient, tables: RepositoryTables, settings: RepositorySettings) {
    this.#client = client;
    this.#tableName = tables.records;
    this.#secretsTableName = tables.secrets;
    this.#settings = settings;
  }

  /** The secrets table, or a ConfigurationError in a function that was given none. */
  get #secretsTable(): string {
    if (this.#secretsTableName === undefined) {
      throw new ConfigurationError(
        "This function has no access to the journeys' secrets (SECRETS_TABLE_NAME)",
      );
    }
    return this.#secretsTableName;
  }

  /**
   * Stores a new onboarding, the state item its auth link carries and its
   * secrets item (the PKCE verifier). The three keys are new random values, so
   * a condition failure can only be this call's own write whose answer was
   * lost and that the SDK sent again: it counts as written.
   */
  async create(
    onboarding: Onboarding,
    stateHash: string,
    secrets: Pick<JourneySecrets, 'code_verifier'>,
    retentionUntil: Date,
  ): Promise<void> {
    const expiresAt = new Date(onboarding.auth_link_expires_at);
    const due = dueAt(
      { ...onboarding, pendingEvents: false },
      new Date(onboarding.created_at),
      this.#settings,
    );
    const items: Array<{ table: string; item: Record<string, unknown> }> = [
      {
        table: this.#tableName,
        item: {
          ...profileKey(onboarding.onboarding_id),
          ...onboarding,
          ...this.#dueKeys(onboarding.onboarding_id, due),
          [tableKeys.timeToLive]: epochSeconds(retentionUntil),
        },
      },
      { table: this.#tableName, item: stateItem(stateHash, onboarding.onboarding_id, expiresAt) },
      {
        table: this.#secretsTable,
        item: {
          ...secretsKey(onboarding.onboarding_id),
          ...secrets,
          [tableKeys.timeToLive]: epochSeconds(retentionUntil),
        },
      },
    ];
    await Promise.all(
      items.map(({ table, item }) =>
        this.#client
          .send(
            new PutCommand({
              TableName: table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          }),
      ),
    );
  }

  async findState(stateHash: string): Promise<StateRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: stateKey(stateHash), ConsistentRead: true }),
    );
    return Item ? parseItem(stateRecordSchema, Item, 'state') : undefined;
  }

  /**
   * Records that a webhook (by TrueLayer's `event_id`) is being acted on:
   * true for the first delivery, false for a duplicate. Kept a week, past
   * TrueLayer's 72 hours of retries.
   */
  async claimWebhook(eventId: string, now: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...webhookKey(eventId),
            received_at: now.toISOString(),
            [tableKeys.timeToLive]: epochSeconds(now) + WEBHOOK_RECEIPT_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Forgets a claimed webhook whose handling failed, so that TrueLayer's retry is acted on. */
  async releaseWebhook(eventId: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: webhookKey(eventId) }));
  }

  /**
   * Marks a state as used by one outcome, atomically: only the first caller
   * whose state is still unused and unexpired wins and gets the state record;
   * everyone else gets undefined. (A lost answer makes the SDK's resend lose;
   * the caller then recognises its own outcome, see handle-callback.ts.)
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
      if (isConditionFailure(error)) return undefined;
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
   * appending timeline entries, committing the announced event with it and
   * keeping the due index in step. Throws OnboardingStatusConflictError
   * carrying the current status when the record is elsewhere.
   *
   * Each call tags its write with a fresh id. When the condition fails, the
   * record is read back: if it carries this call's id, the write took effect
   * and only its answer was lost (the SDK then resent it), so it succeeded.
   */
  async transition(onboardingId: string, request: TransitionRequest): Promise<Onboarding> {
    const writeId = randomUUID();
    const names: Record<string, string> = {
      '#status': 'status',
      '#updated_at': 'updated_at',
      '#write_id': WRITE_ID,
    };
    const entries = request.timeline === undefined ? [] : [request.timeline].flat();
    const values: Record<string, unknown> = {
      ':updated_at': request.now.toISOString(),
      ':write_id': writeId,
    };
    const sets = ['#updated_at = :updated_at', '#write_id = :write_id'];
    const removes: string[] = [];
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
    if (request.announce) {
      names['#outbox'] = 'outbox';
      values[':announced'] = [request.announce];
      values[':none'] = [];
      sets.push('#outbox = list_append(if_not_exists(#outbox, :none), :announced)');
    }
    for (const field of request.remove ?? []) {
      names[`#${field}`] = field;
      removes.push(`#${field}`);
    }
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
    this.#dueExpression(onboardingId, this.#dueAfter(request), names, values, sets, removes);
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
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: profileKey(onboardingId), ConsistentRead: true }),
      );
      if (!Item) throw new OnboardingNotFoundError(onboardingId);
      const current = parseItem(onboardingSchema, Item, 'onboarding');
      if (Item[WRITE_ID] === writeId) return current;
      throw new OnboardingStatusConflictError(
        `The onboarding is ${current.status}; expected ${request.from.join(' or ')}.`,
        current.status,
      );
    }
  }

  /**
   * Publication confirmed: the events published leave the record. A terminal
   * record leaves the due index with them (its clean-up is done by then); any
   * other is next due after the stall time. When an event was appended since
   * they were read, nothing changes: the record stays due and the reconciler
   * publishes the whole list again (the same ids, which consumers drop).
   */
  async confirmOutbox(onboarding: Onboarding, published: readonly OutboxEvent[], now: Date): Promise<void> {
    const last = published.at(-1);
    if (last === undefined) return;
    const names: Record<string, string> = { '#outbox': 'outbox', '#event_id': 'event_id' };
    const values: Record<string, unknown> = { ':count': published.length, ':last': last.event_id };
    const sets: string[] = [];
    const removes = ['#outbox'];
    const due = dueAt({ ...onboarding, pendingEvents: false }, now, this.#settings);
    this.#dueExpression(onboarding.onboarding_id, due, names, values, sets, removes);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(onboarding.onboarding_id),
          UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}REMOVE ${removes.join(', ')}`,
          ConditionExpression: `size(#outbox) = :count AND #outbox[${published.length - 1}].#event_id = :last`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Erases the person's data from an ended record, in one conditional write
   * with the event that announces it (the record's outbox, as every other
   * change): the user, the account, the choices offered, the chosen account
   * id, the integrator's reference and the timeline's details go, the
   * failure keeps only its reason and sentence; what remains (id, status,
   * step names and times) names nobody. Only from the status it was read in,
   * only once (`erased_at`), and only with no event pending, so that the
   * journey's own end is published before its data goes.
   *
   * `committed` says whether this call made the change; an erasure already
   * recorded (by an earlier call, or by this one whose answer was lost)
   * returns the erased record with `committed: false` or `true` accordingly.
   */
  async erase(
    onboarding: Onboarding,
    announce: OutboxEvent,
    now: Date,
  ): Promise<{ onboarding: Onboarding; committed: boolean }> {
    const writeId = randomUUID();
    const names: Record<string, string> = {
      '#status': 'status',
      '#updated_at': 'updated_at',
      '#write_id': WRITE_ID,
      '#erased_at': 'erased_at',
      '#timeline': 'timeline',
      '#outbox': 'outbox',
    };
    const values: Record<string, unknown> = {
      ':status': onboarding.status,
      ':updated_at': now.toISOString(),
      ':write_id': writeId,
      ':erased_at': now.toISOString(),
      // Step names and times only: a detail may name an account or carry what a redirect said.
      ':timeline': onboarding.timeline.map(({ at, step }) => ({ at, step })),
      ':announced': [announce],
      ':zero': 0,
    };
    const sets = [
      '#updated_at = :updated_at',
      '#write_id = :write_id',
      '#erased_at = :erased_at',
      '#timeline = :timeline',
      '#outbox = :announced',
    ];
    const removes: string[] = [];
    for (const field of ['user', 'account', 'account_choices', 'chosen_account_id', 'reference'] as const) {
      names[`#${field}`] = field;
      removes.push(`#${field}`);
    }
    // The connection flow's account is the chosen account by another name; the connection itself stays.
    if (onboarding.connection?.account_id !== undefined) {
      names['#connection'] = 'connection';
      names['#connection_account'] = 'account_id';
      removes.push('#connection.#connection_account');
    }
    if (onboarding.failure) {
      names['#failure'] = 'failure';
      values[':failure'] = { reason: onboarding.failure.reason, detail: onboarding.failure.detail };
      sets.push('#failure = :failure');
    }
    this.#dueExpression(
      onboarding.onboarding_id,
      dueAt({ ...onboarding, pendingEvents: true }, now, this.#settings),
      names,
      values,
      sets,
      removes,
    );
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(onboarding.onboarding_id),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression:
            'attribute_exists(pk) AND #status = :status AND attribute_not_exists(#erased_at) AND ' +
            '(attribute_not_exists(#outbox) OR size(#outbox) = :zero)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new Error('UpdateItem returned no attributes');
      return { onboarding: parseItem(onboardingSchema, Attributes, 'onboarding'), committed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: profileKey(onboarding.onboarding_id),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new OnboardingNotFoundError(onboarding.onboarding_id);
      const current = parseItem(onboardingSchema, Item, 'onboarding');
      if (current.erased_at !== undefined)
        return { onboarding: current, committed: Item[WRITE_ID] === writeId };
      throw new OnboardingStatusConflictError(
        `The onboarding is ${current.status} with events still to publish; try again.`,
        current.status,
      );
    }
  }

  /** The reconciler looked and found nothing to do yet: look again after the stall time. */
  async postpone(onboarding: Onboarding, now: Date): Promise<void> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': onboarding.status };
    const sets: string[] = [];
    const removes: string[] = [];
    const pendingEvents = (onboarding.outbox?.length ?? 0) > 0;
    this.#dueExpression(
      onboarding.onboarding_id,
      dueAt({ ...onboarding, pendingEvents }, now, this.#settings),
      names,
      values,
      sets,
      removes,
    );
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: profileKey(onboarding.onboarding_id),
          UpdateExpression: `${sets.length ? `SET ${sets.join(', ')}` : ''}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          // Only while nothing moved on meanwhile; otherwise that write set its own due time.
          ConditionExpression: 'attribute_exists(pk) AND #status = :status',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Ids of the onboardings due at `now` or earlier, oldest first per shard, at most `limit` per shard. */
  async listDue(now: Date, limit: number): Promise<string[]> {
    const pages = await Promise.all(
      dueIndex.shards.map((shard) =>
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
        const id = onboardingIdOf(item.pk);
        return id === undefined ? [] : [id];
      }),
    );
  }

  /**
   * Keeps the authorization code and the user's IP until the workflow
   * exchanges the code. Written only while the journey's secrets exist and no
   * code was stored or spent yet, so a duplicate or replayed callback (even
   * after the journey ended and its secrets were deleted) writes nothing.
   * Returns whether this call stored the code.
   */
  async storeAuthorizationCode(
    onboardingId: string,
    code: { authorizationCode: string; endUserIp: string | undefined },
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#secretsTable,
          Key: secretsKey(onboardingId),
          UpdateExpression:
            code.endUserIp === undefined
              ? 'SET authorization_code = :code'
              : 'SET authorization_code = :code, end_user_ip = :ip',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(authorization_code) AND ' +
            'attribute_not_exists(access_token) AND attribute_not_exists(code_exchange_attempt)',
          ExpressionAttributeValues: {
            ':code': code.authorizationCode,
            ...(code.endUserIp === undefined ? {} : { ':ip': code.endUserIp }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Keeps the failure an error redirect asked for, once, unless a code came
   * first; `false` when it was not kept (a duplicate, or a code already there).
   */
  /**
   * A state of its own for a step after the first redirect (Finland's
   * identification at the bank): what it points to, until when. The state is
   * a new random value, so a condition failure is this call's own resent write.
   */
  async createState(stateHash: string, onboardingId: string, expiresAt: Date): Promise<void> {
    await this.#client
      .send(
        new PutCommand({
          TableName: this.#tableName,
          Item: stateItem(stateHash, onboardingId, expiresAt),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Keeps that the user came back from identifying at their bank (Finland),
   * and what the bank gave back when it gave something, the first time only:
   * a second return of the same identification finds them kept.
   */
  async storeIdentification(
    onboardingId: string,
    identification: { at: Date; reference?: string | undefined },
  ): Promise<void> {
    const reference = identification.reference;
    await this.#client
      .send(
        new UpdateCommand({
          TableName: this.#secretsTable,
          Key: secretsKey(onboardingId),
          UpdateExpression:
            reference === undefined
              ? 'SET identified_at = if_not_exists(identified_at, :at)'
              : 'SET identified_at = if_not_exists(identified_at, :at), ' +
                'authorization_reference = if_not_exists(authorization_reference, :reference)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':at': identification.at.toISOString(),
            ...(reference === undefined ? {} : { ':reference': reference }),
          },
        }),
      )
      // No secrets item: the journey ended (its secrets go with the end), and the return changes nothing.
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async storeDenial(onboardingId: string, denial: Failure): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#secretsTable,
          Key: secretsKey(onboardingId),
          UpdateExpression: 'SET denial = :denial',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(authorization_code) AND attribute_not_exists(denial)',
          ExpressionAttributeValues: { ':denial': denial },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * The record, then its secrets, both strongly consistent. In this order
   * because secrets are written before the record moves on (the task token
   * before `awaiting_account_choice`, the code beside `authorized`): a
   * record read first that says a secret exists is never followed by a
   * secrets read that predates it.
   */
  async getJourney(onboardingId: string): Promise<Journey> {
    const onboarding = await this.get(onboardingId);
    return { onboarding, secrets: await this.#findSecrets(onboardingId) };
  }

  async #findSecrets(onboardingId: string): Promise<JourneySecrets | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#secretsTable, Key: secretsKey(onboardingId), ConsistentRead: true }),
    );
    return Item ? parseItem(journeySecretsSchema, Item, 'journey secrets') : undefined;
  }

  /**
   * Records that the code is about to be sent to TrueLayer, under a fresh
   * attempt id. Refused (JourneyCodeSpentError) when an earlier attempt was
   * recorded: that attempt's outcome is unknown and the code must not be sent
   * twice. A lost answer is recognised by the attempt id.
   */
  async beginCodeExchange(onboardingId: string, attemptId: string, now: Date): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#secretsTable,
          Key: secretsKey(onboardingId),
          UpdateExpression: 'SET code_exchange_attempt = :attempt, code_exchanged_at = :now',
          ConditionExpression:
            'attribute_exists(authorization_code) AND attribute_not_exists(code_exchange_attempt)',
          ExpressionAttributeValues: { ':attempt': attemptId, ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const secrets = await this.#findSecrets(onboardingId);
      if (secrets?.code_exchange_attempt !== attemptId) throw new CodeExchangeRefusedError();
    }
  }

  /** TrueLayer cannot have used the code (no connection, 429, 503): a later attempt may send it. */
  async abandonCodeExchange(onboardingId: string, attemptId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#secretsTable,
          Key: secretsKey(onboardingId),
          UpdateExpression: 'REMOVE code_exchange_attempt, code_exchanged_at',
          ConditionExpression: 'code_exchange_attempt = :attempt',
          ExpressionAttributeValues: { ':attempt': attemptId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Replaces the single-use code with the access token it was exchanged for. */
  async storeAccessToken(
    onboardingId: string,
    token: { accessToken: string; expiresAt: Date; exchangedAt: Date },
  ): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#secretsTable,
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
        TableName: this.#secretsTable,
        Key: secretsKey(onboardingId),
        UpdateExpression: 'SET task_token = :taskToken',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':taskToken': taskToken },
      }),
    );
  }

  /** Forgets every secret of the journey; called when it ends, whichever way. */
  async deleteSecrets(onboardingId: string): Promise<void> {
    await this.#client.send(
      new DeleteCommand({ TableName: this.#secretsTable, Key: secretsKey(onboardingId) }),
    );
  }

  /**
   * The due time a transition leaves the record with. Terminal changes always
   * announce their event, and no change moves a record (back) to
   * awaiting_authorization, so the target status and the announcement say it.
   */
  #dueAfter(request: TransitionRequest): number | undefined {
    const status = request.to ?? (request.from.length === 1 ? request.from[0] : undefined);
    if (status === undefined || status === 'awaiting_authorization') {
      throw new Error('A transition names its target status, or updates a record in one known status');
    }
    return dueAt(
      {
        status,
        auth_link_expires_at: request.now.toISOString(),
        pendingEvents: request.announce !== undefined,
      },
      request.now,
      this.#settings,
    );
  }

  #dueKeys(onboardingId: string, due: number | undefined): Record<string, unknown> {
    return due === undefined
      ? {}
      : { [dueIndex.partitionKey]: dueShardOf(onboardingId), [dueIndex.sortKey]: due };
  }

  #dueExpression(
    onboardingId: string,
    due: number | undefined,
    names: Record<string, string>,
    values: Record<string, unknown>,
    sets: string[],
    removes: string[],
  ): void {
    names['#due_shard'] = dueIndex.partitionKey;
    names['#due_at'] = dueIndex.sortKey;
    if (due === undefined) {
      removes.push('#due_shard', '#due_at');
      return;
    }
    values[':due_shard'] = dueShardOf(onboardingId);
    values[':due_at'] = due;
    sets.push('#due_shard = :due_shard', '#due_at = :due_at');
  }
}

/** An earlier attempt may have spent the code: it is never sent twice. */
export class CodeExchangeRefusedError extends Error {
  override readonly name = 'CodeExchangeRefusedError';

  constructor() {
    super('An earlier attempt sent the authorization code; its outcome is unknown.');
  }
}
