/**
 * A recording proxy for the conformance run: the product's own TrueLayer
 * clients call it as if it were TrueLayer's auth or API host, it forwards
 * every request unchanged (but for Host) to the real host, passes the answer
 * back byte for byte (compression included, so the product decodes what
 * TrueLayer really sends) and keeps a copy of each exchange to write as a
 * fixture. It listens on loopback only.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface Exchange {
  /** Order of the answer among every proxy sharing the same counter. */
  sequence: number;
  host: 'auth' | 'api';
  method: string;
  /** Path and query as sent. */
  target: string;
  /** Request header names (values are not kept: they carry tokens). */
  requestHeaderNames: string[];
  /** The few request headers whose values tell what the product sent and carry no secret. */
  requestHeaders: Record<string, string>;
  /** The request body as text, for the caller to redact (it may carry a code or a secret). */
  requestBody: string;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  /** The answer's body after undoing Content-Encoding, as text. */
  responseText: string;
  /** Whether the body came compressed, and how. */
  contentEncoding: string | undefined;
}

export interface RecordingProxy {
  url: string;
  exchanges(): readonly Exchange[];
  close(): Promise<void>;
}

const SAFE_REQUEST_HEADERS = ['accept', 'accept-encoding', 'content-type'];
/** Sent by the product and worth seeing in a fixture, but personal data (an IP address): kept as present only. */
const PRESENT_ONLY = ['x-psu-ip', 'tl-user-ip'];

function decoded(raw: Buffer, encoding: string | undefined): string {
  try {
    const coding = (encoding ?? '').trim().toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(raw).toString('utf8');
    if (coding === 'deflate') return inflateSync(raw).toString('utf8');
    if (coding === 'br') return brotliDecompressSync(raw).toString('utf8');
    return raw.toString('utf8');
  } catch {
    return `<${raw.length} bytes that do not decode as ${encoding}>`;
  }
}

/** Starts a proxy to `upstream` (e.g. `https://api.truelayer-sandbox.com`) on an ephemeral loopback port. */
export async function startRecordingProxy(
  upstream: string,
  host: Exchange['host'],
  counter: { next: number },
): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const recorded: Exchange[] = [];

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const headers = { ...incoming.headers, host: target.host };
      const forwarded = send(
        new URL(incoming.url ?? '/', target),
        { method: incoming.method ?? 'GET', headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const raw = Buffer.concat(body);
            const encodingHeader = answer.headers['content-encoding'];
            recorded.push({
              sequence: counter.next++,
              host,
              method: incoming.method ?? 'GET',
              target: incoming.url ?? '/',
              requestHeaderNames: Object.keys(incoming.headers).sort(),
              requestHeaders: Object.fromEntries([
                ...SAFE_REQUEST_HEADERS.flatMap((name) => {
                  const value = incoming.headers[name];
                  return typeof value === 'string' ? [[name, value]] : [];
                }),
                ...PRESENT_ONLY.flatMap((name) =>
                  incoming.headers[name] === undefined ? [] : [[name, '<present>']],
                ),
              ]),
              requestBody: requestBody.toString('utf8'),
              status: answer.statusCode ?? 0,
              responseHeaders: answer.headers,
              responseText: decoded(raw, encodingHeader),
              contentEncoding: encodingHeader,
            });
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(raw);
          });
        },
      );
      forwarded.on('error', () => {
        outgoing.destroy();
      });
      forwarded.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges: () => [...recorded],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
