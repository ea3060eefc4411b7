import * as z from 'zod/mini';

/*
 * The account details Signup+ returns, in a module of their own: the
 * onboarding record and the ready event hold them, so every onboarding
 * function loads this, while only the functions calling TrueLayer build the
 * response schemas of schemas.ts at cold start.
 */

/** Text TrueLayer may leave out; when present it is not blank. */
export const optionalText = z.optional(z.string().check(z.trim(), z.minLength(1)));

export const accountDetailsSchema = z
  .object({
    provider_id: z.string().check(z.minLength(1)),
    sort_code: optionalText,
    account_number: optionalText,
    iban: optionalText,
  })
  .check(
    z.refine((details) => details.iban ?? (details.sort_code && details.account_number), {
      message: 'account_details needs an IBAN or a sort code and account number',
    }),
  );
export type AccountDetails = z.infer<typeof accountDetailsSchema>;
