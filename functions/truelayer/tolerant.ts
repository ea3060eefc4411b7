import * as z from 'zod/mini';

/*
 * Reading TrueLayer tolerantly (docs/events.md, "Onboarding Ready For Payment": absent, null and empty are the same): a field TrueLayer
 * leaves out, sends as `null` or sends as an empty or blank string is one and
 * the same thing, absent. TrueLayer's own SDKs model every Signup+ field as
 * optional and nullable, so nothing here fails on an absence; a value of the
 * wrong type still does, because that is a broken shape, not a missing field.
 */

/** `null`, `''` and whitespace become `undefined`; anything else is left as it is. */
export function absentIfEmpty(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

/** A string TrueLayer may leave out: trimmed when present, never blank. */
export const tolerantText = z.pipe(z.transform(absentIfEmpty), z.optional(z.string().check(z.trim())));

/** Any schema, read so that absent, `null` and `''` are all `undefined`. */
export function tolerant<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(z.transform(absentIfEmpty), z.optional(schema));
}

/**
 * `undefined` when every field is absent: an object TrueLayer sent with
 * nothing in it is absent too. Keys holding `undefined` are left in place:
 * JSON, the event publisher and the table writer (removeUndefinedValues) all
 * drop them.
 */
export function emptyToUndefined<T extends Record<string, unknown>>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  return Object.values(value).every((item) => item === undefined) ? undefined : value;
}
