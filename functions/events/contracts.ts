import { z } from 'zod';
import { connectionEventFields } from '../connections/model.ts';
import { failureSchema, userIdentitySchema } from '../onboarding/model.ts';
import { accountDetailsSchema } from '../truelayer/schemas.ts';

/** The `source` of every event this product publishes. */
export const EVENT_SOURCE = 'signupplus.onboarding';

/** Bumped on breaking changes to a detail; consumers can branch on it. */
export const SCHEMA_VERSION = '1' as const;

export const DetailTypes = {
  readyForPayment: 'Onboarding Ready For Payment',
  accountChoiceRequired: 'Onboarding Account Choice Required',
  failed: 'Onboarding Failed',
  expired: 'Onboarding Expired',
  dataConnectionCreated: 'Data Connection Created',
  dataConnectionAuthorized: 'Data Connection Authorized',
  dataConnectionFailed: 'Data Connection Failed',
} as const;
export type DetailType = (typeof DetailTypes)[keyof typeof DetailTypes];

/** Fields every detail carries: a version, an id stable across retries for deduplication, and the journey. */
const envelope = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  event_id: z.uuid(),
  onboarding_id: z.string(),
  reference: z.string().optional(),
  occurred_at: z.iso.datetime(),
});

/**
 * Everything a payment service needs to create a TrueLayer payment for this
 * user without another lookup. Carries personal data by design.
 */
export const readyForPaymentDetailSchema = envelope.extend({
  user: userIdentitySchema,
  account: accountDetailsSchema,
});

/** No personal data: the choices themselves are read from GET /onboardings/{id}. */
export const accountChoiceRequiredDetailSchema = envelope.extend({
  account_count: z.number().int().min(2),
  choose_before: z.iso.datetime(),
});

export const failedDetailSchema = envelope.extend({ failure: failureSchema });

export const expiredDetailSchema = envelope.extend({ failure: failureSchema });

/** Data v3: ids, the configuration and what was asked for; no personal data. */
export const dataConnectionCreatedDetailSchema = envelope.extend(connectionEventFields.created);
/** The user came back and TrueLayer confirmed the connection: later data calls need `connection_id`. */
export const dataConnectionAuthorizedDetailSchema = envelope.extend(connectionEventFields.authorized);
export const dataConnectionFailedDetailSchema = envelope.extend(connectionEventFields.failed);

export const detailSchemas = {
  [DetailTypes.readyForPayment]: readyForPaymentDetailSchema,
  [DetailTypes.accountChoiceRequired]: accountChoiceRequiredDetailSchema,
  [DetailTypes.failed]: failedDetailSchema,
  [DetailTypes.expired]: expiredDetailSchema,
  [DetailTypes.dataConnectionCreated]: dataConnectionCreatedDetailSchema,
  [DetailTypes.dataConnectionAuthorized]: dataConnectionAuthorizedDetailSchema,
  [DetailTypes.dataConnectionFailed]: dataConnectionFailedDetailSchema,
} as const;

export type DetailOf<T extends DetailType> = z.infer<(typeof detailSchemas)[T]>;
