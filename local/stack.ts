import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as dynamodbApi from '@aws-sdk/client-dynamodb';
import * as eventbridgeApi from '@aws-sdk/client-eventbridge';
import * as secretsManagerApi from '@aws-sdk/client-secrets-manager';
import * as sfnApi from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import {
  EVENT_RULES,
  FUNCTIONS,
  type FunctionId,
  ROUTES,
  SCHEDULES,
  WORKFLOWS,
  type WorkflowId,
} from '../functions/contract/manifest.ts';
import { type ApiFront, startApiFront } from './api-gateway.ts';
import { loadDefinition } from './asl.ts';
import {
  type AwsFaultRule,
  type AwsFaultRuleState,
  AwsFaults,
  type KnownOperations,
  serveFaultsApi,
} from './aws-faults.ts';
import { controlledClock, type LocalClock, realClock, serveClockApi } from './clock.ts';
import { serveDemo } from './demo/serve.ts';
import { type DynamoDbEngine, LOCAL_TABLES, type LocalDynamoDb, startLocalDynamoDb } from './dynamodb.ts';
import { startDynamoDbProxy } from './dynamodb-proxy.ts';
import { type DeliveredEvent, type LocalEventBus, startLocalEventBus } from './eventbridge.ts';
import { type LocalFunction, loadLocalFunction } from './lambda-runtime.ts';
import { formatStep, isMilestone, JourneyProgress } from './progress.ts';
import { startLocalSecretsManager } from './secrets-manager.ts';
import { type LocalStepFunctions, startLocalStepFunctions } from './stepfunctions/index.ts';
import { dataConnectionRoutes } from './truelayer-sim/data-v3/index.ts';
import { type SandboxUser, startTrueLayerSimulator, type TrueLayerSimulator } from './truelayer-sim/index.ts';
import { PROVIDERS } from './truelayer-sim/providers.ts';

export const LOCAL_REGION = 'eu-west-2';
export const LOCAL_ACCOUNT = '000000000000';
/** Each flow's state machine, named as the stack names them on AWS. */
const STATE_MACHINE_NAMES: Record<WorkflowId, string> = {
  data: 'signupplus-onboarding',
  payment: 'signupplus-payment-onboarding',
  connection: 'signupplus-connection-onboarding',
};
const EVENT_BUS_NAME = 'signupplus-onboarding';
const CLIENT_SECRET_ID = 'signupplus/truelayer-client-secret';
const SIGNING_KEY_SECRET_ID = 'signupplus/truelayer-signing-key';
const LOCAL_MERCHANT_ACCOUNT_ID = 'local-merchant-account-gbp';
const LOCAL_CLIENT_ID = 'sandbox-signupplus-local';

export interface LocalStackOptions {
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** API port; 0 (the default) picks a free one. */
  port?: number;
  /** Sandbox users for the simulator; default its built-in users. */
  users?: SandboxUser[];
  /** How long a multi-account journey waits for the user's choice. */
  accountChoiceTimeoutSeconds?: number;
  /** How long an auth link (its state) stays valid. */
  authLinkTtlSeconds?: number;
  /** When set, every Retry pause of the state machine lasts this long (tests). */
  retryIntervalMs?: number;
  /** Fixed latency the simulator adds to each TrueLayer call. */
  trueLayerLatencyMs?: number;
  /** Per-attempt timeout of the functions' TrueLayer calls; default 5000 ms as on AWS. */
  trueLayerTimeoutMs?: number;
  /** Lifetime of the simulator's authorization codes; default 300 s. */
  trueLayerCodeTtlSeconds?: number;
  /**
   * How long each step of an approved payment takes at the simulator (authorized → executed →
   * settled), on the stack's clock; default 0: settled as soon as the user approves.
   */
  trueLayerPaymentStepMs?: number;
  /**
   * How long a Signup+ Finland identification link lives unused at the simulator, on the stack's
   * clock; default 600 s.
   */
  trueLayerIdentificationTtlSeconds?: number;
  /** The TrueLayer client secret; default TRUELAYER_CLIENT_SECRET or a random one. */
  clientSecret?: string;
  /** Powertools log level of the functions; default WARN. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** DynamoDB data directory; in memory when absent. */
  dataPath?: string;
  /** Which program plays DynamoDB; default `LOCAL_DYNAMODB_ENGINE`, else dynalite. */
  dynamoDbEngine?: DynamoDbEngine;
  /**
   * How often the manifest's schedules (the reconciler) run; every minute on
   * AWS, every second by default here, so that an unused link or a stranded
   * journey ends within seconds of its deadline.
   */
  scheduleIntervalMs?: number;
  /** JOURNEY_STALL_SECONDS: how long a journey may sit in an in-between status before the reconciler looks; default 5. */
  journeyStallSeconds?: number;
  /** Deliver every event to every matching target twice, as EventBridge's at-least-once delivery may. */
  deliverEventsTwice?: boolean;
  /**
   * Print the functions' business metrics to stdout as CloudWatch EMF, as
   * they go to CloudWatch on AWS. Off by default (quiet output); unset, the
   * POWERTOOLS_METRICS_DISABLED variable decides (`=false` turns them on).
   */
  metrics?: boolean;
  /** Called with one line per journey step (see local/progress.ts), for the terminal. */
  onProgress?: (line: string) => void;
  /**
   * `real` (the default): the system clock. `controlled`: `Date` follows the system clock until
   * `stack.clock.advance(seconds)` (or `POST /_local/clock`) moves it on, and whatever that made due
   * runs at once: the schedules, Task timeouts, and every expiry the functions and the simulator read
   * from `Date`. Node's timers stay real, so the SDK's timeouts and retries are untouched.
   */
  clock?: LocalClock['kind'];
}

export interface LocalUrls {
  api: string;
  demo: string;
  truelayer_auth: string;
  truelayer_api: string;
  dynamodb: string;
  stepfunctions: string;
  eventbridge: string;
  secretsmanager: string;
}

/** AWS fault injection (local/aws-faults.ts), also served as `/_local/aws-faults` on the API port. */
export interface LocalAwsFaults {
  /** Adds a rule (tried after those added before); returns its id. Throws InvalidFaultRuleError. */
  add(rule: AwsFaultRule): string;
  /** Every rule, in the order they are tried, with `remaining` and `fired`. */
  list(): AwsFaultRuleState[];
  /** Removes every rule. */
  clear(): void;
}

/** The product's application as registered with the simulator, as TrueLayer's console shows it. */
export interface LocalTrueLayerClient {
  clientId: string;
  clientSecret: string;
  /** The product's callback, `{api}/callback`. */
  redirectUri: string;
}

export interface LocalStack {
  urls: LocalUrls;
  /**
   * The client id, secret and redirect URI the functions use with the simulator: for tests that
   * call TrueLayer's endpoints as the product does (e.g. `POST {truelayer_auth}/connect/token`).
   */
  trueLayerClient: LocalTrueLayerClient;
  /** The time this process runs on; `advance` works when the stack started with `clock: 'controlled'`. */
  clock: LocalClock;
  faults: LocalAwsFaults;
  simulator: TrueLayerSimulator;
  stepFunctions: LocalStepFunctions;
  bus: LocalEventBus;
  /** Every journey's steps (API calls, states, events), as `GET /_local/stream` serves them. */
  progress: JourneyProgress;
  /** The data flow's state machine. */
  stateMachineArn: string;
  /** Every flow's state machine. */
  stateMachineArns: Record<WorkflowId, string>;
  tables: typeof LOCAL_TABLES;
  /**
   * The DynamoDB engine itself, past the fault-injecting proxy the product
   * reaches: for tests that inspect the tables, so that a journey's faults
   * never take their reads.
   */
  dynamoDbEngineEndpoint: string;
  /** Which DynamoDB engine serves the tables (`LOCAL_DYNAMODB_ENGINE`). */
  dynamoDbEngine: LocalDynamoDb['engine'];
  /** The events published so far, oldest first, as EventBridge delivers them. */
  events(onboardingId?: string): DeliveredEvent[];
  /** Stops everything; safe to call twice. */
  close(): Promise<void>;
}

let started = false;

/** The API's operation names, as the SDK names its commands; `lambda` rules name the functions. */
const commandNames = (api: Record<string, unknown>) =>
  Object.keys(api)
    .filter((name) => /^[A-Z]\w*Command$/.test(name))
    .map((name) => name.slice(0, -'Command'.length));
const KNOWN_OPERATIONS: KnownOperations = {
  dynamodb: commandNames(dynamodbApi),
  sfn: commandNames(sfnApi),
  eventbridge: commandNames(eventbridgeApi),
  secretsmanager: commandNames(secretsManagerApi),
  lambda: Object.keys(FUNCTIONS),
};

const functionName = (id: FunctionId) => `signupplus-local-${id}`;
const functionArn = (id: FunctionId) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName(id)}`;

/**
 * Runs `run` every `intervalMs` on `clock`, never two at once; a failed run is logged, as Scheduler
 * would retry it. An advance of the clock past a due run starts it at once (one run, however far).
 */
/** An EC P-521 key pair, the only kind TrueLayer's request signing takes, under a fresh `kid`. */
function localSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  return {
    kid: `local-${randomBytes(6).toString('hex')}`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function startSchedule(run: () => Promise<unknown>, intervalMs: number, clock: LocalClock) {
  let running: Promise<unknown> | undefined;
  let cancel = () => {};
  let stopped = false;
  const due = () => {
    if (stopped) return;
    running ??= run()
      .catch((error: unknown) => console.error('local scheduler: a scheduled run failed', error))
      .finally(() => {
        running = undefined;
      });
    cancel = clock.setTimeout(due, intervalMs);
  };
  cancel = clock.setTimeout(due, intervalMs);
  return {
    async stop() {
      stopped = true;
      cancel();
      await running;
    },
  };
}

function sendJson(response: ServerResponse, body: unknown): true {
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
  return true;
}

/**
 * Starts the whole product on loopback in this process: dynalite, the local
 * Step Functions running statemachines/onboarding.asl.json, the local bus with
 * the stack's rules, Secrets Manager, the TrueLayer simulator and the API. The
 * functions are the production modules; they find the local services through
 * the SDK's endpoint variables, set here before they load. One stack per
 * process, because those variables and the loaded modules are process-wide.
 */
/**
 * The API's OpenAPI document as `npm run docs` generated and committed it (a test keeps it current),
 * with this running stack added as its first server. Read per request: the file is small, and a
 * regenerated document shows up without a restart.
 */
function openApiFor(localUrl: string): unknown {
  const document = z
    .looseObject({ servers: z.array(z.unknown()).default([]) })
    .parse(JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')));
  return {
    ...document,
    servers: [{ url: localUrl, description: 'This local runtime' }, ...document.servers],
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (started) throw new Error('A local stack is already running in this process; start one per process.');
  started = true;
  const host = options.host ?? '127.0.0.1';
  const closers: Array<() => Promise<void>> = [];
  const progress = new JourneyProgress();
  const { onProgress } = options;
  if (onProgress) progress.subscribe((step) => isMilestone(step) && onProgress(formatStep(step)));
  const faults = new AwsFaults(KNOWN_OPERATIONS);
  // First, so that everything started below reads the same time.
  const clock = options.clock === 'controlled' ? controlledClock() : realClock();
  closers.push(async () => clock.uninstall());
  try {
    const api: ApiFront = await startApiFront({ host, port: options.port ?? 0 });
    closers.push(() => api.close());
    const redirectUri = `${api.url}/callback`;
    const clientSecret =
      options.clientSecret ?? process.env.TRUELAYER_CLIENT_SECRET ?? randomBytes(24).toString('base64url');

    const dynamo: LocalDynamoDb = await startLocalDynamoDb({
      host,
      ...(options.dataPath ? { path: options.dataPath } : {}),
      ...(options.dynamoDbEngine ? { engine: options.dynamoDbEngine } : {}),
    });
    closers.push(() => dynamo.close());
    // Everything but the harness's own table setup reaches DynamoDB through the fault proxy.
    const dynamoProxy = await startDynamoDbProxy({
      target: dynamo.endpoint,
      faults,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      host,
    });
    closers.push(() => dynamoProxy.close());
    // A request-signing key made for this run, its public half registered with the simulator as
    // Console holds it, its private half in Secrets Manager as the product reads it.
    const signing = localSigningKey();
    const secrets = await startLocalSecretsManager(
      {
        [CLIENT_SECRET_ID]: clientSecret,
        [SIGNING_KEY_SECRET_ID]: JSON.stringify({
          key_id: signing.kid,
          private_key_pem: signing.privateKeyPem,
        }),
      },
      host,
      faults,
    );
    closers.push(() => secrets.close());
    // Data v3: the product's return URL is registered with the simulator like the redirect URI.
    const connectionReturnUrl = `${api.url}/connections/return`;
    // Payments: the hosted payment page returns here, allow-listed like the redirect URI.
    const paymentReturnUrl = `${api.url}/payments/return`;
    const dataV3 = dataConnectionRoutes({
      aispLicensedClients: process.env.TRUELAYER_AISP_LICENSED === 'true' ? [LOCAL_CLIENT_ID] : [],
    });
    const simulator = await startTrueLayerSimulator({
      host,
      clients: [
        {
          client_id: LOCAL_CLIENT_ID,
          name: 'Signup+ demo',
          client_secret: clientSecret,
          redirect_uris: [redirectUri, connectionReturnUrl, paymentReturnUrl],
          // Signup+ in Finland: the return after the bank identification, allow-listed by Support.
          signup_plus_fi_redirect_uri: `${api.url}/identification/return`,
          signing_keys: [{ kid: signing.kid, public_key_pem: signing.publicKeyPem }],
          // Where Console sends the client's payment webhooks: the product's own route.
          webhook_uri: `${api.url}/webhooks/truelayer`,
        },
      ],
      extraApiRoutes: dataV3.apiRoutes,
      extraAuthRoutes: dataV3.authRoutes,
      extraLinkDeciders: dataV3.linkDeciders,
      ...(options.users ? { users: options.users } : {}),
      latencyMs: options.trueLayerLatencyMs ?? 0,
      ...(options.trueLayerCodeTtlSeconds === undefined
        ? {}
        : { codeTtlSeconds: options.trueLayerCodeTtlSeconds }),
      ...(options.trueLayerPaymentStepMs === undefined
        ? {}
        : { paymentStepMs: options.trueLayerPaymentStepMs }),
      ...(options.trueLayerIdentificationTtlSeconds === undefined
        ? {}
        : { identificationTtlSeconds: options.trueLayerIdentificationTtlSeconds }),
      quiet: true,
      now: () => clock.now(),
    });
    closers.push(() => simulator.close());

    // Everything the functions read, set before any of them loads.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      POWERTOOLS_SERVICE_NAME: 'signupplus-onboarding',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      POWERTOOLS_DEV: 'true',
      TABLE_NAME: LOCAL_TABLES.onboardings,
      SECRETS_TABLE_NAME: LOCAL_TABLES.secrets,
      IDEMPOTENCY_TABLE_NAME: LOCAL_TABLES.consumerIdempotency,
      EVENT_BUS_NAME,
      TRUELAYER_ENVIRONMENT: 'sandbox',
      TRUELAYER_AUTH_BASE_URL: simulator.authUrl,
      TRUELAYER_API_BASE_URL: simulator.apiUrl,
      TRUELAYER_HTTP_TIMEOUT_MS: String(options.trueLayerTimeoutMs ?? 5000),
      TRUELAYER_CLIENT_ID: LOCAL_CLIENT_ID,
      TRUELAYER_CLIENT_SECRET_ID: CLIENT_SECRET_ID,
      TRUELAYER_SIGNING_KEY_SECRET_ID: SIGNING_KEY_SECRET_ID,
      TRUELAYER_MERCHANT_ACCOUNT_ID: LOCAL_MERCHANT_ACCOUNT_ID,
      TRUELAYER_HPP_BASE_URL: simulator.hppUrl,
      TRUELAYER_WEBHOOKS_BASE_URL: simulator.webhooksUrl,
      PAYMENT_RETURN_URL: paymentReturnUrl,
      IDENTIFICATION_RETURN_URL: `${api.url}/identification/return`,
      TRUELAYER_REDIRECT_URI: redirectUri,
      RETURN_URL: `${api.url}/`,
      CONNECTION_RETURN_URL: connectionReturnUrl,
      ACCOUNT_CHOICE_TIMEOUT_SECONDS: String(options.accountChoiceTimeoutSeconds ?? 900),
      AUTH_LINK_TTL_SECONDS: String(options.authLinkTtlSeconds ?? 600),
      JOURNEY_STALL_SECONDS: String(options.journeyStallSeconds ?? 5),
      ...(options.metrics === undefined ? {} : { POWERTOOLS_METRICS_DISABLED: String(!options.metrics) }),
    });

    const functions = {} as Record<FunctionId, LocalFunction>;
    // The bus and the state machine need the functions and the functions need their endpoints:
    // endpoints are known before loading because the servers start first.
    const bus = await startLocalEventBus({
      busName: EVENT_BUS_NAME,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      host,
      faults,
      deliverTwice: options.deliverEventsTwice ?? false,
      rules: EVENT_RULES.map((rule) => ({
        id: rule.id,
        pattern: rule.pattern,
        deliver: (event) => functions[rule.target](event),
      })),
    });
    closers.push(() => bus.close());
    bus.subscribe((event) => progress.busEvent(event));
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;

    // Lambda fault rules name functions by their logical id; Step Functions knows them by ARN.
    const functionIds = new Map((Object.keys(FUNCTIONS) as FunctionId[]).map((id) => [functionArn(id), id]));
    const workflowIds = Object.keys(WORKFLOWS) as WorkflowId[];
    const stateMachines = await Promise.all(
      workflowIds.map(async (workflow) => ({
        name: STATE_MACHINE_NAMES[workflow],
        definition: await loadDefinition(
          new URL(`../${WORKFLOWS[workflow].definition}`, import.meta.url),
          Object.fromEntries(
            Object.entries(WORKFLOWS[workflow].tasks).map(([placeholder, id]) => [
              placeholder,
              functionArn(id),
            ]),
          ),
        ),
      })),
    );
    const stepFunctions = await startLocalStepFunctions({
      host,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      stateMachines,
      lambdas: Object.fromEntries(
        (Object.keys(FUNCTIONS) as FunctionId[]).map((id) => [
          functionArn(id),
          (event: unknown) => functions[id](event),
        ]),
      ),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
      onHistoryEvent: (executionArn, event) => progress.historyEvent(executionArn, event),
      timers: clock,
      faults: {
        api: (operation, subjects) => faults.take({ service: 'sfn', operation, subjects })?.fault,
        lambda: (key, subjects) => {
          const id = functionIds.get(key);
          if (id === undefined) return undefined;
          const applied = faults.take({ service: 'lambda', operation: id, subjects });
          return applied && { fault: applied.fault, timeoutSeconds: FUNCTIONS[id].timeoutSeconds };
        },
      },
    });
    closers.push(() => stepFunctions.close());
    process.env.AWS_ENDPOINT_URL_SFN = stepFunctions.endpoint;
    for (const workflow of workflowIds) {
      process.env[WORKFLOWS[workflow].arnSetting] = stepFunctions.stateMachineArn(
        STATE_MACHINE_NAMES[workflow],
      );
    }
    const stateMachineArn = stepFunctions.stateMachineArn(STATE_MACHINE_NAMES.data);

    for (const id of Object.keys(FUNCTIONS) as FunctionId[]) {
      const spec = FUNCTIONS[id];
      functions[id] = await loadLocalFunction({
        entry: spec.entry,
        functionName: functionName(id),
        region: LOCAL_REGION,
        accountId: LOCAL_ACCOUNT,
        memoryMb: spec.memoryMb,
        timeoutSeconds: spec.timeoutSeconds,
      });
    }

    // EventBridge Scheduler, locally: each schedule's function on a timer, one run at a time. A Lambda
    // fault on the target skips the run (throttle, error) or lets it run and loses its answer, as
    // Scheduler would see it; either way the next run comes one interval later.
    for (const schedule of SCHEDULES) {
      const run = async () => {
        const applied = faults.take({ service: 'lambda', operation: schedule.target, subjects: () => [] });
        if (applied?.fault === 'throttle' || applied?.fault === 'error') return;
        await functions[schedule.target]({});
      };
      const runs = startSchedule(run, options.scheduleIntervalMs ?? 1_000, clock);
      closers.push(() => runs.stop());
    }

    const urls: LocalUrls = {
      api: api.url,
      demo: `${api.url}/`,
      truelayer_auth: simulator.authUrl,
      truelayer_api: simulator.apiUrl,
      dynamodb: dynamoProxy.endpoint,
      stepfunctions: stepFunctions.endpoint,
      eventbridge: bus.endpoint,
      secretsmanager: secrets.endpoint,
    };
    const eventsFor = (onboardingId?: string) =>
      bus
        .events()
        .filter((event) => onboardingId === undefined || event.detail.onboarding_id === onboardingId);

    api.setRoutes(
      ROUTES.map((route) => ({
        method: route.method,
        path: route.path,
        invoke: async (event: APIGatewayProxyEventV2) => {
          const result = await functions[route.function](event);
          progress.apiCall(route, event, result);
          return result;
        },
      })),
      async (request: IncomingMessage, response: ServerResponse, url: URL) => {
        if (url.pathname === '/_local/aws-faults') {
          await serveFaultsApi(faults, request, response);
          return true;
        }
        if (url.pathname === '/_local/clock') {
          await serveClockApi(clock, request, response);
          return true;
        }
        if (request.method !== 'GET') return false;
        if (url.pathname === '/_local/urls') return sendJson(response, urls);
        if (url.pathname === '/_local/stream') return progress.stream(request, response, url);
        if (url.pathname === '/_local/users') {
          return sendJson(
            response,
            simulator.users.map((user) => ({ username: user.username, description: user.description ?? '' })),
          );
        }
        if (url.pathname === '/_local/providers') {
          return sendJson(
            response,
            PROVIDERS.map(({ id, name }) => ({ id, name })),
          );
        }
        if (url.pathname === '/openapi.json') return sendJson(response, openApiFor(api.url));
        if (url.pathname === '/_local/events') {
          return sendJson(response, eventsFor(url.searchParams.get('onboarding_id') ?? undefined));
        }
        return serveDemo(url, response);
      },
    );

    return {
      urls,
      trueLayerClient: { clientId: LOCAL_CLIENT_ID, clientSecret, redirectUri },
      clock,
      faults: {
        add: (rule) => faults.add(rule),
        list: () => faults.list(),
        clear: () => faults.clear(),
      },
      simulator,
      stepFunctions,
      bus,
      progress,
      stateMachineArn,
      stateMachineArns: Object.fromEntries(
        workflowIds.map((workflow) => [
          workflow,
          stepFunctions.stateMachineArn(STATE_MACHINE_NAMES[workflow]),
        ]),
      ) as Record<WorkflowId, string>,
      tables: LOCAL_TABLES,
      dynamoDbEngineEndpoint: dynamo.endpoint,
      dynamoDbEngine: dynamo.engine,
      events: eventsFor,
      async close() {
        await bus.drain();
        for (const close of closers.reverse()) await close();
        started = false;
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    started = false;
    throw error;
  }
}
