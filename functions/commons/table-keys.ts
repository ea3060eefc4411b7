/**
 * The key schema of the product's one table, shared by the onboarding and
 * connection repositories, the CDK stack and the local runtime. Kept apart
 * from the repositories so that importing it builds none of their schemas.
 */
export const tableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'expires_at_ttl',
} as const;

/**
 * The sparse index the reconciler sweeps: only records that something is due
 * on carry its keys (a journey in an in-between status, an end whose event or
 * clean-up is not confirmed yet, an auth link waiting to be used). The
 * partition key spreads them over a few shards so that no single key takes
 * every write; the sort key is the epoch second the record is due at.
 */
export const dueIndex = {
  name: 'due',
  partitionKey: 'due_shard',
  sortKey: 'due_at',
  /** One shard per first hex digit of the onboarding id (random in a UUIDv4). */
  shards: [...'0123456789abcdef'].map((digit) => `DUE#${digit}`),
} as const;

/** The shard a record's due entry lives in. */
export const dueShardOf = (id: string) => `DUE#${id.charAt(0).toLowerCase()}`;

/**
 * Data v3 connections waiting for their user sit on the same index under
 * shards of their own (by the product's id of the journey, a UUIDv4), so
 * each sweeper reads only its own records.
 */
export const connectionDueShards = [...'0123456789abcdef'].map((digit) => `CONNECTION_DUE#${digit}`);
export const connectionDueShardOf = (onboardingId: string) =>
  `CONNECTION_DUE#${onboardingId.charAt(0).toLowerCase()}`;

/** The kinds of item the table holds, each under a partition-key prefix of its own. */
export type ItemKind = 'ONBOARDING' | 'STATE' | 'WEBHOOK' | 'CONNECTION' | 'CONNECTION_REFERENCE';

/** The key of one item: `<KIND>#<id>` and a sort key naming which of the kind's items it is. */
export const itemKey = (kind: ItemKind, id: string, sort: string) => ({
  [tableKeys.partitionKey]: `${kind}#${id}`,
  [tableKeys.sortKey]: sort,
});

/** The id in a partition key of `kind`, or undefined for an item of another kind. */
export function idOfKey(kind: ItemKind, partitionKey: unknown): string | undefined {
  const prefix = `${kind}#`;
  return typeof partitionKey === 'string' && partitionKey.startsWith(prefix)
    ? partitionKey.slice(prefix.length)
    : undefined;
}
