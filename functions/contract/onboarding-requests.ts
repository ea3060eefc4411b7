/**
 * What the onboarding routes accept: `POST /onboardings` and its account
 * choice, the `{id}` of `/onboardings/{id}`, and the browser's `GET /callback`
 * query. zod/mini, so that a handler's bundle stays small; `requests.ts`
 * gathers these with the connections' for the tools.
 */
import * as z from 'zod/mini';
import { type OnboardingFlow, requestableFlows } from './flows.ts';

export { type OnboardingFlow, onboardingFlows } from './flows.ts';

/** `{id}` of the `/onboardings/{id}` routes. */
export const onboardingIdSchema = z.uuid({ message: 'must be an onboarding id (a UUID)' });
export const onboardingPathSchema = z.object({ id: onboardingIdSchema });

const providerId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'must be a TrueLayer provider id such as ob-monzo'));

/**
 * Who pays, as Payments v3 requires it: a name and an email address or a
 * phone number. Passed on to TrueLayer and kept nowhere (personal data).
 */
const payerSchema = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(140)),
    email: z.optional(
      z
        .string()
        .check(z.trim(), z.maxLength(254), z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')),
    ),
    phone: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be a phone number in E.164 form, e.g. +447700900123'),
        ),
    ),
  })
  .check(
    z.refine((payer) => payer.email !== undefined || payer.phone !== undefined, {
      message: 'needs an email or a phone',
      path: ['email'],
    }),
  );

/** `payment` of the payment flow: what the user pays into the merchant account, and who they are. */
export const paymentRequestSchema = z.strictObject({
  amount_in_minor: z.int().check(z.minimum(1), z.maximum(100_000_000_000)),
  /**
   * Pounds (UK), or euros: Signup+ in Finland, where the payer identifies at
   * their bank after paying (docs/flows.md).
   */
  currency: z.enum(['GBP', 'EUR'], { message: "must be 'GBP' or 'EUR'" }),
  user: payerSchema,
  /** Skips the bank picker on TrueLayer's payment page. */
  provider_id: z.optional(providerId),
});
export type PaymentRequest = z.infer<typeof paymentRequestSchema>;

/** A period of a mandate's limits (TrueLayer's `periodic_limits` keys). */
export const mandatePeriods = ['day', 'week', 'fortnight', 'month', 'half_year', 'year'] as const;

const minorAmount = z.int().check(z.minimum(1), z.maximum(100_000_000_000));

/**
 * `mandate` of the mandate flow: a sweeping VRP mandate into the merchant
 * account (the only kind Signup+ takes), its limits, and who gives it. The
 * user authorises it once at their bank; the payments it allows are the
 * integrator's business, after the journey.
 */
export const mandateRequestSchema = z.strictObject({
  currency: z.literal('GBP', { message: "must be 'GBP'" }),
  user: payerSchema,
  /** Skips the bank picker on TrueLayer's page. */
  provider_id: z.optional(providerId),
  constraints: z.strictObject({
    /** The most one payment under the mandate may take. */
    maximum_individual_amount_in_minor: minorAmount,
    /** The most all payments may take in a period, each period at most once. */
    periodic_limits: z.optional(
      z.partialRecord(
        z.enum(mandatePeriods),
        z.strictObject({
          maximum_amount_in_minor: minorAmount,
          /** `consent`: periods count from the day the mandate was given; `calendar`: calendar periods. */
          period_alignment: z.optional(z.enum(['consent', 'calendar'])),
        }),
      ),
    ),
    /** When the mandate ends; open-ended when absent. */
    valid_to: z.optional(z.iso.datetime({ offset: true })),
  }),
});
export type MandateRequest = z.infer<typeof mandateRequestSchema>;

const required = (flow: OnboardingFlow) => ({ message: `is required when flow is ${flow}`, path: [flow] });
const onlyWith = (flow: OnboardingFlow) => ({ message: `is only taken with flow ${flow}`, path: [flow] });

/**
 * `POST /onboardings` body. Everything is optional for the data flow: `{}`
 * uses the configured defaults. `flow: "payment"` takes a `payment` and
 * `flow: "mandate"` a `mandate` instead of the data flow's provider choices.
 */
export const createOnboardingRequestSchema = z
  .strictObject({
    flow: z.optional(z.enum(requestableFlows)),
    reference: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.minLength(1),
          z.maxLength(128),
          z.regex(/^[\p{L}\p{N} ._:/#-]+$/u, 'may contain letters, digits, spaces and . _ : / # - only'),
        ),
    ),
    providers: z.optional(z.array(providerId).check(z.minLength(1), z.maxLength(20))),
    provider_id: z.optional(providerId),
    payment: z.optional(paymentRequestSchema),
    mandate: z.optional(mandateRequestSchema),
  })
  .check(
    z.refine((body) => body.flow !== 'payment' || body.payment !== undefined, required('payment')),
    z.refine((body) => body.flow === 'payment' || body.payment === undefined, onlyWith('payment')),
    z.refine((body) => body.flow !== 'mandate' || body.mandate !== undefined, required('mandate')),
    z.refine((body) => body.flow === 'mandate' || body.mandate === undefined, onlyWith('mandate')),
    z.refine(
      (body) =>
        body.flow === undefined ||
        body.flow === 'data' ||
        (body.providers === undefined && body.provider_id === undefined),
      {
        message: 'belongs to the data flow; the payment and mandate flows take their own provider_id',
        path: ['providers'],
      },
    ),
  );
export type CreateOnboardingRequest = z.infer<typeof createOnboardingRequestSchema>;

/** `POST /onboardings/{id}/account-choice` body. */
export const accountChoiceRequestSchema = z.strictObject({
  account_id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
});

const queryValue = (max: number) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    );

/**
 * The redirect's query: either a code or an error, always with the state.
 * A missing state is reported as an invalid state rather than a schema error,
 * so the user sees the same clear page either way.
 */
export const callbackQuerySchema = z
  .object({
    state: z.optional(queryValue(512)),
    code: z.optional(queryValue(2048)),
    error: z.optional(queryValue(128)),
    error_description: z.optional(z.string().check(z.maxLength(1024))),
  })
  .check(
    z.refine((query) => (query.code === undefined) !== (query.error === undefined), {
      message: 'exactly one of code and error is required',
      path: ['code'],
    }),
  );
export type CallbackQuery = z.infer<typeof callbackQuerySchema>;

/**
 * `GET /payments/return`: TrueLayer's hosted page sends the user back with
 * the payment id or the mandate id (and `error=tl_hpp_abandoned` when they
 * left without paying or authorising).
 * Nothing in it is trusted: the payment's status is read from TrueLayer.
 */
export const paymentReturnQuerySchema = z.object({
  payment_id: z.optional(queryValue(128)),
  /** A mandate's page returns with the mandate id instead. */
  mandate_id: z.optional(queryValue(128)),
  error: z.optional(queryValue(128)),
});
export type PaymentReturnQuery = z.infer<typeof paymentReturnQuerySchema>;

/**
 * `GET /identification/return` (Finland): the user's bank sends them back
 * after the identification with the state the link carried, and either the
 * reference the bank gave (TrueLayer's older guides name it; it may be
 * absent) or an error. Only the state is trusted, and only once.
 */
export const identificationReturnQuerySchema = z.object({
  state: z.optional(queryValue(512)),
  authorization_reference: z.optional(queryValue(512)),
  error: z.optional(queryValue(128)),
  error_description: z.optional(z.string().check(z.maxLength(1024))),
});
export type IdentificationReturnQuery = z.infer<typeof identificationReturnQuerySchema>;
