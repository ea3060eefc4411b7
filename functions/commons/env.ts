import * as z from 'zod/mini';
import './zod-messages.ts';

/** Raised at module load when the function's configuration is missing or malformed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads the environment once, through a schema, and fails loudly listing every
 * problem. Handlers call this at module scope so that a misconfigured function
 * fails its cold start instead of its hundredth request.
 */
export function readEnv<S extends z.ZodMiniObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A positive integer read from a string environment variable, with a default. */
export const positiveIntFromEnv = (fallback: number) =>
  z._default(z.optional(z.coerce.number().check(z.int(), z.positive())), fallback);
