import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { RequestContext, SimulatorState } from './context.ts';
import type { FaultEngine, TerminalFault } from './faults.ts';
import { BodyError, jsonResponse, type SimResponse } from './http-io.ts';
import { problemResponse, statusProblem } from './problems.ts';
import type { RouteDefinition, Router } from './router.ts';

/** Settings for one of the two hosts. */
export interface HostServerOptions {
  /** 'auth' or 'api'; used in log lines. */
  label: string;
  host: string;
  port: number;
  router: Router;
  state: SimulatorState;
  faults: FaultEngine;
  /** Current fixed latency for faultable endpoints. */
  latencyMs: () => number;
  countCall: (name: string) => void;
  log?: (line: string) => void;
}

/** A listening host. */
export interface HostServer {
  /** `http://host:port` without a trailing slash. */
  url: string;
  /** Stops listening and ends every open connection, including held `timeout` sockets. */
  close(): Promise<void>;
}

/** Marks a request whose socket was dropped or is being held: nothing is written. */
const NO_ANSWER = Symbol('no-answer');

/** Body for the `malformed` fault: announced as JSON, cut off mid-value. */
const MALFORMED_BODY = '{"result": "ok", "data": {"unterminated": ';

/** Body for the `schema` fault on routes that do not supply their own. */
const DEFAULT_SCHEMA_VIOLATION = { unexpected: true, data: [1, 'two', null] };

/** Base for parsing request targets, which are paths. */
const BASE_URL = 'http://simulator.invalid';

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Whether the request's Accept-Encoding allows gzip (`gzip` or `*`, not with `q=0`). */
export function acceptsGzip(req: IncomingMessage): boolean {
  return (req.headers['accept-encoding'] ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some((part) => {
      const [coding = '', ...params] = part.split(';').map((piece) => piece.trim());
      const refused = params.some((param) => /^q=0(\.0*)?$/.test(param));
      return (coding === 'gzip' || coding === '*') && !refused;
    });
}

/**
 * The answer as it goes on the wire: with the `gzip` switch on, a JSON body is
 * gzip-compressed for a client that accepts it, as api.truelayer.com does
 * (D:common-headers). A body a route already encoded is left as it is.
 */
function encoded(response: SimResponse, req: IncomingMessage, gzip: boolean): SimResponse {
  const headers = response.headers ?? {};
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (!gzip || response.body === undefined || names.includes('content-encoding')) return response;
  if (!/json/i.test(contentType ?? '') || !acceptsGzip(req)) return response;
  return {
    ...response,
    headers: { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' },
    body: gzipSync(response.body),
  };
}

/** Starts one HTTP host that routes requests, counts calls and applies latency and faults. */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const held = new Set<Socket>();
  const closing = new AbortController();

  const applyFault = (
    fault: TerminalFault,
    route: RouteDefinition,
    req: IncomingMessage,
    traceId: string,
  ) => {
    switch (fault.kind) {
      case 'lost_answer':
        // Carried out before this switch is reached (see answer below).
        return NO_ANSWER;
      case 'drop':
        // RST rather than FIN, so clients see a connection reset.
        req.socket.resetAndDestroy();
        return NO_ANSWER;
      case 'timeout':
        held.add(req.socket);
        req.socket.once('close', () => held.delete(req.socket));
        return NO_ANSWER;
      case 'malformed':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: MALFORMED_BODY };
      case 'schema':
        return jsonResponse(200, route.schemaViolation ?? DEFAULT_SCHEMA_VIOLATION);
      case 'status': {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        const problem = statusProblem(fault.status);
        return problemResponse(
          traceId,
          fault.title === undefined ? problem : { ...problem, title: fault.title, detail: fault.title },
          headers,
        );
      }
    }
  };

  const answer = async (
    req: IncomingMessage,
    url: URL,
    correlationId: string,
    traceId: string,
  ): Promise<SimResponse | typeof NO_ANSWER> => {
    const method = req.method ?? 'GET';
    const match = options.router.match(method, url.pathname);
    if (match.kind === 'not_found') {
      return problemResponse(traceId, {
        status: 404,
        title: 'Not Found',
        detail: `No endpoint ${method} ${url.pathname}`,
      });
    }
    if (match.kind === 'method_not_allowed') {
      return problemResponse(
        traceId,
        { status: 405, title: 'Method Not Allowed', detail: `${method} is not allowed on ${url.pathname}` },
        { allow: match.allow.join(', ') },
      );
    }
    const { route } = match;
    options.countCall(route.name);
    if (route.faultable !== false) {
      // Faults replace the call before the handler runs, so a faulted call changes no state; except
      // lost_answer, which runs the handler and then drops what it answered.
      const decision = options.faults.decide(route.name);
      const delay = options.latencyMs() + decision.delayMs;
      if (delay > 0) await sleep(delay, undefined, { signal: closing.signal });
      if (decision.fault?.kind === 'lost_answer') {
        await route.handle({ req, url, params: match.params, correlationId, traceId, sim: options.state });
        req.socket.resetAndDestroy();
        return NO_ANSWER;
      }
      if (decision.fault !== undefined) return applyFault(decision.fault, route, req, traceId);
    }
    const ctx: RequestContext = {
      req,
      url,
      params: match.params,
      correlationId,
      traceId,
      sim: options.state,
    };
    return route.handle(ctx);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const correlationId = randomUUID();
    const traceId = randomBytes(16).toString('hex');
    // An unparsable request target must not throw outside the try below; it routes as "/!".
    const url = URL.parse(req.url ?? '/', BASE_URL) ?? new URL('/!', BASE_URL);
    let response: SimResponse | typeof NO_ANSWER;
    try {
      response = await answer(req, url, correlationId, traceId);
    } catch (error) {
      if (closing.signal.aborted) {
        req.socket.destroy();
        return;
      }
      if (error instanceof BodyError) {
        response = problemResponse(traceId, {
          status: error.status,
          title: error.status === 413 ? 'Payload Too Large' : 'Invalid Request',
          detail: error.message,
        });
      } else {
        options.log?.(
          `[truelayer-sim] ${options.label} ${req.method} ${url.pathname} failed: ${String(error)}`,
        );
        response = problemResponse(traceId, {
          status: 500,
          title: 'Unknown Error',
          detail: 'The simulator hit an unexpected error.',
        });
      }
    }
    if (response === NO_ANSWER) {
      options.log?.(`[truelayer-sim] ${options.label} ${req.method} ${url.pathname} -> (no answer)`);
      return;
    }
    try {
      const wire = encoded(response, req, options.state.switches.current.gzip);
      if (wire !== response) options.countCall('gzipped');
      res.writeHead(wire.status, {
        ...wire.headers,
        'x-tl-correlation-id': correlationId,
        'tl-trace-id': traceId,
      });
      res.end(wire.body);
    } catch (error) {
      // E.g. a header value an extra route built badly: drop the connection rather than crash.
      options.log?.(
        `[truelayer-sim] ${options.label} ${req.method} ${url.pathname} write failed: ${String(error)}`,
      );
      req.socket.destroy();
      return;
    }
    options.log?.(`[truelayer-sim] ${options.label} ${req.method} ${url.pathname} -> ${response.status}`);
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${hostForUrl(options.host)}:${address.port}`,
    close: async () => {
      closing.abort();
      for (const socket of held) socket.destroy();
      held.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
