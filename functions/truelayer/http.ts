import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TrueLayerUnavailableError } from './errors.ts';
import { withRetries } from './retry.ts';

/** What the TrueLayer clients send: a method, headers and, for POST, a body already encoded. */
export interface TrueLayerRequest {
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  body?: string;
}

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

/** How a call to TrueLayer is made. */
export interface TrueLayerCallOptions {
  timeoutMs: number;
  /** Names the call in errors and logs, e.g. `code exchange`. */
  operation: string;
  /**
   * A request TrueLayer must not act on twice (a code exchange): it goes on a
   * connection of its own, so that a failure can be told apart from a stale
   * pooled one, and it is retried only when TrueLayer cannot have acted on it.
   */
  once?: boolean;
}

/**
 * An HTTP call to TrueLayer, retried in-invocation when TrueLayer is briefly
 * unavailable (see retry.ts). Each attempt has a hard timeout (kept well below the Lambda's,
 * so a slow TrueLayer surfaces as a retriable error rather than a killed
 * function). Transport failures, 429 and 5xx become TrueLayerUnavailableError;
 * every other status is returned for the caller to interpret. The agents keep
 * connections alive across invocations of a warm function.
 */
export function sendToTrueLayer(
  url: string,
  request: TrueLayerRequest,
  options: TrueLayerCallOptions,
): Promise<TrueLayerResponse> {
  return withRetries(() => sendOnce(url, request, options), {
    attemptTimeoutMs: options.timeoutMs,
    ...(options.once ? { retryIf: (error: TrueLayerUnavailableError) => !error.mayHaveTakenEffect } : {}),
  });
}

/*
 * Node's own HTTP client rather than fetch, like the AWS SDK's: fetch's first
 * call compiles undici, Node's whole fetch implementation, which costs about
 * 25 ms of the cold start of every function that calls TrueLayer
 * (bench/notes.md, item 7).
 */
const transports = {
  http: { send: httpRequest, agent: new HttpAgent({ keepAlive: true }) },
  https: { send: httpsRequest, agent: new HttpsAgent({ keepAlive: true }) },
};

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

/** Raised when the request failed; `connected` says whether it ever reached TrueLayer's server. */
class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly connected: boolean;

  constructor(connected: boolean, cause: unknown) {
    super(connected ? 'the connection failed after it was made' : 'no connection could be made', { cause });
    this.connected = connected;
  }
}

/**
 * One request and its whole answer; the signal bounds both, as it would a
 * fetch and its body. Unlike fetch, it neither decompresses nor follows
 * redirects: it asks for an uncompressed body, and a redirect (which
 * TrueLayer's API does not send) comes back as the status it is.
 */
async function exchange(
  url: URL,
  request: TrueLayerRequest,
  signal: AbortSignal,
  freshConnection: boolean,
): Promise<Answer> {
  const headers = {
    ...request.headers,
    'accept-encoding': 'identity',
    ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
  };
  const secure = url.protocol === 'https:';
  const { send, agent } = secure ? transports.https : transports.http;
  let connected = false;
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send(
        url,
        { method: request.method, headers, agent: freshConnection ? false : agent, signal },
        resolve,
      );
      outgoing.on('error', reject).on('socket', (socket) => {
        // A pooled socket is already connected; a new one is once its handshake is done.
        if (!socket.connecting) connected = true;
        else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
      });
      outgoing.end(request.body);
    });
    const chunks: Buffer[] = [];
    // Iterating the body throws if the connection drops or the signal fires before its end.
    for await (const chunk of response)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return {
      status: response.statusCode ?? 0,
      retryAfter: response.headers['retry-after'],
      text: Buffer.concat(chunks).toString('utf8'),
    };
  } catch (error) {
    throw new TransportError(connected, error);
  }
}

async function sendOnce(
  url: string,
  request: TrueLayerRequest,
  options: TrueLayerCallOptions,
): Promise<TrueLayerResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let answer: Answer;
  try {
    answer = await exchange(new URL(url), request, signal, options.once === true);
  } catch (error) {
    const connected = error instanceof TransportError && error.connected;
    throw new TrueLayerUnavailableError(
      `${options.operation}: ${signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'connection failed'}`,
      { cause: error, mayHaveTakenEffect: connected },
    );
  }
  const { status, text } = answer;
  if (status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(answer.retryAfter ?? null);
    throw new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered ${status}`, {
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      // Rate limited or explicitly unavailable: TrueLayer did not act on the request.
      mayHaveTakenEffect: status !== 429 && status !== 503,
    });
  }
  if (text.trim() === '') return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) };
  } catch {
    // A truncated or garbled body is treated like a dropped connection: retry. The parser's
    // message quotes the body, so it is not kept: only its size reaches the logs.
    throw new TrueLayerUnavailableError(
      `${options.operation}: TrueLayer answered ${status} with ${Buffer.byteLength(text)} bytes that are not JSON`,
    );
  }
}
