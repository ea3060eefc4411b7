import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dropAnswer, faultAnswer, holdWithoutAnswer, sendFaultAnswer } from '../aws-faults.ts';
import { ServiceError } from './errors.ts';
import { operations } from './operations.ts';
import type { StepFunctionsService } from './service.ts';
import type { StepFunctionsFaults } from './types.ts';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
// Step Functions payloads are capped at 256 KiB; leave room for the envelope and escaping.
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The HTTP side of the service. */
export interface ApiServer {
  /** `http://host:port` of the listening server. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Serves the Step Functions JSON protocol (awsJson1_0), as the AWS SDK speaks it: `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; answers JSON, errors as HTTP 400
 * `{ "__type": code, "message": ... }`. Requests are not authenticated (SigV4 headers are ignored).
 */
export async function startApiServer(
  service: StepFunctionsService,
  host: string,
  port: number,
  faults?: StepFunctionsFaults['api'],
): Promise<ApiServer> {
  const server = createServer((request, response) => {
    handle(service, request, response, faults).catch((error: unknown) => {
      console.error('local-stepfunctions: request failed', error);
      if (!response.headersSent)
        send(response, 500, { __type: 'InternalFailure', message: 'Internal failure' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK clients keep connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  service: StepFunctionsService,
  request: IncomingMessage,
  response: ServerResponse,
  faults: StepFunctionsFaults['api'],
): Promise<void> {
  const body = await readBody(request);
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation =
    request.method === 'POST' && Object.hasOwn(operations, name) ? operations[name] : undefined;
  try {
    if (!operation) {
      throw new ServiceError('UnknownOperationException', `Unknown operation: ${String(target ?? '(none)')}`);
    }
    if (body === undefined) throw new ServiceError('ValidationException', 'Request body too large');
    let parsed: unknown = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ServiceError('SerializationException', 'Request body is not valid JSON');
      }
    }
    const fault = faults?.(name, () => [body, ...service.relatedTexts(parsed)]);
    switch (fault) {
      case 'throttle':
      case 'error':
        return sendFaultAnswer(response, faultAnswer('sfn', fault, { operation: name }), CONTENT_TYPE);
      case 'timeout':
        return holdWithoutAnswer(request);
      case 'lost_answer':
        // Carried out whatever its outcome (an error answer is lost too), then the answer is dropped.
        await (async () => operation(service, parsed))().catch(() => undefined);
        return dropAnswer(request);
      case undefined:
        send(response, 200, await operation(service, parsed));
    }
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    send(response, 400, { __type: error.code, message: error.message });
  }
}

/** The request body as text, or `undefined` when it exceeds {@link MAX_BODY_BYTES}. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, payload: object): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(body);
}
