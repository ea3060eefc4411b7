/**
 * Journey latency overhead: from the redirect callback to the Ready For
 * Payment event on the bus, through the product (callback handler, Step
 * Functions, task Lambdas) and through the direct baseline, alternating one
 * of each so that both see the same machine at the same time.
 */
import type { LocalStack } from '../local/stack.ts';
import { type BaselineJourney, type BaselineSettings, runBaselineJourney } from './baseline.ts';
import {
  CHOSEN_ACCOUNT,
  type EventClock,
  executionArn,
  JOURNEY_TIMEOUT_MS,
  overlapMs,
  type ProductJourney,
  runProductJourney,
  taskSpans,
  USERS,
  wallTime,
} from './journeys.ts';
import { ratio, summarize } from './lib/stats.ts';
import type { JourneyPath, LatencyResult, LatencyRun } from './results-schema.ts';

/**
 * Target p50 ratio to the baseline, per simulator latency: with TrueLayer answering in 150 ms
 * per call, as a bank does, the workflow may add at most 5 %. With TrueLayer at 0 ms the
 * ratio is the CPU of the design's calls against the baseline's, reported as information
 * (null: no verdict), since locally every service shares the same two cores.
 */
export function latencyTarget(trueLayerLatencyMs: number): number | null {
  return trueLayerLatencyMs === 0 ? null : 1.05;
}

export interface LatencyOptions {
  /** Simulator latencies to run, each with its number of measured journeys per path and variant. */
  plan: ReadonlyArray<{ latencyMs: number; journeys: number }>;
  warmup: number;
  paths: readonly JourneyPath[];
  log: (line: string) => void;
}

interface ProductSample {
  journey: ProductJourney;
  callbackToStartMs: number;
  lambdaMs: number;
  engineMs: number;
  choiceHandlerMs?: number;
  perTask: Record<string, number>;
}

/**
 * Splits one product journey's latency using its execution history (1 ms
 * timestamps). Read once the execution has ended: the ready event is
 * published from inside the last task, before the execution closes.
 */
async function breakDown(stack: LocalStack, journey: ProductJourney): Promise<ProductSample> {
  const arn = executionArn(stack, journey.onboardingId);
  await stack.stepFunctions.waitForExecution(arn, { timeoutMs: JOURNEY_TIMEOUT_MS });
  const history = stack.stepFunctions.history(arn);
  const started = history.find((event) => event.type === 'ExecutionStarted')?.timestamp.getTime();
  const callbackSent = wallTime(journey.callbackSentAt);
  const end = wallTime(journey.endedAt);
  const windows: Array<[number, number]> =
    journey.choiceRequiredAt !== undefined && journey.choiceSentAt !== undefined
      ? [
          [callbackSent, wallTime(journey.choiceRequiredAt)],
          [wallTime(journey.choiceSentAt), end],
        ]
      : [[callbackSent, end]];
  const spans = taskSpans(history);
  const perTask: Record<string, number> = {};
  for (const span of spans) {
    const inside = overlapMs([[span.start, span.end]], windows);
    perTask[span.state] = (perTask[span.state] ?? 0) + inside;
  }
  const lambdaMs = Object.values(perTask).reduce((sum, ms) => sum + ms, 0);
  const callbackToStartMs = started === undefined ? 0 : Math.max(0, started - callbackSent);
  let choiceHandlerMs: number | undefined;
  if (journey.choiceSentAt !== undefined) {
    // The wait ends (TaskSucceeded of the callback task) once ChooseAccount's SendTaskSuccess lands.
    let state = '';
    let resumedAt: number | undefined;
    for (const event of history) {
      if (event.type === 'TaskStateEntered') state = event.stateEnteredEventDetails?.name ?? '';
      if (event.type === 'TaskSucceeded' && state === 'WaitForAccountChoice')
        resumedAt = event.timestamp.getTime();
    }
    choiceHandlerMs =
      resumedAt === undefined ? undefined : Math.max(0, resumedAt - wallTime(journey.choiceSentAt));
  }
  const engineMs = journey.latencyMs - callbackToStartMs - lambdaMs - (choiceHandlerMs ?? 0);
  return {
    journey,
    callbackToStartMs,
    lambdaMs,
    engineMs,
    ...(choiceHandlerMs === undefined ? {} : { choiceHandlerMs }),
    perTask,
  };
}

async function runPath(
  stack: LocalStack,
  clock: EventClock,
  settings: BaselineSettings,
  path: JourneyPath,
  trueLayerLatencyMs: number,
  journeys: number,
  options: LatencyOptions,
): Promise<LatencyRun> {
  const user = path === 'single' ? USERS.single : USERS.multi;
  const journeyOptions = path === 'multi' ? { accountId: CHOSEN_ACCOUNT } : {};
  const product: ProductSample[] = [];
  const baseline: BaselineJourney[] = [];
  let lost = 0;
  const product1 = async (keep: boolean) => {
    try {
      const journey = await runProductJourney(stack, clock, user, journeyOptions);
      if (journey.outcome !== 'Onboarding Ready For Payment') throw new Error(journey.outcome);
      if (keep) product.push(await breakDown(stack, journey));
    } catch (error) {
      lost++;
      options.log(`latency: a product journey was lost: ${error instanceof Error ? error.message : ''}`);
    }
  };
  const baseline1 = async (keep: boolean) => {
    try {
      const journey = await runBaselineJourney(stack, clock, settings, user, journeyOptions);
      if (keep) baseline.push(journey);
    } catch (error) {
      lost++;
      options.log(`latency: a baseline journey was lost: ${error instanceof Error ? error.message : ''}`);
    }
  };
  for (let i = 0; i < options.warmup; i++) {
    await product1(false);
    await baseline1(false);
  }
  for (let i = 0; i < journeys; i++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    if (i % 2 === 0) {
      await product1(true);
      await baseline1(true);
    } else {
      await baseline1(true);
      await product1(true);
    }
  }
  const productMs = summarize(product.map((sample) => sample.journey.latencyMs));
  const baselineMs = summarize(baseline.map((journey) => journey.latencyMs));
  const target = latencyTarget(trueLayerLatencyMs);
  const ratioP50 = ratio(productMs.median, baselineMs.median);
  const taskNames = [...new Set(product.flatMap((sample) => Object.keys(sample.perTask)))];
  const choiceHandler = product.flatMap((sample) =>
    sample.choiceHandlerMs === undefined ? [] : [sample.choiceHandlerMs],
  );
  options.log(
    `latency: ${path} @${trueLayerLatencyMs} ms: product p50 ${productMs.median} ms, baseline p50 ${baselineMs.median} ms`,
  );
  return {
    path,
    truelayer_latency_ms: trueLayerLatencyMs,
    journeys: Math.min(product.length, baseline.length),
    product_ms: productMs,
    baseline_ms: baselineMs,
    ...(path === 'multi'
      ? {
          product_parts: {
            to_choice_required_ms: summarize(
              product.map((s) => (s.journey.choiceRequiredAt ?? 0) - s.journey.callbackSentAt),
            ),
            choice_to_ready_ms: summarize(
              product.map((s) => s.journey.endedAt - (s.journey.choiceSentAt ?? s.journey.endedAt)),
            ),
          },
        }
      : {}),
    ratio_p50: ratioP50,
    ratio_p99: ratio(productMs.p99, baselineMs.p99),
    target_ratio: target,
    pass: target === null ? null : product.length > 0 && lost === 0 && ratioP50 <= target,
    breakdown: {
      callback_to_execution_start_ms: summarize(product.map((s) => s.callbackToStartMs)),
      lambda_tasks_ms: summarize(product.map((s) => s.lambdaMs)),
      engine_ms: summarize(product.map((s) => s.engineMs)),
      ...(choiceHandler.length > 0 ? { choice_handler_ms: summarize(choiceHandler) } : {}),
      per_task_ms: Object.fromEntries(
        taskNames.map((name) => [name, summarize(product.map((s) => s.perTask[name] ?? 0))]),
      ),
    },
    baseline_breakdown: {
      token_ms: summarize(baseline.map((j) => j.steps.tokenMs)),
      accounts_ms: summarize(baseline.map((j) => j.steps.accountsMs)),
      put_item_ms: summarize(baseline.map((j) => j.steps.putItemMs)),
      put_events_ms: summarize(baseline.map((j) => j.steps.putEventsMs)),
    },
    lost,
  };
}

export async function measureLatency(
  stack: LocalStack,
  clock: EventClock,
  settings: BaselineSettings,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const runs: LatencyRun[] = [];
  for (const { latencyMs, journeys } of options.plan) {
    stack.simulator.setLatency(latencyMs);
    for (const path of options.paths)
      runs.push(await runPath(stack, clock, settings, path, latencyMs, journeys, options));
  }
  stack.simulator.setLatency(0);
  return { warmup_journeys: options.warmup, runs };
}
