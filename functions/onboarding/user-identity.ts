import * as z from 'zod/mini';

/**
 * The person as Signup+ identified them: personal data, kept only in the
 * onboarding record and the ready event. In a module of its own because the
 * event contracts need it without the rest of the onboarding model.
 */
export const userIdentitySchema = z.object({
  title: z.optional(z.string()),
  first_name: z.string(),
  last_name: z.string(),
  date_of_birth: z.string(),
  national_identification_number: z.optional(z.string()),
  sex: z.optional(z.string()),
  address: z.object({
    address_line1: z.string(),
    address_line2: z.optional(z.string()),
    city: z.string(),
    state: z.optional(z.string()),
    zip: z.string(),
    country: z.string(),
  }),
});
export type UserIdentity = z.infer<typeof userIdentitySchema>;
