/**
 * Cold start per handler: each function of functions/contract/manifest.ts is bundled
 * exactly as the CDK stack bundles it (infra/bundling.ts), then imported in a
 * fresh Node process, many times, next to two references: an empty handler
 * (what Node itself costs) and a plain bundle that only builds the AWS SDK
 * clients the handler bundles (what the SDK costs).
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import * as z from 'zod';
import { FUNCTIONS, type FunctionId } from '../functions/contract/manifest.ts';
import { BUNDLE_FILE, esbuildOptions } from '../infra/bundling.ts';
import { ratio, shuffled, summarize } from './lib/stats.ts';
import type { BundleMeasurement, ColdStartResult, HandlerColdStart } from './results-schema.ts';

/**
 * A handler's init may add at most this many ms to the init of the plain SDK bundle of its
 * clients (difference of the medians of starts taken in pairs). A difference rather than a
 * ratio: a change that speeds up every bundle (the SDK's included) shrinks the difference
 * as it should, where it made the ratio look worse.
 */
export const INIT_ADDED_TARGET_MS = 12;

/** A module split apart only to keep imports light must save at least this much of each cold start. */
export const SPLIT_WORTH_MS = 1;

const functionsModule = (path: string) => new URL(`../functions/${path}`, import.meta.url).pathname;

/**
 * The modules in functions/ split apart so that a function loads less at cold start: `kept` is
 * what the functions import, `apart` the module it was separated from. Each is measured as a
 * bundle of `kept` alone and one that loads `apart` too, as if the split had not been made.
 */
const MODULE_SPLITS = [
  {
    name: 'onboarding event contracts apart from all event contracts',
    kept: 'contract/onboarding-events.ts',
    apart: 'contract/events.ts',
  },
  {
    name: 'account details apart from the Signup+ response schemas',
    kept: 'truelayer/account-details.ts',
    apart: 'truelayer/schemas.ts',
  },
  {
    name: 'token answer schemas apart from the Signup+ response schemas',
    kept: 'truelayer/common-schemas.ts',
    apart: 'truelayer/schemas.ts',
  },
  {
    name: 'connection model apart from the connection request schema',
    kept: 'connections/model.ts',
    apart: 'connections/request.ts',
  },
  {
    name: 'failure shape apart from the onboarding model',
    kept: 'commons/failure.ts',
    apart: 'onboarding/model.ts',
  },
] as const;

/** The SDK packages we know how to build a plain reference bundle for. */
const SDK_CLIENTS = {
  'client-dynamodb': { module: '@aws-sdk/client-dynamodb', className: 'DynamoDBClient' },
  'client-sfn': { module: '@aws-sdk/client-sfn', className: 'SFNClient' },
  'client-eventbridge': { module: '@aws-sdk/client-eventbridge', className: 'EventBridgeClient' },
  'client-secrets-manager': { module: '@aws-sdk/client-secrets-manager', className: 'SecretsManagerClient' },
  'lib-dynamodb': { module: '@aws-sdk/lib-dynamodb', className: 'DynamoDBDocumentClient' },
} as const;
type SdkPackage = keyof typeof SDK_CLIENTS;
const isSdkPackage = (name: string): name is SdkPackage => Object.hasOwn(SDK_CLIENTS, name);

/**
 * Harmless values for every setting any handler reads at module scope, so
 * configuration parsing succeeds without reaching anything. Nothing is called:
 * the runner only imports the bundle.
 */
export function handlerEnvironment(id: string, memoryMb: number): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARKONLY000',
    AWS_SECRET_ACCESS_KEY: 'benchmark-only-not-a-secret',
    // As Lambda sets it: Powertools Tracer traces (and patches the SDK clients) only where it is set.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `bench-${id}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    // As infra/project-function.ts sets it on AWS: part of what a cold start pays.
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: 'signupplus-onboarding',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    TABLE_NAME: 'bench-onboardings',
    IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
    EVENT_BUS_NAME: 'bench-bus',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
    PAYMENT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench-payment',
    CONNECTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench-connection',
    ACCOUNT_CHOICE_TIMEOUT_SECONDS: '900',
    TRUELAYER_ENVIRONMENT: 'sandbox',
    TRUELAYER_CLIENT_ID: 'bench-client',
    TRUELAYER_CLIENT_SECRET_ID: 'bench/truelayer-client-secret',
    TRUELAYER_SIGNING_KEY_SECRET_ID: 'bench/truelayer-signing-key',
    TRUELAYER_MERCHANT_ACCOUNT_ID: 'bench-merchant-account',
    TRUELAYER_REDIRECT_URI: 'https://bench.example.com/callback',
    TRUELAYER_HTTP_TIMEOUT_MS: '5000',
    RETURN_URL: 'https://bench.example.com/',
    AUTH_LINK_TTL_SECONDS: '600',
    RECORD_RETENTION_DAYS: '30',
    CONNECTION_RETURN_URL: 'https://bench.example.com/connections/return',
    PAYMENT_RETURN_URL: 'https://bench.example.com/payments/return',
    IDENTIFICATION_RETURN_URL: 'https://bench.example.com/identification/return',
    TRUELAYER_AISP_LICENSED: 'false',
  };
}

/**
 * Loads the bundle once, the way Lambda's runtime loads a handler file (an
 * `.mjs` with `import()`, a CommonJS `index.js` with `require`), and
 * reports how long that took; generated into the build directory.
 */
const RUNNER_SOURCE = `// Generated by bench/cold-start.ts: one cold start per process.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const load = (url) => (url.endsWith('.mjs') ? import(url) : createRequire(import.meta.url)(fileURLToPath(url)));
const started = performance.now();
try {
  const module = await load(process.argv[2]);
  const loaded = performance.now();
  if (typeof module.handler !== 'function') throw new Error('no handler export');
  process.stdout.write(JSON.stringify({ ok: true, import_ms: loaded - started, process_ms: loaded }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error && error.name) + ': ' + String(error && error.message).slice(0, 300) }));
  process.exitCode = 1;
}
`;

const runnerAnswerSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), import_ms: z.number(), process_ms: z.number() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

interface Bundle {
  key: string;
  kind: 'handler' | 'floor' | 'sdk' | 'ladder' | 'split' | 'merged';
  file: string;
  bytes: number;
  mapBytes: number;
  env: Record<string, string>;
  clients: SdkPackage[];
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1] ?? '(application code)';
}

function outputOf(metafile: Metafile, outfile: string) {
  const wanted = relative(process.cwd(), outfile);
  const entry = Object.entries(metafile.outputs).find(([path]) => path === wanted);
  if (!entry) throw new Error(`esbuild reported no output ${wanted}`);
  return entry[1];
}

function sdkClientsOf(output: Metafile['outputs'][string]): SdkPackage[] {
  const found = new Set<SdkPackage>();
  for (const input of Object.keys(output.inputs)) {
    const name = packageOf(input);
    if (!name.startsWith('@aws-sdk/')) continue;
    const short = name.slice('@aws-sdk/'.length);
    if (isSdkPackage(short)) found.add(short);
  }
  return [...found].sort();
}

function topPackages(output: Metafile['outputs'][string], count = 6) {
  const sizes = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    sizes.set(name, (sizes.get(name) ?? 0) + info.bytesInOutput);
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => ({ name, bytes }));
}

/** A plain module that builds the given SDK clients at module scope, as the handlers do, and nothing else. */
function plainSdkSource(clients: readonly SdkPackage[]): string {
  const lines: string[] = [];
  const built: string[] = [];
  const has = (name: SdkPackage) => clients.includes(name);
  for (const name of clients) {
    const { module, className } = SDK_CLIENTS[name];
    lines.push(`import { ${className} } from '${module}';`);
  }
  for (const name of clients) {
    if (name === 'lib-dynamodb') built.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
    else if (name === 'client-dynamodb' && has('lib-dynamodb')) continue;
    else built.push(`new ${SDK_CLIENTS[name].className}({})`);
  }
  if (has('lib-dynamodb') && !has('client-dynamodb'))
    lines.unshift("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
  lines.push(`const clients = [${built.join(', ')}];`);
  lines.push('export const handler = async () => clients.length;');
  return `${lines.join('\n')}\n`;
}

/**
 * The ES-module format, with a
 * `require` for the CommonJS dependencies. Kept for one ladder rung, so every
 * run shows what that format costs (see infra/bundling.ts).
 */
const AS_ES_MODULE = {
  format: 'esm',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
} as const;

async function bundle(entry: string, outfile: string, overrides: Partial<BuildOptions> = {}) {
  const result = await build({
    ...esbuildOptions(entry, outfile),
    ...overrides,
    metafile: true,
    logLevel: 'silent',
  });
  const output = outputOf(result.metafile, outfile);
  const mapBytes = await stat(`${outfile}.map`).then(
    (info) => info.size,
    () => 0,
  );
  return { output, bytes: output.bytes, mapBytes };
}

function runOnce(runner: string, file: string, env: Record<string, string>) {
  return new Promise<z.infer<typeof runnerAnswerSchema>>((resolvePromise) => {
    execFile(
      process.execPath,
      [runner, pathToFileURL(file).href],
      { env, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout) => {
        const parsed = runnerAnswerSchema.safeParse(safeJson(stdout));
        if (parsed.success) return resolvePromise(parsed.data);
        resolvePromise({ ok: false, error: error ? `${error.name}: ${error.message}` : 'no answer' });
      },
    );
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface ColdStartOptions {
  starts: number;
  buildDir: string;
  /** Restrict to these functions (default: all of FUNCTIONS). */
  only?: readonly string[];
  /** Also measure the ladder and the module splits (default true; the smoke run leaves them out). */
  extras?: boolean;
  log: (line: string) => void;
}

/**
 * Bundles, then measures every bundle `starts` times in fresh processes. Each
 * round visits the bundles in a new random order, so a burst of load on a
 * shared machine spreads over all of them instead of hitting one. A handler
 * always runs right next to its plain SDK bundle (in random order), and the
 * ratio is taken within each such pair: the load of a shared machine drifts
 * over a run, and two starts a few hundred milliseconds apart see the same
 * machine, while two medians gathered across a minute do not.
 */
export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResult> {
  const buildDir = resolve(options.buildDir);
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(buildDir, { recursive: true });
  const runner = join(buildDir, 'runner.mjs');
  await writeFile(runner, RUNNER_SOURCE);
  // A Lambda package has no package.json saying "type": "module", so its index.js is CommonJS;
  // without this one the repository's own package.json would make Node read the bundles as ESM.
  await writeFile(join(buildDir, 'package.json'), '{ "type": "commonjs" }\n');

  const ids = (Object.keys(FUNCTIONS) as FunctionId[]).filter(
    (id) => !options.only || options.only.includes(id),
  );
  const bundles: Bundle[] = [];
  const handlerInfo = new Map<string, { topPackages: Array<{ name: string; bytes: number }> }>();
  const buildErrors = new Map<string, string>();
  for (const id of ids) {
    const spec = FUNCTIONS[id];
    const outfile = join(buildDir, 'handlers', id, BUNDLE_FILE);
    try {
      const built = await bundle(spec.entry, outfile);
      bundles.push({
        key: id,
        kind: 'handler',
        file: outfile,
        bytes: built.bytes,
        mapBytes: built.mapBytes,
        env: handlerEnvironment(id, spec.memoryMb),
        clients: sdkClientsOf(built.output),
      });
      handlerInfo.set(id, { topPackages: topPackages(built.output) });
    } catch (error) {
      buildErrors.set(id, `bundling failed: ${error instanceof Error ? error.message.split('\n')[0] : ''}`);
    }
  }

  const floorEntry = join(buildDir, 'sources', 'empty.mjs');
  await mkdir(join(buildDir, 'sources'), { recursive: true });
  await writeFile(floorEntry, 'export const handler = async () => ({});\n');
  const floorFile = join(buildDir, 'floor', BUNDLE_FILE);
  const floorBuilt = await bundle(floorEntry, floorFile);
  bundles.push({
    key: 'empty handler',
    kind: 'floor',
    file: floorFile,
    bytes: floorBuilt.bytes,
    mapBytes: floorBuilt.mapBytes,
    env: handlerEnvironment('floor', 256),
    clients: [],
  });

  const sdkKeys = new Map<string, SdkPackage[]>();
  for (const handler of bundles.filter((b) => b.kind === 'handler')) {
    sdkKeys.set(sdkKey(handler.clients), handler.clients);
  }
  for (const [key, clients] of sdkKeys) {
    const entry = join(buildDir, 'sources', `sdk-${slug(key)}.mjs`);
    await writeFile(entry, plainSdkSource(clients));
    const outfile = join(buildDir, 'sdk', slug(key), BUNDLE_FILE);
    const built = await bundle(entry, outfile);
    bundles.push({
      key,
      kind: 'sdk',
      file: outfile,
      bytes: built.bytes,
      mapBytes: built.mapBytes,
      env: handlerEnvironment(`sdk-${slug(key)}`, 256),
      clients,
    });
  }

  const extras = options.extras ?? true;
  for (const [index, [key, source, format]] of (extras ? LADDER : []).entries()) {
    const entry = join(buildDir, 'sources', `ladder-${index}.mjs`);
    await writeFile(entry, source);
    const esm = format === 'esm';
    const outfile = join(buildDir, 'ladder', String(index), esm ? 'index.mjs' : BUNDLE_FILE);
    const built = await bundle(entry, outfile, esm ? AS_ES_MODULE : {});
    bundles.push({
      key,
      kind: 'ladder',
      file: outfile,
      bytes: built.bytes,
      mapBytes: built.mapBytes,
      env: handlerEnvironment(`ladder-${index}`, 256),
      clients: ['client-dynamodb', 'lib-dynamodb'],
    });
  }

  for (const [index, split] of (extras ? MODULE_SPLITS : []).entries()) {
    const kept = `import * as kept from '${functionsModule(split.kept)}';\n`;
    const variants = [
      ['split', `${kept}export const handler = async () => kept;\n`],
      [
        'merged',
        `${kept}import '${functionsModule(split.apart)}';\nexport const handler = async () => kept;\n`,
      ],
    ] as const;
    for (const [kind, source] of variants) {
      const entry = join(buildDir, 'sources', `${kind}-${index}.mjs`);
      await writeFile(entry, source);
      const outfile = join(buildDir, kind, String(index), BUNDLE_FILE);
      const built = await bundle(entry, outfile);
      bundles.push({
        key: `${kind}: ${split.name}`,
        kind,
        file: outfile,
        bytes: built.bytes,
        mapBytes: built.mapBytes,
        env: handlerEnvironment(`${kind}-${index}`, 256),
        clients: [],
      });
    }
  }

  const samples = new Map<string, { init: number[]; process: number[]; errors: string[] }>();
  for (const b of bundles) samples.set(b.key, { init: [], process: [], errors: [] });
  /** Handler init over (and minus) its plain SDK bundle's init, one value per round. */
  const pairedRatios = new Map<string, number[]>();
  const pairedDiffs = new Map<string, number[]>();
  // One discarded start per bundle: the first read of a file comes from disk, later ones from the page cache.
  for (const b of bundles) await runOnce(runner, b.file, b.env);
  const start = async (b: Bundle): Promise<number | undefined> => {
    const answer = await runOnce(runner, b.file, b.env);
    const bucket = samples.get(b.key);
    if (!bucket) return undefined;
    if (answer.ok) {
      bucket.init.push(answer.import_ms);
      bucket.process.push(answer.process_ms);
      return answer.import_ms;
    }
    if (bucket.errors.length < 3) bucket.errors.push(answer.error);
    return undefined;
  };
  const sdkBundleOf = (b: Bundle) =>
    bundles.find((candidate) => candidate.kind === 'sdk' && candidate.key === sdkKey(b.clients));
  const mergedOf = (b: Bundle) =>
    bundles.find((candidate) => candidate.kind === 'merged' && candidate.key === `merged${b.key.slice(5)}`);
  // A unit is a handler with its plain SDK bundle, a split with its merged twin, or a bundle alone.
  const units: Bundle[][] = bundles
    .filter((b) => b.kind !== 'sdk' && b.kind !== 'merged')
    .map((b) => {
      const partner = b.kind === 'handler' ? sdkBundleOf(b) : b.kind === 'split' ? mergedOf(b) : undefined;
      return partner ? [b, partner] : [b];
    });
  for (let round = 1; round <= options.starts; round++) {
    for (const unit of shuffled(units)) {
      const inits = new Map<string, number | undefined>();
      for (const b of shuffled(unit)) inits.set(b.kind, await start(b));
      const [handler] = unit;
      const own = inits.get('handler');
      const sdk = inits.get('sdk');
      if (handler && own !== undefined && sdk !== undefined) {
        pairedRatios.set(handler.key, [...(pairedRatios.get(handler.key) ?? []), own / sdk]);
        pairedDiffs.set(handler.key, [...(pairedDiffs.get(handler.key) ?? []), own - sdk]);
      }
    }
    options.log(`cold start: round ${round}/${options.starts} done`);
  }

  const measured = (b: Bundle): BundleMeasurement => {
    const bucket = samples.get(b.key) ?? { init: [], process: [], errors: [] };
    return {
      key: b.key,
      kind: b.kind,
      bundle_bytes: b.bytes,
      map_bytes: b.mapBytes,
      sdk_clients: b.clients.map((name) => SDK_CLIENTS[name].module),
      init_ms: summarize(bucket.init),
      process_ms: summarize(bucket.process),
      errors: bucket.errors,
    };
  };
  const floorBundle = bundles.find((b) => b.kind === 'floor');
  if (!floorBundle) throw new Error('the floor bundle is missing');
  const sdkMeasurements = new Map(bundles.filter((b) => b.kind === 'sdk').map((b) => [b.key, measured(b)]));

  const handlers: HandlerColdStart[] = ids.map((id) => {
    const spec = FUNCTIONS[id];
    const b = bundles.find((candidate) => candidate.kind === 'handler' && candidate.key === id);
    if (!b) {
      return {
        function: id,
        entry: spec.entry,
        memory_mb: spec.memoryMb,
        bundle_bytes: 0,
        map_bytes: 0,
        top_packages: [],
        sdk_clients: [],
        sdk_bundle: '',
        init_ms: null,
        process_ms: null,
        sdk_init_ms: null,
        sdk_bundle_bytes: 0,
        added_ms: null,
        paired_added_ms: null,
        ratio_to_sdk: null,
        ratio_of_medians: null,
        pass: false,
        error: buildErrors.get(id) ?? 'not built',
      };
    }
    const own = measured(b);
    const sdk = sdkMeasurements.get(sdkKey(b.clients));
    const ok = own.init_ms.n > 0 && sdk !== undefined && sdk.init_ms.n > 0;
    const paired = summarize(pairedRatios.get(id) ?? []);
    const pairedDiff = summarize(pairedDiffs.get(id) ?? []);
    const added = ok && sdk ? Math.round((own.init_ms.median - sdk.init_ms.median) * 100) / 100 : null;
    return {
      function: id,
      entry: spec.entry,
      memory_mb: spec.memoryMb,
      bundle_bytes: b.bytes,
      map_bytes: b.mapBytes,
      top_packages: handlerInfo.get(id)?.topPackages ?? [],
      sdk_clients: own.sdk_clients,
      sdk_bundle: sdkKey(b.clients),
      init_ms: own.init_ms.n > 0 ? own.init_ms : null,
      process_ms: own.process_ms.n > 0 ? own.process_ms : null,
      sdk_init_ms: sdk && sdk.init_ms.n > 0 ? sdk.init_ms : null,
      sdk_bundle_bytes: sdk?.bundle_bytes ?? 0,
      added_ms: added,
      paired_added_ms: pairedDiff.n > 0 ? pairedDiff : null,
      ratio_to_sdk: paired.n > 0 ? Math.round(paired.median * 1000) / 1000 : null,
      ratio_of_medians: ok && sdk ? ratio(own.init_ms.median, sdk.init_ms.median) : null,
      pass: added !== null && added <= INIT_ADDED_TARGET_MS,
      ...(own.errors.length > 0 && own.init_ms.n === 0 ? { error: own.errors[0] } : {}),
    };
  });

  return {
    starts: options.starts,
    floor: measured(floorBundle),
    sdk_bundles: [...sdkMeasurements.values()],
    ladder: bundles.filter((b) => b.kind === 'ladder').map(measured),
    module_splits: (extras ? MODULE_SPLITS : []).map((split) => {
      const find = (kind: 'split' | 'merged') =>
        bundles.find((b) => b.kind === kind && b.key === `${kind}: ${split.name}`);
      const kept = find('split');
      const merged = find('merged');
      const splitInit = kept ? measured(kept).init_ms : summarize([]);
      const mergedInit = merged ? measured(merged).init_ms : summarize([]);
      const buys = Math.round((mergedInit.median - splitInit.median) * 100) / 100;
      return {
        name: split.name,
        kept: `functions/${split.kept}`,
        apart: `functions/${split.apart}`,
        split_init_ms: splitInit,
        merged_init_ms: mergedInit,
        buys_ms: buys,
        worth_ms: SPLIT_WORTH_MS,
        keep: buys >= SPLIT_WORTH_MS,
      };
    }),
    handlers,
    target_added_ms: INIT_ADDED_TARGET_MS,
  };
}

const DOCUMENT_CLIENT = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
`;
const READ_ENV = 'const env = z.object({ TABLE_NAME: z.string().min(1) }).parse(process.env);\n';
const READ_ENV_MINI =
  'const env = z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }).parse(process.env);\n';
/** What functions/commons/zod-messages.ts does: zod/mini with English messages. */
const ZOD_MINI = `import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
z.config(en());
`;
const LOGGER_AND_MIDDY = `import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
const logger = new Logger({ serviceName: 'bench' });
`;

/**
 * The layers between the plain SDK bundle and a handler, each on top of the
 * DynamoDB document client: zod/mini as the functions import it now, classic
 * zod as they used to (namespace import, then \`import { z }\`, which keeps
 * every locale), Powertools Tracer, then Powertools Logger and middy on top of zod/mini.
 */
const LADDER: ReadonlyArray<readonly [key: string, source: string, format?: 'esm']> = [
  [
    'the same plain SDK bundle as an ES module',
    `${DOCUMENT_CLIENT}export const handler = async () => client;\n`,
    'esm',
  ],
  [
    '+ zod/mini with English messages, reading one setting',
    `${DOCUMENT_CLIENT}${ZOD_MINI}${READ_ENV_MINI}export const handler = async () => [client, env];\n`,
  ],
  [
    '+ classic zod (import * as z) reading one setting',
    `${DOCUMENT_CLIENT}import * as z from 'zod';\n${READ_ENV}export const handler = async () => [client, env];\n`,
  ],
  [
    '+ classic zod (import { z }) reading one setting',
    `${DOCUMENT_CLIENT}import { z } from 'zod';\n${READ_ENV}export const handler = async () => [client, env];\n`,
  ],
  [
    '+ Powertools Tracer (loads the AWS X-Ray SDK)',
    `${DOCUMENT_CLIENT}import { Tracer } from '@aws-lambda-powertools/tracer';\nconst tracer = new Tracer({ serviceName: 'bench' });\nexport const handler = async () => [tracer.captureAWSv3Client(client)];\n`,
  ],
  [
    '+ zod/mini + Powertools Logger + middy',
    `${DOCUMENT_CLIENT}${ZOD_MINI}${LOGGER_AND_MIDDY}${READ_ENV_MINI}export const handler = middy(async () => [client, env]).use(injectLambdaContext(logger));\n`,
  ],
];

const sdkKey = (clients: readonly SdkPackage[]) => (clients.length ? clients.join(' + ') : '(no SDK client)');
const slug = (key: string) => key.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'none';
