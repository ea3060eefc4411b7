import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { type AwsFaults, dropAnswer, faultAnswer, holdWithoutAnswer, sendFaultAnswer } from './aws-faults.ts';

/**
 * A pass-through proxy in front of the local DynamoDB engine (dynalite or DynamoDB Local), so that
 * faults can be injected into the product's DynamoDB calls whichever engine serves them. Without an
 * armed DynamoDB rule a request is streamed through untouched; with one, its body is read first to
 * find the operation's journey, then it is answered, held, or forwarded and its answer dropped.
 */
export interface DynamoDbProxy {
  endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Headers that belong to one connection, not to the request or answer being passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request)
    chunks.push(chunk instanceof Buffer ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** The table a request is about, for the throttling reason's `resource`. */
function tableOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    if ('TableName' in parsed && typeof parsed.TableName === 'string') return parsed.TableName;
    if ('RequestItems' in parsed && typeof parsed.RequestItems === 'object' && parsed.RequestItems !== null)
      return Object.keys(parsed.RequestItems)[0];
    if ('TransactItems' in parsed && Array.isArray(parsed.TransactItems)) {
      const [first] = parsed.TransactItems as unknown[];
      const inner = typeof first === 'object' && first !== null ? Object.values(first)[0] : undefined;
      if (typeof inner === 'object' && inner !== null && 'TableName' in inner)
        return typeof inner.TableName === 'string' ? inner.TableName : undefined;
    }
  } catch {
    // Not JSON: DynamoDB will say so when the call is forwarded; a throttle has no table to name.
  }
  return undefined;
}

export async function startDynamoDbProxy(options: {
  /** The engine's endpoint, e.g. `http://127.0.0.1:PORT`. */
  target: string;
  faults: AwsFaults;
  region: string;
  accountId: string;
  host?: string;
}): Promise<DynamoDbProxy> {
  const target = new URL(options.target);
  // Kept-alive sockets to the engine: a journey then costs no new connection on either side.
  const agent = new Agent({ keepAlive: true });
  const { faults } = options;

  /** Forwards the request (streamed, or the body already read) and passes the engine's answer back. */
  const forward = (request: IncomingMessage, response: ServerResponse, body?: Buffer) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.headers),
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      // The engine is gone (closing, crashed): as on a broken network, the client sees a reset.
      if (!response.headersSent) dropAnswer(request);
      else response.destroy();
    });
    if (body) upstream.end(body);
    else request.pipe(upstream);
  };

  /** Forwards the request and lets the engine carry it out, then drops the answer. */
  const forwardAndDrop = (request: IncomingMessage, body: Buffer) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.headers),
        agent,
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => dropAnswer(request));
      },
    );
    upstream.on('error', () => dropAnswer(request));
    upstream.end(body);
  };

  const server: Server = createServer((request, response) => {
    if (!faults.armed('dynamodb')) return forward(request, response);
    void (async () => {
      const body = await readAll(request);
      const header = request.headers['x-amz-target'];
      const operation =
        typeof header === 'string' && header.startsWith(TARGET_PREFIX)
          ? header.slice(TARGET_PREFIX.length)
          : '';
      const text = body.toString('utf8');
      const fault = operation
        ? faults.take({ service: 'dynamodb', operation, subjects: () => [text] })
        : undefined;
      switch (fault?.fault) {
        case undefined:
          return forward(request, response, body);
        case 'throttle':
        case 'error': {
          const table = tableOf(text);
          const answer = faultAnswer('dynamodb', fault.fault, {
            operation,
            ...(table === undefined
              ? {}
              : { resourceArn: `arn:aws:dynamodb:${options.region}:${options.accountId}:table/${table}` }),
          });
          // DynamoDB signs every answer with a CRC32 of its body.
          response.setHeader('x-amz-crc32', String(crc32(JSON.stringify(answer.body))));
          return sendFaultAnswer(response, answer, CONTENT_TYPE);
        }
        case 'timeout':
          return holdWithoutAnswer(request);
        case 'lost_answer':
          return forwardAndDrop(request, body);
      }
    })().catch(() => {
      if (!response.headersSent) dropAnswer(request);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        // Held (timeout) requests and kept-alive client sockets are destroyed, not waited for.
        server.closeAllConnections();
        server.close(() => {
          agent.destroy();
          resolve();
        });
      });
      return closed;
    },
  };
}
