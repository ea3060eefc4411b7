import * as z from 'zod';

/** `POST /connect/token` success body. Extra fields are ignored. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string().regex(/^bearer$/i),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** TrueLayer's legacy OAuth error shape on the auth host. */
export const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Problem details as TrueLayer's newer APIs answer errors. */
export const trueLayerProblemSchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  trace_id: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});

const optionalText = z.string().trim().min(1).optional();

/**
 * The address as Signup+ returns it. TrueLayer's SDK fixtures name the country
 * `country`, the Signup+ guide writes `country_code`: accept both, keep one.
 */
const addressSchema = z
  .object({
    address_line1: z.string().min(1),
    address_line2: optionalText,
    city: z.string().min(1),
    state: optionalText,
    zip: z.string().min(1),
    country: z.string().length(2).optional(),
    country_code: z.string().length(2).optional(),
  })
  .refine((address) => address.country ?? address.country_code, { message: 'country is required' })
  .transform(({ country, country_code, ...rest }) => ({
    ...rest,
    country: (country ?? country_code ?? '').toUpperCase(),
  }));

export const accountDetailsSchema = z
  .object({
    provider_id: z.string().min(1),
    sort_code: optionalText,
    account_number: optionalText,
    iban: optionalText,
  })
  .refine((details) => details.iban ?? (details.sort_code && details.account_number), {
    message: 'account_details needs an IBAN or a sort code and account number',
  });
export type AccountDetails = z.infer<typeof accountDetailsSchema>;

/** Identity and account of one account, as `GET /signup-plus/accounts` returns it. */
export const signupPlusIdentitySchema = z.object({
  title: optionalText,
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  date_of_birth: z.iso.date(),
  // Finnish users carry these instead of a title.
  national_identification_number: optionalText,
  sex: optionalText,
  address: addressSchema,
  account_details: accountDetailsSchema,
});
export type SignupPlusIdentity = z.infer<typeof signupPlusIdentitySchema>;

export const linkedAccountSchema = z.object({
  account_id: z.string().min(1),
  display_name: z.string().min(1),
  account_type: z.string().min(1),
  currency: z.string().length(3),
  account_number: optionalText,
  sort_code: optionalText,
  iban: optionalText,
});
export type LinkedAccount = z.infer<typeof linkedAccountSchema>;

/** The answer when the user linked several accounts and must pick one. */
export const multipleAccountsSchema = z.object({
  result: z.literal('multiple_accounts_linked'),
  detail: z.string().optional(),
  links: z.record(z.string(), z.string()).optional(),
  accounts: z.array(linkedAccountSchema).min(2),
});
