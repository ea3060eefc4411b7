import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { TrueLayerSupport } from '../commons/failure.ts';
import { traceRemoteCall } from '../commons/tracing.ts';
import { TrueLayerContractError, TrueLayerError, TrueLayerUnavailableError } from './errors.ts';
import { withRetries } from './retry.ts';

/** What the TrueLayer clients send: a method, headers and, for POST, a body already encoded. */
export interface TrueLayerRequest {
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  body?: string;
}

export interface TrueLayerResponse {
  status: number;
  /** The JSON body once any Content-Encoding is undone; `undefined` when the body is empty or blank. */
  body: unknown;
  /**
   * What TrueLayer Support asks for, read from the answer's headers:
   * `X-TL-Correlation-Id` as `correlation_id`, `Tl-Trace-Id` as `trace_id`.
   * Not personal data.
   */
  support: Pick<TrueLayerSupport, 'correlation_id' | 'trace_id'>;
}

/** What the answers' problem bodies say about themselves, as far as the transport needs to know. */
function problemTitle(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('title' in body)) return undefined;
  return typeof body.title === 'string' ? body.title : undefined;
}

/**
 * TrueLayer's 502 `Feature Not Supported` comes with the statuses that mean
 * "try again" but says the opposite: the provider cannot do this, so it is
 * handed back to the caller instead of being retried (D:data-v3-errors).
 */
export function isFeatureNotSupported(body: unknown): boolean {
  return problemTitle(body)?.trim().toLowerCase() === 'feature not supported';
}

/**
 * Seconds from a Retry-After header given either as delta-seconds (digits
 * only, RFC 9110 §10.2.3) or as an HTTP date. Anything else, a negative or
 * fractional number included, is ignored rather than read as a date.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (/^[-+\d.]+$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
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
 * function). Transport failures, 429, 5xx (but 502 Feature Not Supported)
 * and bodies that are not JSON or cannot be decompressed become
 * TrueLayerUnavailableError; a Content-Encoding this client does not know is
 * a TrueLayerContractError. Every other answer is returned for the caller to
 * interpret. The agents keep connections alive across invocations of a warm
 * function; a `once` call gets a connection of its own.
 */
export function sendToTrueLayer(
  url: string,
  request: TrueLayerRequest,
  options: TrueLayerCallOptions,
): Promise<TrueLayerResponse> {
  // Each attempt is a subsegment of its own: a retried call shows as the attempts it took.
  const call = {
    service: 'TrueLayer',
    operation: options.operation,
    method: request.method,
    url: new URL(url),
  };
  const attempt = () =>
    traceRemoteCall(call, () => sendOnce(url, request, options), {
      statusOfError: (error) => (error instanceof TrueLayerError ? error.truelayer?.status : undefined),
    });
  return withRetries(attempt, {
    attemptTimeoutMs: options.timeoutMs,
    ...(options.once ? { retryIf: (error: TrueLayerUnavailableError) => !error.mayHaveTakenEffect } : {}),
  });
}

/*
 * Node's own HTTP client rather than fetch, like the AWS SDK's: fetch's first
 * call compiles undici, Node's whole fetch implementation, which costs about
 * 25 ms of the cold start of every function that calls TrueLayer
 * (BENCHMARKS.md, "Findings").
 */
const transports = {
  http: { send: httpRequest, agent: new HttpAgent({ keepAlive: true }) },
  https: { send: httpsRequest, agent: new HttpsAgent({ keepAlive: true }) },
};

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  raw: Buffer;
}

/**
 * A compressed body stops decompressing at this size and counts as garbled
 * (so it is retried, like a truncated one); no TrueLayer answer comes near it.
 * A body sent uncompressed is not bounded here.
 */
const MAX_DECODED_BYTES = 1024 * 1024;

const header = (headers: IncomingMessage['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Raised when a body is compressed in a way this client cannot undo. */
class UnknownEncodingError extends Error {
  override readonly name = 'UnknownEncodingError';
}

/**
 * Undoes `Content-Encoding` (gzip, deflate, br, identity; the last applied is
 * listed last), and a gzip body that came without the header, recognised by
 * its magic bytes: JSON never starts with 0x1f 0x8b.
 */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): Buffer {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let body = raw;
  const options = { maxOutputLength: MAX_DECODED_BYTES };
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') body = gunzipSync(body, options);
    else if (coding === 'deflate') body = inflateSync(body, options);
    else if (coding === 'br') body = brotliDecompressSync(body, options);
    else throw new UnknownEncodingError(`content-encoding ${coding}`);
  }
  if (codings.length === 0 && body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body, options);
  return body;
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
 * fetch and its body. It accepts gzip (TrueLayer's API lists
 * `Content-Encoding: gzip` among its headers), decoded in decodeBody, and
 * does not follow redirects: one (which TrueLayer's API does not send) comes
 * back as the status it is.
 */
async function exchange(
  url: URL,
  request: TrueLayerRequest,
  signal: AbortSignal,
  freshConnection: boolean,
): Promise<Answer> {
  const headers = {
    ...request.headers,
    'accept-encoding': 'gzip, identity',
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
    return { status: response.statusCode ?? 0, headers: response.headers, raw: Buffer.concat(chunks) };
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
  const { status, headers } = answer;
  const support = {
    ...optional('correlation_id', header(headers, 'x-tl-correlation-id')),
    ...optional('trace_id', header(headers, 'tl-trace-id')),
  };
  let text: string;
  try {
    text = decodeBody(answer.raw, header(headers, 'content-encoding')).toString('utf8');
  } catch (error) {
    const described = `${options.operation}: TrueLayer answered ${status} with a body that cannot be decoded`;
    if (error instanceof UnknownEncodingError) {
      throw new TrueLayerContractError(`${described} (${error.message})`, {
        truelayer: { status, ...support },
      });
    }
    // A truncated compressed body is a garbled answer: like a dropped connection, worth a retry.
    throw new TrueLayerUnavailableError(described, { truelayer: { status, ...support } });
  }
  let body: unknown;
  try {
    body = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    if (status === 429 || status >= 500) throw unavailable(status, undefined, headers, support, options);
    // A truncated or garbled body is treated like a dropped connection: retry. The parser's
    // message quotes the body, so it is not kept: only its size reaches the logs.
    throw new TrueLayerUnavailableError(
      `${options.operation}: TrueLayer answered ${status} with ${Buffer.byteLength(text)} bytes that are not JSON`,
      { truelayer: { status, ...support } },
    );
  }
  if ((status === 429 || status >= 500) && !isFeatureNotSupported(body)) {
    throw unavailable(status, body, headers, support, options);
  }
  return { status, body, support };
}

function optional(key: 'correlation_id' | 'trace_id', value: string | undefined) {
  const trimmed = value?.trim();
  if (!trimmed) return {};
  return key === 'correlation_id' ? { correlation_id: trimmed } : { trace_id: trimmed };
}

/** The body's own trace id wins over the header's: it is what TrueLayer's docs say to quote. */
function traceIdIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('trace_id' in body)) return undefined;
  return typeof body.trace_id === 'string' && body.trace_id.trim() !== '' ? body.trace_id : undefined;
}

function unavailable(
  status: number,
  body: unknown,
  headers: IncomingMessage['headers'],
  support: TrueLayerResponse['support'],
  options: TrueLayerCallOptions,
): TrueLayerUnavailableError {
  const title = problemTitle(body)?.trim().slice(0, 120);
  const retryAfterSeconds = parseRetryAfter(header(headers, 'retry-after') ?? null);
  const traceId = traceIdIn(body) ?? support.trace_id;
  return new TrueLayerUnavailableError(`${options.operation}: TrueLayer answered ${status}`, {
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    // Rate limited or explicitly unavailable: TrueLayer did not act on the request.
    mayHaveTakenEffect: status !== 429 && status !== 503,
    truelayer: {
      status,
      ...(title ? { title } : {}),
      ...(traceId ? { trace_id: traceId } : {}),
      ...(support.correlation_id ? { correlation_id: support.correlation_id } : {}),
    },
  });
}
