import type { AccessToken } from './token-client.ts';

/** A client-credentials token shared by every request a warm function serves. */
export interface ClientToken {
  /** The cached token, or a fresh one when it is missing or about to expire. */
  get(): Promise<string>;
  /** Forgets this token (TrueLayer said 401), so the next `get` fetches another. */
  invalidate(token: string): void;
}

/** Tokens are renewed this long before TrueLayer's expiry, so none expires mid-request. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * Caches a client-credentials token in memory until shortly before it
 * expires. Concurrent callers share one fetch, so a burst of requests on a
 * cold function costs one token request, not one each.
 */
export function cachedClientToken(
  fetchToken: () => Promise<AccessToken>,
  now: () => number = Date.now,
): ClientToken {
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const refresh = async () => {
    const fetched = await fetchToken();
    // A very short-lived token is still reused for half its life.
    const reuseSeconds = Math.max(
      fetched.expiresInSeconds - REFRESH_MARGIN_SECONDS,
      fetched.expiresInSeconds / 2,
    );
    cached = { token: fetched.accessToken, renewAt: now() + reuseSeconds * 1000 };
    return fetched.accessToken;
  };

  return {
    get() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

/**
 * Calls TrueLayer with the cached token; a 401 (the token was revoked or
 * expired early) invalidates it and the call is made once more with a fresh one.
 */
export async function withClientToken<R extends { status: number }>(
  token: ClientToken,
  call: (bearer: string) => Promise<R>,
): Promise<R> {
  const bearer = await token.get();
  const response = await call(bearer);
  if (response.status !== 401) return response;
  token.invalidate(bearer);
  return call(await token.get());
}
