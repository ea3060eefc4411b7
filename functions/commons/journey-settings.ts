import * as z from 'zod/mini';
import { positiveIntFromEnv } from './env.ts';

/**
 * The settings every journey (a Signup+ onboarding and a Data v3 connection)
 * reads the same way, under the same names: how long its records are kept
 * and how long the user has to go through their bank.
 */
export const journeySettingsSchema = z.object({
  RECORD_RETENTION_DAYS: positiveIntFromEnv(30),
  AUTH_LINK_TTL_SECONDS: positiveIntFromEnv(600),
});

/** The table every record lives in, and the journeys' secrets table where the function has one. */
export const tableSettingsSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  // Only the functions whose manifest capabilities include a secrets capability get it (and the grant).
  SECRETS_TABLE_NAME: z.optional(z.string().check(z.minLength(1))),
});
