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
  options: { timeoutMs: number; operation: string },
): Promise<TrueLayerResponse> {
  return withRetries(() => sendOnce(url, request, options), { attemptTimeoutMs: options.timeoutMs });
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

/**
 * One request and its whole answer; the signal bounds both, as it would a
 * fetch and its body. Unlike fetch, it neither decompresses nor follows
 * redirects: it asks for an uncompressed body, and a redirect (which
 * TrueLayer's API does not send) comes back as the status it is.
 */
async function exchange(url: URL, request: TrueLayerRequest, signal: AbortSignal): Promise<Answer> {
  const headers = {
    ...request.headers,
    'accept-encoding': 'identity',
    ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
  };
  const { send, agent } = url.protocol === 'https:' ? transports.https : transports.http;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    send(url, { method: request.method, headers, agent, signal }, resolve)
      .on('error', reject)
      .end(request.body);
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
}

async function sendOnce(
  url: string,
  request: TrueLayerRequest,
  options: { timeoutMs: number; operation: string },
): Promise<TrueLayerResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let answer: Answer;
  try {
    answer = await exchange(new URL(url), request, signal);
  } catch (error) {
    throw new TrueLayerUnavailableError(
      `${options.operation}: ${signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'connection failed'}`,
      { cause: error },
    );
  }
  const { status, text } = answer;
  if (status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(answer.retryAfter ?? null);
    throw new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered ${status}`, {
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (text.trim() === '') return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) };
  } catch (error) {
    // A truncated or garbled body is treated like a dropped connection: retry.
    throw new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered a body that is not JSON`, {
      cause: error,
    });
  }
}
