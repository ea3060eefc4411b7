import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runWithinDeadline } from '../../functions/commons/invocation.ts';
import { TrueLayerRejectedError, TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';
import { parseRetryAfter, sendToTrueLayer, type TrueLayerRequest } from '../../functions/truelayer/http.ts';
import { backoffDelayMs, IN_INVOCATION_RETRY, withRetries } from '../../functions/truelayer/retry.ts';

/** An operation that fails with the given errors in turn, then answers `ok`. */
function flaky(errors: Error[]) {
  let calls = 0;
  return {
    operation: async () => {
      calls += 1;
      const error = errors.shift();
      if (error) throw error;
      return 'ok';
    },
    calls: () => calls,
  };
}

/** A sleep that records the waits asked for and returns at once. */
function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const unavailable = (retryAfterSeconds?: number) =>
  new TrueLayerUnavailableError('signup-plus: TrueLayer answered 503', {
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });

describe('withRetries', () => {
  it('retries unavailability with capped, fully jittered backoff, then answers', async () => {
    const { operation, calls } = flaky([unavailable(), unavailable()]);
    const { waits, sleep } = recordedSleep();

    const answer = await withRetries(operation, { attemptTimeoutMs: 1000, random: () => 0.5, sleep });

    expect(answer).toBe('ok');
    expect(calls()).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the policy attempts and throws the last error', async () => {
    const { operation, calls } = flaky([unavailable(), unavailable(), unavailable(), unavailable()]);
    const { sleep } = recordedSleep();

    const retrying = withRetries(operation, { attemptTimeoutMs: 1000, sleep });

    await expect(retrying).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(calls()).toBe(IN_INVOCATION_RETRY.maxAttempts);
  });

  it('never retries a refusal', async () => {
    const refusal = new TrueLayerRejectedError('refused', { reason: 'invalid_request', status: 400 });
    const { operation, calls } = flaky([refusal]);

    await expect(withRetries(operation, { attemptTimeoutMs: 1000 })).rejects.toBe(refusal);
    expect(calls()).toBe(1);
  });

  it('waits at least as long as Retry-After says', async () => {
    const { operation } = flaky([unavailable(2)]);
    const { waits, sleep } = recordedSleep();

    await withRetries(operation, { attemptTimeoutMs: 1000, random: () => 0, sleep });

    expect(waits).toEqual([2000]);
  });

  it('does not retry when the wait and one more attempt do not fit in the invocation', async () => {
    const { operation, calls } = flaky([unavailable(5)]);
    const { waits, sleep } = recordedSleep();

    const retrying = withRetries(operation, { attemptTimeoutMs: 1000, sleep, remainingMs: () => 6_999 });

    await expect(retrying).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('reads the invocation deadline by default', async () => {
    const { operation, calls } = flaky([unavailable(60)]);

    const retrying = runWithinDeadline(10_000, () => withRetries(operation, { attemptTimeoutMs: 1000 }));

    await expect(retrying).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(calls()).toBe(1);
  });

  it('lets retryIf keep a request that may have taken effect from being sent again', async () => {
    const maybeDone = new TrueLayerUnavailableError('lost', { mayHaveTakenEffect: true });
    const { operation, calls } = flaky([maybeDone]);

    const retrying = withRetries(operation, {
      attemptTimeoutMs: 1000,
      retryIf: (error) => !error.mayHaveTakenEffect,
    });

    await expect(retrying).rejects.toBe(maybeDone);
    expect(calls()).toBe(1);
  });
});

describe('backoffDelayMs', () => {
  it('doubles the ceiling each attempt up to the cap', () => {
    const top = () => 0.999_999;

    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, IN_INVOCATION_RETRY, top));

    expect(delays).toEqual([199, 399, 799, 1599, 1999]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP date as the seconds until it, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});

describe('sendToTrueLayer with once', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A loopback server that answers each request with the status given for it, counting requests and sockets. */
  async function answering(statuses: number[]) {
    let requests = 0;
    const sockets = new Set<unknown>();
    server = createServer((request, response) => {
      sockets.add(request.socket);
      requests += 1;
      const status = statuses.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the server has no port');
    const { port } = address;
    return { url: `http://127.0.0.1:${port}/token`, requests: () => requests, sockets: () => sockets.size };
  }

  const post: TrueLayerRequest = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  };

  it('does not send again after a 500, which TrueLayer may have acted on', async () => {
    const tl = await answering([500, 200]);

    const sending = sendToTrueLayer(tl.url, post, {
      timeoutMs: 2000,
      operation: 'code exchange',
      once: true,
    });

    await expect(sending).rejects.toMatchObject({
      name: 'TrueLayerUnavailableError',
      mayHaveTakenEffect: true,
    });
    expect(tl.requests()).toBe(1);
  });

  it('sends again after a 503, which TrueLayer did not act on, on a fresh connection each time', async () => {
    const tl = await answering([503, 200]);

    const answer = await sendToTrueLayer(tl.url, post, {
      timeoutMs: 2000,
      operation: 'code exchange',
      once: true,
    });

    expect(answer.status).toBe(200);
    expect(tl.requests()).toBe(2);
    expect(tl.sockets()).toBe(2);
  });

  it('retries a 500 when the request may be sent twice', async () => {
    const tl = await answering([500, 200]);

    const answer = await sendToTrueLayer(tl.url, post, { timeoutMs: 2000, operation: 'signup-plus' });

    expect(answer.status).toBe(200);
    expect(tl.requests()).toBe(2);
  });
});
