import * as z from 'zod/mini';

/*
 * What every TrueLayer client here reads: the token endpoint's answers and the
 * problem details of refusals. The Signup+ shapes are in schemas.ts, so that
 * the Data API functions do not build them at cold start.
 */

/** `POST /connect/token` success body. Extra fields are ignored. */
export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.number().check(z.int(), z.positive()),
  token_type: z.string().check(z.regex(/^bearer$/i)),
  scope: z.optional(z.string()),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** TrueLayer's legacy OAuth error shape on the auth host. */
export const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.optional(z.string()),
});

/** Problem details as TrueLayer's newer APIs answer errors. */
export const trueLayerProblemSchema = z.object({
  type: z.optional(z.string()),
  title: z.optional(z.string()),
  status: z.optional(z.number()),
  detail: z.optional(z.string()),
  trace_id: z.optional(z.string()),
  errors: z.optional(z.record(z.string(), z.array(z.string()))),
});
