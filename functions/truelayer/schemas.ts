import * as z from 'zod/mini';
import { accountDetailsSchema, optionalText } from './account-details.ts';

/*
 * What Signup+ answers (`GET /signup-plus/accounts`). The token and error
 * shapes every TrueLayer client reads are in common-schemas.ts; the account
 * details the onboarding record keeps are in account-details.ts.
 */

/**
 * The address as Signup+ returns it. TrueLayer's SDK fixtures name the country
 * `country`, the Signup+ guide writes `country_code`: accept both, keep one.
 */
const addressSchema = z.pipe(
  z
    .object({
      address_line1: z.string().check(z.minLength(1)),
      address_line2: optionalText,
      city: z.string().check(z.minLength(1)),
      state: optionalText,
      zip: z.string().check(z.minLength(1)),
      country: z.optional(z.string().check(z.length(2))),
      country_code: z.optional(z.string().check(z.length(2))),
    })
    .check(
      z.refine((address) => address.country ?? address.country_code, { message: 'country is required' }),
    ),
  z.transform(({ country, country_code, ...rest }) => ({
    ...rest,
    country: (country ?? country_code ?? '').toUpperCase(),
  })),
);

/** Identity and account of one account, as `GET /signup-plus/accounts` returns it. */
export const signupPlusIdentitySchema = z.object({
  title: optionalText,
  first_name: z.string().check(z.minLength(1)),
  last_name: z.string().check(z.minLength(1)),
  date_of_birth: z.iso.date(),
  // Finnish users carry these instead of a title.
  national_identification_number: optionalText,
  sex: optionalText,
  address: addressSchema,
  account_details: accountDetailsSchema,
});
export type SignupPlusIdentity = z.infer<typeof signupPlusIdentitySchema>;

export const linkedAccountSchema = z.object({
  account_id: z.string().check(z.minLength(1)),
  display_name: z.string().check(z.minLength(1)),
  account_type: z.string().check(z.minLength(1)),
  currency: z.string().check(z.length(3)),
  account_number: optionalText,
  sort_code: optionalText,
  iban: optionalText,
});
export type LinkedAccount = z.infer<typeof linkedAccountSchema>;

/** The answer when the user linked several accounts and must pick one. */
export const multipleAccountsSchema = z.object({
  result: z.literal('multiple_accounts_linked'),
  detail: z.optional(z.string()),
  links: z.optional(z.record(z.string(), z.string())),
  accounts: z.array(linkedAccountSchema).check(z.minLength(2)),
});
