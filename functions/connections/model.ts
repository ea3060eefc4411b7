import * as z from 'zod/mini';
import { failureSchema } from '../commons/failure.ts';
import { connectionConfigurationSchema } from './configurations.ts';

/**
 * What a connection may ask TrueLayer for, and for how long (seed 003). Here
 * rather than beside the request schema (request.ts), so that functions that
 * only read records do not build that schema at cold start.
 */
export const dataScopes = ['info', 'accounts', 'balance', 'transactions'] as const;
export const dataAccessTypes = ['one_time', 'recurring'] as const;
export type DataScope = (typeof dataScopes)[number];

/**
 * Where a Data v3 connection stands, in TrueLayer's words. The first two are
 * what TrueLayer answers at creation; `authorized` and `failed` are recorded
 * when TrueLayer confirms the outcome; `expired` when the user never
 * authorised it before the link's time ran out.
 */
export const connectionStatuses = [
  'authorization_required',
  'authorizing',
  'authorized',
  'failed',
  'expired',
] as const;
export const connectionStatusSchema = z.enum(connectionStatuses);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;
export const pendingConnectionStatuses: readonly ConnectionStatus[] = [
  'authorization_required',
  'authorizing',
];

/** TrueLayer's ids go into keys, paths and query strings: hold them to a safe alphabet. */
export const connectionIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be a connection id (letters, digits and . _ : - only)'));

export const connectionTimelineEntrySchema = z.object({
  at: z.iso.datetime(),
  step: z.enum(['connection_created', 'authorized', 'failed', 'expired']),
  detail: z.optional(z.string()),
});
export type ConnectionTimelineEntry = z.infer<typeof connectionTimelineEntrySchema>;

/**
 * The connection's onboarding record. It holds no personal data: the user's
 * name, email, phone, IP address and the request's metadata go to TrueLayer
 * and nowhere else. `return_uri` is the integrator's page, where the user is
 * sent after the product has recorded the return.
 */
export const connectionRecordSchema = z.object({
  onboarding_id: z.string(),
  connection_id: connectionIdSchema,
  truelayer_user_id: z.string(),
  status: connectionStatusSchema,
  configuration: connectionConfigurationSchema,
  scopes: z.array(z.enum(dataScopes)),
  data_access_type: z.enum(dataAccessTypes),
  provider_id: z.optional(z.string()),
  return_uri: z.optional(z.string()),
  /** The connection flow's connection: its onboarding (same id) follows it through Signup+. */
  signup_plus: z.optional(z.literal(true)),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  failure: z.optional(failureSchema),
  timeline: z.array(connectionTimelineEntrySchema),
});
export type ConnectionRecord = z.infer<typeof connectionRecordSchema>;

const connectionEventBase = {
  connection_id: connectionIdSchema,
  configuration: connectionConfigurationSchema,
  scopes: z.array(z.enum(dataScopes)),
  data_access_type: z.enum(dataAccessTypes),
  provider_id: z.optional(z.string()),
};

/** Detail fields of the Data v3 events beyond the common envelope (functions/contract/events.ts). */
export const connectionEventFields = {
  created: {
    ...connectionEventBase,
    truelayer_user_id: z.string(),
    status: z.enum(['authorization_required', 'authorizing']),
  },
  authorized: { ...connectionEventBase, truelayer_user_id: z.string() },
  failed: { ...connectionEventBase, failure: failureSchema },
  expired: { ...connectionEventBase, failure: failureSchema },
};
