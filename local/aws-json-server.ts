import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AppliedFault,
  type AwsFaultService,
  type AwsFaults,
  dropAnswer,
  faultAnswer,
  holdWithoutAnswer,
  sendFaultAnswer,
} from './aws-faults.ts';

/** An error answered the way AWS JSON protocols do: HTTP 400 and `{ __type, message }`. */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/**
 * One operation. `throttled` is set only for an operation listed in `faults.throttledByOperation`, which
 * answers a throttle itself (PutEvents: a partial failure rather than a call error).
 */
export type AwsOperation = (
  input: Record<string, unknown>,
  context: { throttled?: AppliedFault },
) => Promise<unknown> | unknown;

export interface AwsJsonServer {
  endpoint: string;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES)
      throw new AwsServiceError('SerializationException', 'Request too large', 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A loopback server for an AWS service that speaks the JSON protocol
 * (`X-Amz-Target: <prefix>.<Operation>`), so the real SDK clients can reach it
 * through their endpoint variables. Signatures are not checked.
 */
export async function startAwsJsonServer(options: {
  targetPrefix: string;
  contentType: string;
  operations: Record<string, AwsOperation>;
  host?: string;
  port?: number;
  /** Injected faults (local/aws-faults.ts), looked up for every call before it is carried out. */
  faults?: {
    registry: AwsFaults;
    service: Exclude<AwsFaultService, 'dynamodb' | 'lambda'>;
    throttledByOperation?: readonly string[];
  };
}): Promise<AwsJsonServer> {
  const faults = options.faults;
  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': options.contentType });
    response.end(JSON.stringify(body));
  };
  const serveFault = async (
    faults: NonNullable<typeof options.faults>,
    fault: AppliedFault,
    name: string,
    operation: AwsOperation,
    input: Record<string, unknown>,
    request: IncomingMessage,
    response: ServerResponse,
  ) => {
    switch (fault.fault) {
      case 'throttle':
        if (faults.throttledByOperation?.includes(name)) {
          answer(response, 200, (await operation(input, { throttled: fault })) ?? {});
          return;
        }
        return sendFaultAnswer(
          response,
          faultAnswer(faults.service, 'throttle', { operation: name }),
          options.contentType,
        );
      case 'error':
        return sendFaultAnswer(
          response,
          faultAnswer(faults.service, 'error', { operation: name }),
          options.contentType,
        );
      case 'timeout':
        return holdWithoutAnswer(request);
      case 'lost_answer':
        // Carried out whatever its outcome (an error answer is lost too), then the answer is dropped.
        await (async () => operation(input, {}))().catch(() => undefined);
        return dropAnswer(request);
    }
  };
  const server: Server = createServer(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const [prefix, name] = target.split('.');
      const operation = prefix === options.targetPrefix && name ? options.operations[name] : undefined;
      if (!operation || !name)
        throw new AwsServiceError('UnknownOperationException', `Unsupported operation ${target}`);
      const text = await readBody(request);
      let input: unknown = {};
      try {
        input = text ? JSON.parse(text) : {};
      } catch {
        throw new AwsServiceError('SerializationException', 'Body is not JSON');
      }
      if (!isRecord(input)) throw new AwsServiceError('SerializationException', 'Body must be a JSON object');
      const fault = faults?.registry.take({
        service: faults.service,
        operation: name,
        subjects: () => [text],
      });
      if (faults && fault) return await serveFault(faults, fault, name, operation, input, request, response);
      answer(response, 200, (await operation(input, {})) ?? {});
    } catch (error) {
      if (error instanceof AwsServiceError) {
        answer(response, error.statusCode, { __type: error.code, message: error.message });
      } else {
        answer(response, 500, { __type: 'InternalFailure', message: 'Local service error' });
      }
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
