/**
 * What the onboarding routes accept: `POST /onboardings` and its account
 * choice, the `{id}` of `/onboardings/{id}`, and the browser's `GET /callback`
 * query. zod/mini, so that a handler's bundle stays small; `requests.ts`
 * gathers these with the connections' for the tools.
 */
import * as z from 'zod/mini';

/** `{id}` of the `/onboardings/{id}` routes. */
export const onboardingIdSchema = z.uuid({ message: 'must be an onboarding id (a UUID)' });
export const onboardingPathSchema = z.object({ id: onboardingIdSchema });

const providerId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'must be a TrueLayer provider id such as ob-monzo'));

/** `POST /onboardings` body. Everything is optional: `{}` uses the configured defaults. */
export const createOnboardingRequestSchema = z.strictObject({
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
});
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
