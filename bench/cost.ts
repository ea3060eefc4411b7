/**
 * AWS cost per onboarding, from what one journey of each path actually does
 * on the local runtime: its execution history (state transitions, task
 * durations), the AWS calls its functions make (counted in-process, with the
 * capacity units dynalite reports), the events it publishes and the API
 * requests it needs. Multiplied by the dated list prices in bench/prices.json.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { DetailTypes } from '../functions/contract/events.ts';
import { FUNCTIONS, type FunctionId } from '../functions/contract/manifest.ts';
import type { LocalStack } from '../local/stack.ts';
import type { AwsCall, AwsCallRecorder } from './aws-calls.ts';
import {
  type ApiCounter,
  CHOSEN_ACCOUNT,
  type EventClock,
  executionArn,
  JOURNEY_TIMEOUT_MS,
  type ProductJourney,
  runProductJourney,
  statesEntered,
  taskRetries,
  taskSpans,
  USERS,
} from './journeys.ts';
import type { ConnectionCounter } from './lib/connections.ts';
import { summarize } from './lib/stats.ts';
import type { CostPath, CostResult, PathCost, PathUsage } from './results-schema.ts';

/** State transitions a journey may take (Step Functions bills each one). */
export const TRANSITION_TARGETS = { single: 3, multi: 5 } as const;

/** The AWS calls of one journey up to and including the PutEvents that carries its ready event. */
function callsBeforeReady(calls: readonly AwsCall[]) {
  const ready = calls.findIndex((call) => call.detailTypes?.includes(DetailTypes.readyForPayment));
  if (ready < 0) return undefined;
  return calls
    .slice(0, ready + 1)
    .map(({ service, operation, step, guarantee }) => ({ service, operation, step, guarantee }));
}

const priceSchema = z.object({
  usd: z.number().nonnegative(),
  unit: z.string(),
  basis: z.string(),
  source: z.url(),
  taken_on: z.iso.date(),
  verify_before_quoting: z.literal(true),
});
export const pricesSchema = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  taken_on: z.iso.date(),
  how_taken: z.string(),
  free_tiers: z.string(),
  prices: z.object({
    stepfunctions_standard_transition: priceSchema,
    lambda_request: priceSchema,
    lambda_gb_second_arm64: priceSchema,
    dynamodb_on_demand_write_unit: priceSchema,
    dynamodb_on_demand_read_unit: priceSchema,
    eventbridge_custom_event: priceSchema,
    apigateway_http_request: priceSchema,
    secretsmanager_api_call: priceSchema,
    cloudwatch_logs_ingestion_gb: priceSchema,
  }),
  assumptions: z.object({ lambda_platform_log_bytes_per_invocation: z.number().positive() }),
});
export type Prices = z.infer<typeof pricesSchema>;

export async function loadPrices(): Promise<Prices> {
  const text = await readFile(new URL('./prices.json', import.meta.url), 'utf8');
  return pricesSchema.parse(JSON.parse(text));
}

const DESCRIPTIONS: Record<CostPath, string> = {
  single: 'john, one account: callback → LinkAccounts (exchange, accounts, record, event) → Ended',
  multi: 'jane, three accounts: … → WaitForAccountChoice → choice → CompleteWithChosenAccount',
  failure: 'Signup+ has no data for the user: … → LinkAccounts records the failure → Ended',
  denied: 'the user denies consent at the bank: the callback records the failure, no workflow',
};

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const isFunctionId = (id: string): id is FunctionId => Object.hasOwn(FUNCTIONS, id);
const memoryOf = (id: string) => (isFunctionId(id) ? FUNCTIONS[id].memoryMb : 0);

interface JourneyUsage {
  journey: ProductJourney;
  calls: AwsCall[];
  states: string[];
  retries: number;
  invocations: Array<{ function: string; trigger: 'api' | 'workflow' | 'event'; ms: number }>;
  apiRequests: number;
  trueLayer: Record<string, number>;
  connections: Record<string, number>;
}

/** Which local service listens on a port: the destinations of the connections counted. */
function destinations(stack: LocalStack): Map<number, string> {
  const names = new Map<number, string>();
  const urls: Array<[string, string]> = [
    ['integrator API (bench client)', stack.urls.api],
    ['TrueLayer auth host', stack.urls.truelayer_auth],
    ['TrueLayer API host', stack.urls.truelayer_api],
    ['DynamoDB', stack.urls.dynamodb],
    ['Step Functions', stack.urls.stepfunctions],
    ['EventBridge', stack.urls.eventbridge],
    ['Secrets Manager', stack.urls.secretsmanager],
  ];
  for (const [name, url] of urls) names.set(Number(new URL(url).port), name);
  return names;
}

/** The simulator's own hooks (the bank dialog the bench drives) are not calls the product makes to TrueLayer. */
const SIMULATOR_HOOKS = /^(authorize|dialog)/;

function diffCalls(after: Record<string, number>, before: Record<string, number>) {
  const diff: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    if (SIMULATOR_HOOKS.test(name)) continue;
    const delta = count - (before[name] ?? 0);
    if (delta > 0) diff[name] = delta;
  }
  return diff;
}

async function oneJourney(
  stack: LocalStack,
  clock: EventClock,
  recorder: AwsCallRecorder,
  connections: ConnectionCounter,
  path: CostPath,
): Promise<JourneyUsage> {
  recorder.take();
  connections.take();
  const trueLayerBefore = stack.simulator.calls();
  const api: ApiCounter = { requests: 0 };
  const user = path === 'multi' ? USERS.multi : path === 'failure' ? USERS.failure : USERS.single;
  const journey = await runProductJourney(stack, clock, user, {
    api,
    ...(path === 'multi' ? { accountId: CHOSEN_ACCOUNT } : {}),
    ...(path === 'denied' ? { decision: 'deny' as const } : {}),
  });
  const expected = path === 'single' || path === 'multi' ? DetailTypes.readyForPayment : DetailTypes.failed;
  if (journey.outcome !== expected) throw new Error(`${path} journey ended ${journey.outcome}`);
  // The example consumer runs on delivery of the ready event; drain waits for it.
  await stack.bus.drain();
  const consumerMs = performance.now() - journey.endedAt;
  const invocations: JourneyUsage['invocations'] = [
    { function: 'CreateOnboarding', trigger: 'api', ms: journey.createMs },
    { function: 'Callback', trigger: 'api', ms: journey.callbackAnsweredAt - journey.callbackSentAt },
  ];
  if (journey.choiceSentAt !== undefined && journey.choiceAnsweredAt !== undefined)
    invocations.push({
      function: 'ChooseAccount',
      trigger: 'api',
      ms: journey.choiceAnsweredAt - journey.choiceSentAt,
    });
  let states: string[] = [];
  let retries = 0;
  if (path !== 'denied') {
    const arn = executionArn(stack, journey.onboardingId);
    await stack.stepFunctions.waitForExecution(arn, { timeoutMs: JOURNEY_TIMEOUT_MS });
    const history = stack.stepFunctions.history(arn);
    states = statesEntered(history);
    retries = taskRetries(history);
    for (const span of taskSpans(history))
      invocations.push({ function: span.functionId, trigger: 'workflow', ms: span.end - span.start });
  }
  if (journey.outcome === DetailTypes.readyForPayment)
    invocations.push({ function: 'ReadyForPaymentExample', trigger: 'event', ms: consumerMs });
  return {
    journey,
    calls: recorder.take(),
    states,
    retries,
    invocations,
    apiRequests: api.requests,
    trueLayer: diffCalls(stack.simulator.calls(), trueLayerBefore),
    connections: Object.fromEntries(
      [...connections.take()].map(([port, count]) => [
        destinations(stack).get(port) ?? `port ${port}`,
        count,
      ]),
    ),
  };
}

const perJourney = (total: number, journeys: number) => Math.round((total / journeys) * 1000) / 1000;

function usageOf(path: CostPath, latency: number, samples: readonly JourneyUsage[]): PathUsage {
  const n = samples.length;
  const first = samples[0];
  const invocations = samples.flatMap((sample) => sample.invocations);
  const functions = [
    ...new Set(invocations.map((invocation) => `${invocation.trigger}|${invocation.function}`)),
  ];
  const lambdas = functions.map((key) => {
    const [trigger = 'workflow', name = ''] = key.split('|');
    const mine = invocations.filter((i) => i.function === name && i.trigger === trigger);
    const durations = mine.map((i) => i.ms);
    return {
      function: name,
      trigger: z.enum(['api', 'workflow', 'event']).parse(trigger),
      invocations: perJourney(mine.length, n),
      memory_mb: memoryOf(name),
      duration_ms: summarize(durations),
      billed_ms: perJourney(
        durations.reduce((sum, ms) => sum + Math.max(1, Math.ceil(ms)), 0),
        n,
      ),
    };
  });
  const calls = samples.flatMap((sample) => sample.calls);
  const dynamoCalls = calls.filter((call) => call.service === 'DynamoDB');
  const groups = [...new Set(dynamoCalls.map((call) => `${call.operation}|${call.table ?? ''}`))];
  const dynamodb = groups.map((key) => {
    const [operation = '', table = ''] = key.split('|');
    const mine = dynamoCalls.filter((call) => call.operation === operation && (call.table ?? '') === table);
    // A refused conditional write still consumes write capacity on DynamoDB (1 unit for our small items).
    const units = mine.reduce(
      (sum, call) => sum + (call.capacityUnits ?? (call.conditionalFailure ? 1 : 0)),
      0,
    );
    return {
      operation,
      table,
      calls: perJourney(mine.length, n),
      capacity_units: perJourney(units, n),
      conditional_failures: perJourney(mine.filter((call) => call.conditionalFailure).length, n),
    };
  });
  const wru = dynamodb.filter((d) => WRITES.has(d.operation)).reduce((sum, d) => sum + d.capacity_units, 0);
  const rru = dynamodb.filter((d) => !WRITES.has(d.operation)).reduce((sum, d) => sum + d.capacity_units, 0);
  const count = (service: string) => calls.filter((call) => call.service === service);
  const sfnCalls: Record<string, number> = {};
  for (const call of count('SFN')) sfnCalls[call.operation] = (sfnCalls[call.operation] ?? 0) + 1 / n;
  const connections: Record<string, number> = {};
  for (const sample of samples)
    for (const [name, opened] of Object.entries(sample.connections))
      connections[name] = (connections[name] ?? 0) + opened;
  const trueLayer: Record<string, number> = {};
  for (const sample of samples)
    for (const [name, calls] of Object.entries(sample.trueLayer))
      trueLayer[name] = (trueLayer[name] ?? 0) + calls / n;
  return {
    path,
    description: DESCRIPTIONS[path],
    truelayer_latency_ms: latency,
    journeys: n,
    state_transitions: perJourney(
      samples.reduce((sum, sample) => sum + sample.states.length + sample.retries, 0),
      n,
    ),
    states_entered: first?.states ?? [],
    ...(first && callsBeforeReady(first.calls) ? { calls_before_ready: callsBeforeReady(first.calls) } : {}),
    task_retries: perJourney(
      samples.reduce((sum, sample) => sum + sample.retries, 0),
      n,
    ),
    lambdas,
    dynamodb,
    dynamodb_wru: Math.round(wru * 1000) / 1000,
    dynamodb_rru: Math.round(rru * 1000) / 1000,
    eventbridge_entries: perJourney(
      count('EventBridge').reduce((sum, call) => sum + (call.entries ?? 0), 0),
      n,
    ),
    api_requests: perJourney(
      samples.reduce((sum, sample) => sum + sample.apiRequests, 0),
      n,
    ),
    secrets_manager_calls: perJourney(count('Secrets Manager').length, n),
    truelayer_calls: Object.fromEntries(
      Object.entries(trueLayer).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
    ),
    sfn_api_calls: Object.fromEntries(
      Object.entries(sfnCalls).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
    ),
    new_connections_per_journey: Object.fromEntries(
      Object.entries(connections).map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000]),
    ),
  };
}

/** Usage × price, per million onboardings. */
export function costOf(usage: PathUsage, prices: Prices): PathCost {
  const p = prices.prices;
  const invocations = usage.lambdas.reduce((sum, lambda) => sum + lambda.invocations, 0);
  const gbSeconds = usage.lambdas.reduce(
    (sum, lambda) => sum + (lambda.billed_ms / 1000) * (lambda.memory_mb / 1024),
    0,
  );
  const logGb = (invocations * prices.assumptions.lambda_platform_log_bytes_per_invocation) / 1024 ** 3;
  const line = (item: string, quantity: number, unit: string, unitPrice: number) => ({
    item,
    quantity: Math.round(quantity * 1e6) / 1e6,
    unit,
    unit_price_usd: unitPrice,
    usd_per_million: Math.round(quantity * unitPrice * 1e6 * 100) / 100,
  });
  const lines = [
    line(
      'Step Functions state transitions',
      usage.state_transitions,
      'transitions',
      p.stepfunctions_standard_transition.usd,
    ),
    line('Lambda requests', invocations, 'invocations', p.lambda_request.usd),
    line('Lambda compute (arm64)', gbSeconds, 'GB-s', p.lambda_gb_second_arm64.usd),
    line('DynamoDB writes', usage.dynamodb_wru, 'WRU', p.dynamodb_on_demand_write_unit.usd),
    line('DynamoDB reads', usage.dynamodb_rru, 'RRU', p.dynamodb_on_demand_read_unit.usd),
    line('EventBridge events', usage.eventbridge_entries, 'events', p.eventbridge_custom_event.usd),
    line('API Gateway HTTP API requests', usage.api_requests, 'requests', p.apigateway_http_request.usd),
    line('Secrets Manager calls', usage.secrets_manager_calls, 'calls', p.secretsmanager_api_call.usd),
    line('CloudWatch Logs (Lambda platform lines)', logGb, 'GB', p.cloudwatch_logs_ingestion_gb.usd),
  ];
  const total = lines.reduce((sum, l) => sum + l.usd_per_million, 0);
  const dominant = lines.reduce((best, l) => (l.usd_per_million > best.usd_per_million ? l : best));
  return {
    path: usage.path,
    truelayer_latency_ms: usage.truelayer_latency_ms,
    lines,
    usd_per_million: Math.round(total * 100) / 100,
    dominant_item: dominant.item,
  };
}

export interface CostOptions {
  journeysPerPath: number;
  trueLayerLatencies: readonly number[];
  paths: readonly CostPath[];
  log: (line: string) => void;
}

export async function measureCost(
  stack: LocalStack,
  clock: EventClock,
  recorder: AwsCallRecorder,
  connections: ConnectionCounter,
  options: CostOptions,
): Promise<CostResult> {
  const prices = await loadPrices();
  // One journey first: a warm execution environment, as most onboardings on AWS meet one
  // (module-scope clients connected, the client secret cached for five minutes).
  const warmup = await oneJourney(stack, clock, recorder, connections, 'single');
  const usage: PathUsage[] = [];
  for (const latency of options.trueLayerLatencies) {
    stack.simulator.setLatency(latency);
    for (const path of options.paths) {
      const samples: JourneyUsage[] = [];
      for (let i = 0; i < options.journeysPerPath; i++)
        samples.push(await oneJourney(stack, clock, recorder, connections, path));
      const measured = usageOf(path, latency, samples);
      usage.push(measured);
      options.log(
        `cost: ${path} @${latency} ms: ${measured.state_transitions} transitions, ${measured.dynamodb_wru} WRU, ${measured.dynamodb_rru} RRU`,
      );
    }
  }
  stack.simulator.setLatency(0);
  const transitionsOf = (path: CostPath) =>
    usage.find((u) => u.path === path && u.truelayer_latency_ms === options.trueLayerLatencies[0])
      ?.state_transitions ?? Number.POSITIVE_INFINITY;
  return {
    region: prices.region,
    prices_taken_on: prices.taken_on,
    warmup_connections: warmup.connections,
    usage,
    costs: usage.map((u) => costOf(u, prices)),
    targets: {
      single_max_transitions: TRANSITION_TARGETS.single,
      multi_max_transitions: TRANSITION_TARGETS.multi,
      single_pass: transitionsOf('single') <= TRANSITION_TARGETS.single,
      multi_pass: transitionsOf('multi') <= TRANSITION_TARGETS.multi,
    },
  };
}
