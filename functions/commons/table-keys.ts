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
