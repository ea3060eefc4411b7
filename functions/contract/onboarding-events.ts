import * as z from 'zod/mini';
import { failureSchema } from '../commons/failure.ts';
import { userIdentitySchema } from '../onboarding/user-identity.ts';
import { accountDetailsSchema } from '../truelayer/account-details.ts';

/*
 * The onboarding (Signup+) events, in a module of their own so that a
 * function publishing only these does not bundle, and load at cold start,
 * the Data v3 schemas. contracts.ts gathers every event of the product and
 * re-exports all of this.
 */

/** The `source` of every event this product publishes. */
export const EVENT_SOURCE = 'signupplus.onboarding';

/** Bumped on breaking changes to a detail; consumers can branch on it. */
export const SCHEMA_VERSION = '1' as const;

export const DetailTypes = {
  readyForPayment: 'Onboarding Ready For Payment',
  accountChoiceRequired: 'Onboarding Account Choice Required',
  failed: 'Onboarding Failed',
  expired: 'Onboarding Expired',
  erased: 'Onboarding Erased',
  dataConnectionCreated: 'Data Connection Created',
  dataConnectionAuthorized: 'Data Connection Authorized',
  dataConnectionFailed: 'Data Connection Failed',
  dataConnectionExpired: 'Data Connection Expired',
} as const;
export type DetailType = (typeof DetailTypes)[keyof typeof DetailTypes];

/** Fields every detail carries: a version, an id stable across retries for deduplication, and the journey. */
export const detailEnvelopeSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  event_id: z.uuid(),
  onboarding_id: z.string(),
  reference: z.optional(z.string()),
  occurred_at: z.iso.datetime(),
});

/**
 * Everything a payment service needs to create a TrueLayer payment for this
 * user without another lookup. Carries personal data by design.
 */
export const readyForPaymentDetailSchema = z.extend(detailEnvelopeSchema, {
  user: userIdentitySchema,
  account: accountDetailsSchema,
  /** The payment flow's settled payment, whose payer `user` and `account` are. */
  payment_id: z.optional(z.string()),
  /** The mandate flow's authorised mandate, whose giver `user` and `account` are. */
  mandate_id: z.optional(z.string()),
  /** The connection flow's Data v3 connection, whose connected account `account` is. */
  connection_id: z.optional(z.string()),
});

/** No personal data: the choices themselves are read from GET /onboardings/{id}. */
export const accountChoiceRequiredDetailSchema = z.extend(detailEnvelopeSchema, {
  account_count: z.number().check(z.int(), z.minimum(2)),
  choose_before: z.iso.datetime(),
});

export const failedDetailSchema = z.extend(detailEnvelopeSchema, { failure: failureSchema });

export const expiredDetailSchema = z.extend(detailEnvelopeSchema, { failure: failureSchema });

/**
 * The person's data was erased on request: consumers erase what they keep
 * about this onboarding. No personal data, and no `reference` either (an
 * integrator's reference may itself name the person): the onboarding id is
 * the key. `status` is how the journey had ended.
 */
export const erasedDetailSchema = z.extend(z.omit(detailEnvelopeSchema, { reference: true }), {
  status: z.enum(['completed', 'failed', 'expired']),
});

/** The schemas of the events an onboarding journey publishes. */
export const onboardingDetailSchemas = {
  [DetailTypes.readyForPayment]: readyForPaymentDetailSchema,
  [DetailTypes.accountChoiceRequired]: accountChoiceRequiredDetailSchema,
  [DetailTypes.failed]: failedDetailSchema,
  [DetailTypes.expired]: expiredDetailSchema,
  [DetailTypes.erased]: erasedDetailSchema,
} as const;
export type OnboardingDetailType = keyof typeof onboardingDetailSchemas;
export const onboardingDetailTypes = [
  DetailTypes.readyForPayment,
  DetailTypes.accountChoiceRequired,
  DetailTypes.failed,
  DetailTypes.expired,
  DetailTypes.erased,
] as const satisfies readonly OnboardingDetailType[];
