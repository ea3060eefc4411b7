import { z } from 'zod';

/**
 * The sandbox's mock payment banks (D:mock-providers-for-payments-v3, D:signup-sandbox), each in
 * its own currency: the redirect flows the Signup+ payments flow uses.
 */
export const MOCK_PAYMENT_PROVIDERS = {
  'mock-payments-gb-redirect': { currency: 'GBP', name: 'Mock UK Payments - Redirect Flow' },
  'mock-payments-fi-redirect': { currency: 'EUR', name: 'Mock Finland Payments - Redirect Flow' },
} as const;

export type MockPaymentProviderId = keyof typeof MOCK_PAYMENT_PROVIDERS;

export function isMockPaymentProvider(id: string): id is MockPaymentProviderId {
  return Object.hasOwn(MOCK_PAYMENT_PROVIDERS, id);
}

/** The mock bank of a currency: where a user-selected payment goes when nobody picks one. */
export function providerForCurrency(currency: 'GBP' | 'EUR'): MockPaymentProviderId {
  return currency === 'GBP' ? 'mock-payments-gb-redirect' : 'mock-payments-fi-redirect';
}

/** TrueLayer's sandbox refuses a payment to a merchant account above this (D:sandbox-testing-resources). */
export const SANDBOX_MAX_AMOUNT_IN_MINOR = 5_000_000;

/** `provider_selection` of a payment's `payment_method` and of a mandate (D:select-a-banking-provider-for-payments). */
export const ProviderSelectionSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user_selected'), filter: z.looseObject({}).optional() }),
  z.looseObject({
    type: z.literal('preselected'),
    provider_id: z.string().refine(isMockPaymentProvider, 'Unknown provider for this sandbox'),
  }),
]);

export type ProviderSelection = z.infer<typeof ProviderSelectionSchema>;

/** The mock bank a payment or mandate is authorised at: the preselected one, else the currency's own. */
export function providerFor(selection: ProviderSelection, currency: 'GBP' | 'EUR'): MockPaymentProviderId {
  if (selection.type === 'preselected' && isMockPaymentProvider(selection.provider_id))
    return selection.provider_id;
  return providerForCurrency(currency);
}

/** Refuses a preselected mock bank of another currency (each mock bank takes its own only). */
export function checkProviderCurrency(
  selection: ProviderSelection,
  currency: 'GBP' | 'EUR',
  path: readonly PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  if (selection.type !== 'preselected' || !isMockPaymentProvider(selection.provider_id)) return;
  if (MOCK_PAYMENT_PROVIDERS[selection.provider_id].currency !== currency) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'provider_id'],
      message: `The provider does not take ${currency}`,
    });
  }
}

/** The paying user, as payments and mandates take it: `name`, and `email` or `phone`. */
export const PaymentUserSchema = z
  .looseObject({
    id: z.string().min(1).optional(),
    name: z.string().min(1),
    email: z
      .string()
      .regex(/^[^@\s]+@[^@\s]+$/, 'Must be an email address')
      .optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ]{6,20}$/, 'Must be a phone number')
      .optional(),
  })
  .refine((user) => user.email !== undefined || user.phone !== undefined, {
    message: 'Either email or phone is required',
    path: ['email'],
  });

/** `related_products`: only Signup+ is played. */
export const RelatedProductsSchema = z.looseObject({ signup_plus: z.looseObject({}).optional() });

/** `metadata`: string values only. */
export const MetadataSchema = z.record(z.string(), z.string());

/**
 * `POST /v3/payments` body (Payments v3 create-payment reference; JAVA/PHP/NET request models).
 * Loose objects: fields the simulator does not play (remitter, scheme_selection, retry, …) are let
 * through, as TrueLayer takes them; what it documents as required or invalid is refused.
 * Only a merchant-account beneficiary is played: Signup+ supports no other (D:signup-sandbox).
 */
export const CreatePaymentSchema = z
  .looseObject({
    amount_in_minor: z
      .int()
      .min(1)
      .max(SANDBOX_MAX_AMOUNT_IN_MINOR, `Must be at most ${SANDBOX_MAX_AMOUNT_IN_MINOR} in sandbox`),
    currency: z.enum(['GBP', 'EUR']),
    payment_method: z.looseObject({
      type: z.literal('bank_transfer'),
      provider_selection: ProviderSelectionSchema,
      beneficiary: z.looseObject({
        type: z.literal('merchant_account', 'Must be merchant_account'),
        merchant_account_id: z.string().min(1),
        reference: z.string().min(1).max(140).optional(),
      }),
    }),
    user: PaymentUserSchema,
    related_products: RelatedProductsSchema.optional(),
    metadata: MetadataSchema.optional(),
  })
  .superRefine((body, ctx) => {
    checkProviderCurrency(
      body.payment_method.provider_selection,
      body.currency,
      ['payment_method', 'provider_selection'],
      ctx,
    );
  });

export type CreatePaymentRequest = z.infer<typeof CreatePaymentSchema>;
