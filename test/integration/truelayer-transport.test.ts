/**
 * The HTTP transport under every TrueLayer call (functions/truelayer/http.ts):
 * Node's own client on keep-alive agents, not fetch. The fault handling on top
 * of it (timeouts, drops, 429, garbled bodies) is proven end to end in
 * truelayer-faults.test.ts; this file pins what the transport itself promises.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueLayerContractError, TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';
import { BUNDLE_FILE, esbuildOptions } from '../../infra/bundling.ts';
import { fromRepoRoot } from '../../infra/paths.ts';

interface Received {
  method: string | undefined;
  contentLength: string | undefined;
  acceptEncoding: string | undefined;
  body: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const identity = JSON.stringify({ first_name: 'Jane' });
const problem = (status: number, title: string) =>
  JSON.stringify({
    type: 'https://docs.truelayer.com/docs/error-types#x',
    title,
    status,
    trace_id: 'trace-in-body',
  });

/** Canned answers by path, for what the transport must decode or tell apart. */
const ANSWERS: Record<string, { status: number; headers: Record<string, string>; body: Buffer | string }> = {
  '/gzip': { status: 200, headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(identity) },
  '/gzip-unlabelled': { status: 200, headers: JSON_TYPE, body: gzipSync(identity) },
  '/deflate': {
    status: 200,
    headers: { ...JSON_TYPE, 'content-encoding': 'deflate' },
    body: deflateSync(identity),
  },
  '/br': {
    status: 200,
    headers: { ...JSON_TYPE, 'content-encoding': 'br' },
    body: brotliCompressSync(identity),
  },
  '/identity': { status: 200, headers: { ...JSON_TYPE, 'content-encoding': 'identity' }, body: identity },
  '/truncated-gzip': {
    status: 200,
    headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
    body: gzipSync(identity).subarray(0, 12),
  },
  '/zstd': { status: 200, headers: { ...JSON_TYPE, 'content-encoding': 'zstd' }, body: 'xx' },
  '/garbled': { status: 200, headers: JSON_TYPE, body: '{"first_name": "Priya Body-Text-Marker' },
  '/feature-not-supported': {
    status: 502,
    headers: { 'content-type': 'application/problem+json', 'x-tl-correlation-id': 'corr-1' },
    body: problem(502, 'Feature Not Supported'),
  },
  '/provider-error': {
    status: 502,
    headers: {
      'content-type': 'application/problem+json',
      'x-tl-correlation-id': 'corr-2',
      'tl-trace-id': 'h',
    },
    body: gzipSync(problem(502, 'Provider Error')),
  },
};

let server: Server;
let baseUrl: string;
const received: Received[] = [];
let connections = 0;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    received.push({
      method: request.method,
      contentLength: request.headers['content-length'],
      acceptEncoding: request.headers['accept-encoding'],
      body: await bodyOf(request),
    });
    const answer = ANSWERS[request.url ?? ''];
    if (answer) {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ seen: received.length }));
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the TrueLayer transport', () => {
  it('sends the body with its length, accepts gzip, parses the JSON answer and keeps the connection', async () => {
    const { sendToTrueLayer } = await import('../../functions/truelayer/http.ts');
    const options = { timeoutMs: 5_000, operation: 'transport test' };
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'é-1' }).toString();
    const first = await sendToTrueLayer(
      `${baseUrl}/connect/token`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      options,
    );
    const second = await sendToTrueLayer(
      `${baseUrl}/signup-plus/accounts`,
      { method: 'GET', headers: {} },
      options,
    );
    expect(first).toEqual({ status: 200, body: { seen: 1 }, support: {} });
    expect(second).toEqual({ status: 200, body: { seen: 2 }, support: {} });
    expect(received[0]).toEqual({
      method: 'POST',
      contentLength: String(Buffer.byteLength(body)),
      acceptEncoding: 'gzip, identity',
      body,
    });
    expect(received[1]?.method).toBe('GET');
    expect(connections).toBe(1);
  });

  it.each(['/gzip', '/gzip-unlabelled', '/deflate', '/br', '/identity'])(
    'decodes the answer of %s',
    async (path) => {
      const { sendToTrueLayer } = await import('../../functions/truelayer/http.ts');

      const answer = await sendToTrueLayer(
        `${baseUrl}${path}`,
        { method: 'GET', headers: {} },
        { timeoutMs: 5_000, operation: 'decode' },
      );

      expect(answer.body).toEqual({ first_name: 'Jane' });
    },
  );

  it('retries a truncated compressed answer and refuses an encoding it cannot undo', async () => {
    const { sendToTrueLayer } = await import('../../functions/truelayer/http.ts');
    const options = { timeoutMs: 5_000, operation: 'decode' };
    const before = received.length;

    const truncated = sendToTrueLayer(`${baseUrl}/truncated-gzip`, { method: 'GET', headers: {} }, options);
    await expect(truncated).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(received.length - before).toBe(3);
    const unknown = sendToTrueLayer(`${baseUrl}/zstd`, { method: 'GET', headers: {} }, options);
    await expect(unknown).rejects.toBeInstanceOf(TrueLayerContractError);
  });

  it('hands back 502 Feature Not Supported instead of retrying it, and keeps the correlation ids', async () => {
    const { sendToTrueLayer } = await import('../../functions/truelayer/http.ts');
    const options = { timeoutMs: 5_000, operation: 'feature' };
    const before = received.length;

    const answer = await sendToTrueLayer(
      `${baseUrl}/feature-not-supported`,
      { method: 'GET', headers: {} },
      options,
    );
    expect(answer).toMatchObject({ status: 502, support: { correlation_id: 'corr-1' } });
    expect(received.length - before).toBe(1);

    const retried = sendToTrueLayer(`${baseUrl}/provider-error`, { method: 'GET', headers: {} }, options);
    await expect(retried).rejects.toMatchObject({
      name: 'TrueLayerUnavailableError',
      truelayer: {
        status: 502,
        title: 'Provider Error',
        trace_id: 'trace-in-body',
        correlation_id: 'corr-2',
      },
    });
    expect(received.length - before).toBe(4);
  });

  it('calls TrueLayer, bundled as a function is, without loading Node’s fetch implementation (~25 ms of a cold start)', async () => {
    // Bundled as the stack bundles it (CommonJS, see infra/bundling.ts) and run in a fresh
    // process, as a cold Lambda is: the test runner itself has long loaded fetch.
    const dir = mkdtempSync(join(tmpdir(), 'signupplus-transport-'));
    try {
      const bundle = join(dir, BUNDLE_FILE);
      await build({
        ...esbuildOptions(fromRepoRoot('functions/truelayer/http.ts'), bundle),
        logLevel: 'silent',
      });
      const probe = `
        require(${JSON.stringify(bundle)})
          .sendToTrueLayer(${JSON.stringify(`${baseUrl}/probe`)}, { method: 'GET', headers: {} }, { timeoutMs: 5000, operation: 'probe' })
          .then((answer) => {
            const undici = process.moduleLoadList.some((name) => name.includes('undici'));
            process.stdout.write(JSON.stringify({ status: answer.status, undici }));
            process.exit(0);
          });
      `;
      // Asynchronous: the server answering the probe runs on this process's event loop.
      const result = await promisify(execFile)(process.execPath, ['-e', probe], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ status: 200, undici: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a garbled answer', () => {
  it('keeps no text of a garbled answer in the error it raises (only its size), so none reaches a log', async () => {
    const { sendToTrueLayer } = await import('../../functions/truelayer/http.ts');
    const failure = await sendToTrueLayer(
      `${baseUrl}/garbled`,
      { method: 'GET', headers: {} },
      {
        timeoutMs: 5_000,
        operation: 'garbled test',
        once: true,
      },
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TrueLayerUnavailableError);
    const seen = JSON.stringify(failure, Object.getOwnPropertyNames(failure));
    expect(`${String(failure)} ${seen} ${String(failure instanceof Error ? failure.cause : '')}`).not.toMatch(
      /Priya|Marker|first_name/,
    );
  });
});
