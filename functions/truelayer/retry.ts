import { remainingInvocationMs } from '../commons/invocation.ts';
import { TrueLayerUnavailableError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in this invocation, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time kept back at the end of the invocation so the error can still be reported. */
  reserveMs: number;
}

/**
 * A few quick retries inside the invocation. Longer outages are the state
 * machine's job: its Retry rules resend the whole step with their own capped,
 * fully jittered backoff, without paying for a Lambda that sleeps.
 */
export const IN_INVOCATION_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  reserveMs: 1_000,
};

/** Capped exponential backoff with full jitter: uniformly random between 0 and the capped exponential. */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying TrueLayerUnavailableError (429, 5xx, timeouts,
 * resets, garbled bodies). A Retry-After from TrueLayer is a floor on the wait.
 * A retry happens only if the wait plus one more attempt fits in what is left
 * of the invocation; otherwise the error goes up for the state machine to retry.
 * Every other error (refusals, contract violations) is never retried.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  options: {
    attemptTimeoutMs: number;
    policy?: RetryPolicy;
    random?: () => number;
    /** Narrows which unavailability is retried (a request that must not happen twice). */
    retryIf?: (error: TrueLayerUnavailableError) => boolean;
    /** Waits between attempts; a timer unless a test gives its own. */
    sleep?: (ms: number) => Promise<void>;
    /** What is left of the invocation, in ms (undefined outside Lambda); the invocation's own by default. */
    remainingMs?: () => number | undefined;
  },
): Promise<T> {
  const policy = options.policy ?? IN_INVOCATION_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof TrueLayerUnavailableError) || attempt >= policy.maxAttempts) throw error;
      if (options.retryIf && !options.retryIf(error)) throw error;
      const jittered = backoffDelayMs(attempt, policy, options.random);
      const delay = Math.max(jittered, (error.retryAfterSeconds ?? 0) * 1000);
      const remaining = (options.remainingMs ?? remainingInvocationMs)();
      const fits =
        remaining === undefined || delay + options.attemptTimeoutMs + policy.reserveMs <= remaining;
      if (!fits) throw error;
      await (options.sleep ?? sleepFor)(delay);
    }
  }
}
