import { z } from 'zod';
import {
  checkProviderCurrency,
  MetadataSchema,
  PaymentUserSchema,
  ProviderSelectionSchema,
  RelatedProductsSchema,
} from '../payments/request.ts';

/** The account of an external-account beneficiary: UK sort code and number, or an IBAN. */
const AccountIdentifierSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('sort_code_account_number'),
    sort_code: z.string().regex(/^\d{6}$/, 'Must be 6 digits'),
    account_number: z.string().regex(/^\d{8}$/, 'Must be 8 digits'),
  }),
  z.looseObject({
    type: z.literal('iban'),
    iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'Must be an IBAN'),
  }),
]);

/** Who the mandate's payments go to: a merchant account, or an account of the user's own (sweeping). */
const BeneficiarySchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('merchant_account'),
    merchant_account_id: z.string().min(1),
    account_holder_name: z.string().min(1).optional(),
  }),
  z.looseObject({
    type: z.literal('external_account'),
    account_holder_name: z.string().min(1),
    account_identifier: AccountIdentifierSchema,
  }),
]);

const PositiveAmount = z.int().min(1, 'Must be a positive amount in minor units');

const PeriodicLimitSchema = z.looseObject({
  maximum_amount: PositiveAmount,
  period_alignment: z.enum(['consent', 'calendar']),
});

/** A limit per period (NET PeriodicLimits); each is optional. */
const PeriodicLimitsSchema = z.looseObject({
  day: PeriodicLimitSchema.optional(),
  week: PeriodicLimitSchema.optional(),
  fortnight: PeriodicLimitSchema.optional(),
  month: PeriodicLimitSchema.optional(),
  half_year: PeriodicLimitSchema.optional(),
  year: PeriodicLimitSchema.optional(),
});

const Rfc3339 = z.iso.datetime({ offset: true, message: 'Must be an RFC 3339 date-time' });

const ConstraintsSchema = z
  .looseObject({
    valid_from: Rfc3339.optional(),
    valid_to: Rfc3339.optional(),
    maximum_individual_amount: PositiveAmount,
    periodic_limits: PeriodicLimitsSchema.optional(),
  })
  .refine(
    (constraints) =>
      constraints.valid_from === undefined ||
      constraints.valid_to === undefined ||
      Date.parse(constraints.valid_from) < Date.parse(constraints.valid_to),
    { message: 'Must be after valid_from', path: ['valid_to'] },
  );

/**
 * `POST /v3/mandates` body (Payments v3 create-mandate reference; NET CreateMandateRequest, Mandate,
 * Constraints, PeriodicLimits). Loose objects as for payments (payments/request.ts): fields the
 * simulator does not play (`reference`, `remitter`, …) are let through; what TrueLayer documents as
 * required or invalid is refused. A preselected bank is one of the mock payment banks (TrueLayer
 * recommends `ob-natwest-vrp-sandbox` for mandates, whose screens the simulator does not play).
 */
export const CreateMandateSchema = z
  .looseObject({
    mandate: z.looseObject({
      type: z.enum(['sweeping', 'commercial']),
      provider_selection: ProviderSelectionSchema,
      beneficiary: BeneficiarySchema,
    }),
    currency: z.enum(['GBP', 'EUR']),
    user: PaymentUserSchema,
    constraints: ConstraintsSchema,
    metadata: MetadataSchema.optional(),
    related_products: RelatedProductsSchema.optional(),
  })
  .superRefine((body, ctx) => {
    checkProviderCurrency(
      body.mandate.provider_selection,
      body.currency,
      ['mandate', 'provider_selection'],
      ctx,
    );
  });

export type CreateMandateRequest = z.infer<typeof CreateMandateSchema>;

/**
 * The scope a mandate of this type needs. D:create-a-payment-mandate: a token with
 * `recurring_payments:sweeping` or `recurring_payments:commercial`, one per use case; that each
 * type needs its own is the simulator's reading.
 */
export const scopeOf = (type: CreateMandateRequest['mandate']['type']) => `recurring_payments:${type}`;

/** Either mandate scope: what reading or revoking a mandate needs before its type is known. */
export const MANDATE_SCOPES = [scopeOf('sweeping'), scopeOf('commercial')] as const;
