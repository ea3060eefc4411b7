/**
 * dynalite in a worker thread, started by local/dynamodb.ts. The whole local runtime
 * otherwise shares one event loop; with the DynamoDB emulator on a thread of its own, its
 * CPU time (parsing requests, LevelDB in memory) runs on the second core instead of
 * queueing behind the API front, the handlers and the SDK.
 *
 * Protocol: `workerData` is `{ path?: string }`; the worker answers `{ kind: 'listening', port }`
 * or `{ kind: 'failed', message }`, and on the message `'close'` stops the server (which
 * also closes the database) and answers `{ kind: 'closed' }`.
 */
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

export type DynaliteWorkerMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' };

/** Loopback only, whatever the caller asks for: nothing leaves the machine. */
const DYNALITE_HOST = '127.0.0.1';

const parent = parentPort;
if (!parent) throw new Error('local/dynamodb-worker.ts runs as a worker thread (see local/dynamodb.ts).');
const send = (message: DynaliteWorkerMessage) => parent.postMessage(message);

const data: unknown = workerData;
const path =
  typeof data === 'object' && data !== null && 'path' in data && typeof data.path === 'string'
    ? data.path
    : undefined;

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(path ? { path } : {}),
});
server.once('error', (error) => send({ kind: 'failed', message: error.message }));
server.listen(0, DYNALITE_HOST, () => {
  const { port } = server.address() as AddressInfo;
  send({ kind: 'listening', port });
});
parent.on('message', (message: unknown) => {
  // The parent terminates the thread once it hears back, so nothing else needs to end here.
  if (message === 'close') server.close(() => send({ kind: 'closed' }));
});
