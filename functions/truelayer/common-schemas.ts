import * as z from 'zod/mini';
import { absentIfEmpty, tolerantText } from './tolerant.ts';

/*
 * What every TrueLayer client here reads: the token endpoint's answer. The
 * refusals are read in refusals.ts; the Signup+ shapes are in schemas.ts, so
 * that the Data API functions do not build them at cold start.
 */

/** Seconds, as a JSON number or, tolerantly, a numeric string. */
const seconds = z.pipe(
  z.transform((value: unknown) => {
    const present = absentIfEmpty(value);
    return typeof present === 'string' && /^\d+$/.test(present.trim()) ? Number(present) : present;
  }),
  z.number().check(z.int(), z.positive()),
);

/** `POST /connect/token` success body. Extra fields are ignored; absent, null and empty are alike. */
export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  expires_in: seconds,
  /** `Bearer` (RFC 6749 §7.1); another type is refused, an absent one read as Bearer. */
  token_type: z.pipe(tolerantText, z.optional(z.string().check(z.regex(/^bearer$/i)))),
  scope: tolerantText,
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;
