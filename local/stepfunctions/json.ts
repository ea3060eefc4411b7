/** A JSON value, the only kind of data that flows between Step Functions states. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Round-trips `value` through JSON, the way a payload crossing a service boundary would be:
 * `undefined` becomes `null`, Dates become strings, functions and undefined properties vanish.
 * Also gives the receiver a private copy it can mutate freely.
 */
export function toJsonValue(value: unknown, replacer?: (key: string, value: unknown) => unknown): JsonValue {
  const text = JSON.stringify(value, replacer);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/** Parses `text` as JSON, returning `undefined` instead of throwing when it is not valid JSON. */
export function tryParseJson(text: string): { value: JsonValue } | undefined {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}
