import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { PayloadTooLargeError, RequestValidationError, UnsupportedMediaTypeError } from '../errors.ts';
import '../zod-messages.ts';
import { fieldProblems } from '../field-problems.ts';

/** Bodies of this API are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** A request as it arrived, for checking a signature over it: its path, headers (lower-cased names) and body. */
export interface RawRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The request exactly as sent, size-checked but not parsed: what a webhook's signature covers. */
export function rawRequest(event: APIGatewayProxyEventV2): RawRequest {
  const body = rawBody(event);
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return { path: event.rawPath, headers, body };
}

/**
 * Parses a JSON request body through a schema. An empty body counts as `{}`,
 * so routes whose fields are all optional accept a bare POST.
 */
export function parseJsonBody<S extends z.ZodMiniType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  const text = rawBody(event);
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  let json: unknown = {};
  if (text.trim() !== '') {
    const contentType = header(event, 'content-type') ?? '';
    if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
      throw new UnsupportedMediaTypeError('Send the body as application/json.');
    }
    try {
      json = JSON.parse(text);
    } catch {
      throw new RequestValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }]);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RequestValidationError(fieldProblems(parsed.error));
  return parsed.data;
}

/** Parses path parameters or the query string through a schema. */
export function parseParameters<S extends z.ZodMiniType>(
  values: Record<string, string | undefined> | undefined,
  schema: S,
): z.infer<S> {
  const parsed = schema.safeParse(values ?? {});
  if (!parsed.success) throw new RequestValidationError(fieldProblems(parsed.error));
  return parsed.data;
}

/** True when the caller is a browser that asked for a page rather than JSON. */
export function prefersHtml(event: APIGatewayProxyEventV2): boolean {
  const accept = header(event, 'accept') ?? '';
  return accept.includes('text/html');
}
