import * as z from 'zod/mini';

/*
 * The account details Signup+ returns, in a module of their own: the
 * onboarding record and the ready event hold them, so every onboarding
 * function loads this, while only the functions calling TrueLayer build the
 * response schemas of schemas.ts at cold start.
 */

/** Text that may be absent; when present it is not blank (the reader drops blanks). */
export const optionalText = z.optional(z.string().check(z.trim(), z.minLength(1)));

/**
 * What a payment needs to reach the account, decided here once (docs/events.md,
 * "Ready for payment"): a sort code with an account number, or an IBAN.
 * Everything else is carried when TrueLayer sends it.
 */
export function hasPaymentRoute(details: {
  sort_code?: string | undefined;
  account_number?: string | undefined;
  iban?: string | undefined;
}): boolean {
  return Boolean(details.iban || (details.sort_code && details.account_number));
}

/** The account as the record and the ready event keep it. `provider_id` is carried when TrueLayer sends it. */
export const accountDetailsSchema = z
  .object({
    provider_id: optionalText,
    sort_code: optionalText,
    account_number: optionalText,
    iban: optionalText,
  })
  .check(
    z.refine(hasPaymentRoute, {
      message: 'account_details needs an IBAN or a sort code and account number',
    }),
  )
  // The same rule for the published JSON Schemas, which cannot read the refinement above.
  .register(z.globalRegistry, {
    description:
      'The account to pay: a sort code with an account number, or an IBAN (at least one of the two). ' +
      'provider_id is carried when TrueLayer sends it.',
    anyOf: [
      {
        properties: { sort_code: { type: 'string' }, account_number: { type: 'string' } },
        required: ['sort_code', 'account_number'],
      },
      { properties: { iban: { type: 'string' } }, required: ['iban'] },
    ],
  });
export type AccountDetails = z.infer<typeof accountDetailsSchema>;
