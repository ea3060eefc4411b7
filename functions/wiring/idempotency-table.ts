import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';

/** The Powertools Idempotency table (partition key `id`, TTL `expiration`), named once per execution environment. */
export const { IDEMPOTENCY_TABLE_NAME } = readEnv(
  z.object({ IDEMPOTENCY_TABLE_NAME: z.string().check(z.minLength(1)) }),
);
