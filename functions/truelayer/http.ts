import { TrueLayerUnavailableError } from './errors.ts';
import { withRetries } from './retry.ts';

export interface TrueLayerResponse {
  status: number;
  /** Parsed JSON body, or `undefined` for an empty body. */
  body: unknown;
}

/** Seconds from a Retry-After header given either as delta-seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * An HTTP call to TrueLayer, retried in-invocation when TrueLayer is briefly
 * unavailable (see retry.ts). Each attempt has a hard timeout (kept well below the Lambda's,
 * so a slow TrueLayer surfaces as a retriable error rather than a killed
 * function). Transport failures, 429 and 5xx become TrueLayerUnavailableError;
 * every other status is returned for the caller to interpret. Node's fetch keeps
 * connections alive across invocations of a warm function.
 */
export function sendToTrueLayer(
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; operation: string },
): Promise<TrueLayerResponse> {
  return withRetries(() => sendOnce(url, init, options), { attemptTimeoutMs: options.timeoutMs });
}

async function sendOnce(
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; operation: string },
): Promise<TrueLayerResponse> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new TrueLayerUnavailableError(
      `${options.operation}: ${timedOut ? `no answer within ${options.timeoutMs} ms` : 'connection failed'}`,
      { cause: error },
    );
  }
  if (response.status === 429 || response.status >= 500) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    throw new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered ${response.status}`, {
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (text.trim() === '') return { status: response.status, body: undefined };
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch (error) {
    // A truncated or garbled body is treated like a dropped connection: retry.
    throw new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered a body that is not JSON`, {
      cause: error,
    });
  }
}
