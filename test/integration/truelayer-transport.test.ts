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
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, esbuildOptions } from '../../infra/bundling.ts';
import { fromRepoRoot } from '../../infra/paths.ts';

interface Received {
  method: string | undefined;
  contentLength: string | undefined;
  acceptEncoding: string | undefined;
  body: string;
}

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
  it('sends the body with its length, asks for no compression, parses the JSON answer and keeps the connection', async () => {
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
    expect(first).toEqual({ status: 200, body: { seen: 1 } });
    expect(second).toEqual({ status: 200, body: { seen: 2 } });
    // The transport does not decompress, so it asks for an uncompressed answer.
    expect(received[0]).toEqual({
      method: 'POST',
      contentLength: String(Buffer.byteLength(body)),
      acceptEncoding: 'identity',
      body,
    });
    expect(received[1]?.method).toBe('GET');
    expect(connections).toBe(1);
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
