import type { IncomingMessage } from 'node:http';

/** What a route answers; the server adds the correlation headers and writes it. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Already serialised (or compressed) body; absent for bodiless answers such as 204 or 302. */
  body?: string | Buffer;
}

/** Largest request body any simulator endpoint accepts (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** JSON answer with `application/json`. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** HTML page answer; pages are per-request and carry user data, so never cached or framed. */
export function htmlResponse(status: number, html: string): SimResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}

/** 302 to `location`, as an OAuth authorization endpoint answers. */
export function redirectResponse(location: string): SimResponse {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

/** Raised by the body readers; the server maps it to the given status. */
export class BodyError extends Error {
  override name = 'BodyError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads the whole request body as UTF-8, refusing bodies over {@link MAX_BODY_BYTES}. */
export async function readBodyText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'Request body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type of the request without parameters, lower-cased ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  const header = req.headers['content-type'] ?? '';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** Reads a JSON request body; the caller validates its shape. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBodyText(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'Request body is not valid JSON');
  }
}

/** Reads an `application/x-www-form-urlencoded` body (the dialog's HTML forms). */
export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBodyText(req));
}
