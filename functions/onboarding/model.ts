import * as z from 'zod/mini';
import { failureSchema } from '../commons/failure.ts';
import { onboardingDetailTypes } from '../contract/onboarding-events.ts';
import { onboardingFlows } from '../contract/onboarding-requests.ts';
import { accountDetailsSchema } from '../truelayer/account-details.ts';
import { userIdentitySchema } from './user-identity.ts';

export { type Failure, failureSchema } from '../commons/failure.ts';
export { type UserIdentity, userIdentitySchema } from './user-identity.ts';

/**
 * Where an onboarding stands. The last three are terminal: every journey ends
 * in exactly one of them, with the record written and an event published.
 */
export const onboardingStatuses = [
  'awaiting_authorization',
  'authorized',
  'awaiting_account_choice',
  'account_chosen',
  'awaiting_identification',
  'identified',
  'completed',
  'failed',
  'expired',
] as const;
export const onboardingStatusSchema = z.enum(onboardingStatuses);
export type OnboardingStatus = z.infer<typeof onboardingStatusSchema>;

export const terminalStatuses: readonly OnboardingStatus[] = ['completed', 'failed', 'expired'];
export const activeStatuses: readonly OnboardingStatus[] = onboardingStatuses.filter(
  (status) => !terminalStatuses.includes(status),
);

/** The steps a journey records on its timeline, in the order they usually happen. */
export const timelineSteps = [
  'onboarding_created',
  'user_authorized',
  'payment_settled',
  'payment_executed',
  'identification_required',
  'user_identified',
  'mandate_authorized',
  'code_exchanged',
  'accounts_fetched',
  'account_choice_required',
  'account_chosen',
  'signup_plus_requested',
  'identity_stored',
  'ready_for_payment',
  'failed',
  'expired',
] as const;
export const timelineEntrySchema = z.object({
  at: z.iso.datetime(),
  step: z.enum(timelineSteps),
  detail: z.optional(z.string()),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type TimelineStep = TimelineEntry['step'];

/**
 * One account the user may pick, with the number masked: full numbers are never shown before a
 * choice. The sort code (a branch, not the account) helps a person tell their accounts apart.
 */
export const accountChoiceSchema = z.object({
  account_id: z.string(),
  display_name: z.string(),
  account_type: z.string(),
  currency: z.string(),
  sort_code: z.optional(z.string()),
  account_number_masked: z.optional(z.string()),
});
export type AccountChoice = z.infer<typeof accountChoiceSchema>;

/**
 * An event the record announces, appended in the same conditional write as
 * the change it announces (a transactional outbox inside the item). Whoever
 * made the change publishes the pending events and then removes them; if that
 * does not happen, the reconciler finds the record on the due index and
 * publishes them. Ids are stable, so a second publication is a duplicate
 * consumers drop.
 */
export const outboxEventSchema = z.object({
  event_id: z.string(),
  detail_type: z.enum(onboardingDetailTypes),
  detail: z.record(z.string(), z.unknown()),
});
export type OutboxEvent = z.infer<typeof outboxEventSchema>;

/**
 * The payment of the payment flow: its TrueLayer id and what the user was
 * asked to pay. Names nobody, so it outlives an erasure.
 */
export const onboardingPaymentSchema = z.object({
  payment_id: z.string(),
  amount_in_minor: z.number(),
  currency: z.string(),
});
export type OnboardingPayment = z.infer<typeof onboardingPaymentSchema>;

/**
 * The mandate of the mandate flow: its TrueLayer id and the most one payment
 * under it may take. Names nobody, so it outlives an erasure.
 */
export const onboardingMandateSchema = z.object({
  mandate_id: z.string(),
  currency: z.string(),
  maximum_individual_amount_in_minor: z.number(),
});
export type OnboardingMandate = z.infer<typeof onboardingMandateSchema>;

/**
 * The Data v3 connection of the connection flow, and what Signup+ was asked
 * about it: the account (the only one, or the user's choice) and TrueLayer's
 * id for the asynchronous Signup+ request, with when it was made. An erasure
 * removes the account, as it removes the chosen account; the rest names
 * nobody and stays.
 */
export const onboardingConnectionSchema = z.object({
  connection_id: z.string(),
  account_id: z.optional(z.string()),
  signup_plus_request_id: z.optional(z.string()),
  signup_plus_requested_at: z.optional(z.iso.datetime()),
});
export type OnboardingConnection = z.infer<typeof onboardingConnectionSchema>;

/** The onboarding record as stored, validated on every read. */
export const onboardingSchema = z.object({
  onboarding_id: z.string(),
  /** Which journey this is (docs/flows.md); absent on records made before there was a choice: `data`. */
  flow: z.optional(z.enum(onboardingFlows)),
  status: onboardingStatusSchema,
  reference: z.optional(z.string()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  auth_link_expires_at: z.iso.datetime(),
  timeline: z.array(timelineEntrySchema),
  account_choices: z.optional(z.array(accountChoiceSchema)),
  account_choice_expires_at: z.optional(z.iso.datetime()),
  chosen_account_id: z.optional(z.string()),
  payment: z.optional(onboardingPaymentSchema),
  mandate: z.optional(onboardingMandateSchema),
  connection: z.optional(onboardingConnectionSchema),
  /**
   * Finland: where the user identifies at their bank once they have paid
   * (TrueLayer's `auth_uri`), and until when the product waits for them. Shown
   * to the integrator only while the journey waits for it.
   */
  identification: z.optional(
    z.object({
      link: z.url(),
      expires_at: z.iso.datetime(),
    }),
  ),
  user: z.optional(userIdentitySchema),
  account: z.optional(accountDetailsSchema),
  failure: z.optional(failureSchema),
  /** Events committed but not yet confirmed as published, oldest first. */
  outbox: z.optional(z.array(outboxEventSchema)),
  /**
   * When the person's data was erased (DELETE /onboardings/{id}): the record
   * then keeps only what names nobody (its id, status and times, the
   * timeline's step names and times without their details, a failure's reason
   * and fixed sentence) until its retention ends; the user, the account, the
   * choices, the chosen account (the connection's account too), the reference and what TrueLayer or the
   * redirect said about a failure are gone (repository.ts, `erase`).
   */
  erased_at: z.optional(z.iso.datetime()),
});
export type Onboarding = z.infer<typeof onboardingSchema>;

/** The journey a record belongs to. */
export const flowOf = (onboarding: Pick<Onboarding, 'flow'>) => onboarding.flow ?? 'data';

/** Server-side secrets of a journey, in their own item so that status reads never load them. */
export const journeySecretsSchema = z.object({
  /** PKCE (RFC 7636): proves at the code exchange that this journey asked for the code. */
  code_verifier: z.optional(z.string()),
  authorization_code: z.optional(z.string()),
  /** The user's IP address from the callback, passed on to Signup+ as X-PSU-IP; personal data. */
  end_user_ip: z.optional(z.string()),
  /**
   * The end an error redirect asked for (the user declined, the bank refused),
   * kept before the record is ended: if that write fails and the user never
   * reloads, the reconciler ends the journey with it rather than let the link
   * expire. Already cleaned as the record keeps it (denial.ts).
   */
  denial: z.optional(failureSchema),
  /**
   * Set just before the code is sent to TrueLayer: a retried step that finds
   * it without a token knows the code may be spent and never sends it again.
   */
  code_exchange_attempt: z.optional(z.string()),
  access_token: z.optional(z.string()),
  access_token_expires_at: z.optional(z.iso.datetime()),
  /** When the code was swapped for the token: a retried step still records the exchange in the timeline. */
  code_exchanged_at: z.optional(z.iso.datetime()),
  task_token: z.optional(z.string()),
  /**
   * Finland: what the user's bank gave back after the identification. Older
   * TrueLayer guides send it with the user-data request; it is treated like a
   * code, so it lives here and nowhere else.
   */
  authorization_reference: z.optional(z.string()),
  /**
   * When the user came back from the identification, kept before the record
   * moves on: if that write fails and the user never reloads, the workflow's
   * next look moves it on itself.
   */
  identified_at: z.optional(z.iso.datetime()),
});
export type JourneySecrets = z.infer<typeof journeySecretsSchema>;

/** What the `state` parameter points to. Only its SHA-256 is stored. */
export const stateRecordSchema = z.object({
  onboarding_id: z.string(),
  expires_at_epoch: z.number(),
  used_at: z.optional(z.iso.datetime()),
  /** SHA-256 of the code that used this state, or `denied`; tells a duplicate callback from a replay. */
  outcome_hash: z.optional(z.string()),
});
export type StateRecord = z.infer<typeof stateRecordSchema>;

/** Masks all but the last four digits: enough for a person to recognise their account. */
export function maskAccountNumber(accountNumber: string | undefined): string | undefined {
  if (!accountNumber) return undefined;
  const visible = accountNumber.slice(-4);
  return `${'•'.repeat(Math.max(0, accountNumber.length - 4))}${visible}`;
}
