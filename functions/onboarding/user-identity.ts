import * as z from 'zod/mini';
import { optionalText } from '../truelayer/account-details.ts';

/** A name TrueLayer must send: the one part of the person a payment cannot do without. */
const name = z.string().check(z.trim(), z.minLength(1));

/**
 * The person as Signup+ identified them: personal data, kept only in the
 * onboarding record and the ready event. In a module of its own because the
 * event contracts need it without the rest of the onboarding model.
 *
 * First and last name are required (with the account's sort code and number
 * or IBAN they are what a payment needs); every other field is carried when
 * TrueLayer sends it and left out when it does not, because TrueLayer's own
 * SDKs treat every Signup+ field as optional (docs/events.md).
 */
export const userIdentitySchema = z.object({
  title: optionalText,
  first_name: name,
  last_name: name,
  /** `YYYY-MM-DD`, as TrueLayer sends it. */
  date_of_birth: z.optional(z.iso.date()),
  national_identification_number: optionalText,
  sex: optionalText,
  address: z.optional(
    z.object({
      address_line1: optionalText,
      address_line2: optionalText,
      city: optionalText,
      state: optionalText,
      zip: optionalText,
      /** ISO 3166-1 alpha-2, upper case. */
      country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/))),
    }),
  ),
});
export type UserIdentity = z.infer<typeof userIdentitySchema>;
