/**
 * What the integrator API and the browser routes accept: each route's body,
 * path parameters and query as zod schemas. Handlers parse with these (they
 * are zod/mini so that a function's bundle stays small), and the OpenAPI
 * document is generated from them, so the two cannot drift.
 *
 * `POST /connections` takes TrueLayer's own create-connection body; its field
 * shapes and the rules that relate one field to another live together in
 * `connections/request.ts` and are named here.
 */
import * as z from 'zod/mini';
import { connectionIdSchema } from '../connections/model.ts';

export { type ConnectionRequest, connectionRequestSchema } from '../connections/request.ts';

/** `{id}` of the `/onboardings/{id}` routes. */
export const onboardingIdSchema = z.uuid({ message: 'must be an onboarding id (a UUID)' });
export const onboardingPathSchema = z.object({ id: onboardingIdSchema });

/** `{id}` of `GET /connections/{id}`. */
export const connectionPathSchema = z.object({ id: connectionIdSchema });

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

/**
 * What the browser brings back to `GET /connections/return`. The product's
 * own `onboarding_id` is in the return URL it gave TrueLayer; what TrueLayer
 * appends is undocumented, so a `connection_id` is used only when the
 * reference is missing, and anything else is tolerated. Nothing here is
 * trusted for the outcome: TrueLayer is asked.
 */
export const connectionReturnQuerySchema = z.object({
  /** The product's reference, carried in the return URL it registered with TrueLayer. */
  onboarding_id: z.optional(connectionIdSchema),
  /** Appended by TrueLayer, if it does (the simulator can do either). Ignored when malformed. */
  connection_id: z.optional(z.string().check(z.maxLength(256))),
  error: z.optional(z.string().check(z.maxLength(256))),
});
export type ConnectionReturnQuery = z.infer<typeof connectionReturnQuerySchema>;

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
