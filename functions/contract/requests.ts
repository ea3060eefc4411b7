import * as z from 'zod/mini';

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
