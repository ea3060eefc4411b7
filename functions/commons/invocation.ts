import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The current invocation's deadline (epoch ms), visible to code deep in the
 * call (the TrueLayer client's retries) without threading the Lambda context
 * through every signature. Invocations running concurrently in one process
 * (the local runtime) each see their own.
 */
const storage = new AsyncLocalStorage<{ deadline: number }>();

export function runWithinDeadline<T>(remainingMs: number, fn: () => Promise<T>): Promise<T> {
  return storage.run({ deadline: Date.now() + remainingMs }, fn);
}

/** Milliseconds left in this invocation, or undefined outside one (tests calling use cases directly). */
export function remainingInvocationMs(): number | undefined {
  const store = storage.getStore();
  return store ? store.deadline - Date.now() : undefined;
}
