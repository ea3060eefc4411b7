import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway's own payload limit; the handlers enforce much smaller ones themselves. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiRoute {
  method: string;
  /** HTTP API path syntax, `{name}` for a path parameter. */
  path: string;
  invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
}

/** A request the API routes do not own (local-only pages and JSON); return false to fall through to 404. */
export type LocalRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean>;

export interface ApiFront {
  url: string;
  port: number;
  /**
   * Installs the routes once the handlers are loaded (the URL must exist first: it is the redirect
   * URI). Requests that arrive before wait for them, so nothing is ever answered 404 while starting.
   */
  setRoutes(routes: readonly ApiRoute[], local: LocalRequestHandler): void;
  close(): Promise<void>;
}

/** The API's port cannot be had: in use, not allowed, or on an address this machine does not have. */
export class ApiPortError extends Error {
  override readonly name = 'ApiPortError';
}

function portError(error: unknown, host: string, port: number): Error {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new ApiPortError(`port ${port} is in use on ${host}`, { cause: error });
  if (code === 'EACCES')
    return new ApiPortError(`port ${port} needs privileges (${where})`, { cause: error });
  if (code === 'EADDRNOTAVAIL')
    return new ApiPortError(`${host} is not an address of this machine`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  names: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

const TEXT_TYPES =
  /^(text\/|application\/([a-z0-9.+-]*\+)?json|application\/x-www-form-urlencoded|application\/xml)/i;

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return 'too_large';
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Builds the HTTP API payload v2 event, as API Gateway would for this request. */
export function toHttpApiEvent(
  request: IncomingMessage,
  url: URL,
  route: CompiledRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim());
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(route.names.length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

function isStructured(value: unknown): value is APIGatewayProxyStructuredResultV2 {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/** Writes a handler's result the way HTTP API does, including its rule that bare values become JSON. */
function writeResult(response: ServerResponse, result: unknown): void {
  if (!isStructured(result)) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * The local API Gateway: turns HTTP requests into payload v2 events for the
 * real handlers. IAM authorization is not emulated (the local API is on
 * loopback only); everything else a handler can observe is what HTTP API sends.
 */
export async function startApiFront(options: { host: string; port: number }): Promise<ApiFront> {
  let routes: CompiledRoute[] = [];
  let local: LocalRequestHandler = async () => false;
  let routesInstalled: () => void = () => {};
  const installed = new Promise<void>((resolve) => {
    routesInstalled = resolve;
  });

  // Larger than Node's 16 KiB default so that an oversized query string reaches the handler, which
  // refuses it with problem+json, as it would behind API Gateway.
  const server: Server = createServer({ maxHeaderSize: 64 * 1024 }, async (request, response) => {
    await installed;
    try {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? options.host}`);
      for (const route of routes) {
        if (route.method !== request.method) continue;
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        const body = await readBody(request);
        if (body === 'too_large') return sendJson(response, 413, { message: 'Request Entity Too Large' });
        const parameters: Record<string, string> = {};
        try {
          route.names.forEach((name, index) => {
            parameters[name] = decodeURIComponent(match[index + 1] ?? '');
          });
        } catch {
          return sendJson(response, 400, { message: 'Bad Request' }); // malformed percent-encoding
        }
        writeResult(response, await route.invoke(toHttpApiEvent(request, url, route, parameters, body)));
        return;
      }
      if (await local(request, response, url)) return;
      sendJson(response, 404, { message: 'Not Found' });
    } catch {
      // What API Gateway answers when the integration itself fails.
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.end();
    }
  });
  server.keepAliveTimeout = 5_000;
  // Bound first, before anything else starts: a port in use is known at once.
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(portError(error, options.host, options.port)));
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    port,
    setRoutes(next, handler) {
      routes = next.map(compile);
      local = handler;
      routesInstalled();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
