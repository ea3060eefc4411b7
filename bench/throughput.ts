/**
 * Throughput: closed-loop workers each run whole single-account journeys
 * (POST /onboardings → approve → callback → Ready For Payment) back to back
 * for a fixed window, at rising concurrency, through the product and through
 * the direct baseline. Every journey started is accounted for: completed,
 * failed, or lost (no terminal event by the deadline).
 */
import { loadavg } from 'node:os';
import type { LocalStack } from '../local/stack.ts';
import { type BaselineSettings, runBaselineJourney } from './baseline.ts';
import {
  type EventClock,
  executionArn,
  JOURNEY_TIMEOUT_MS,
  JourneyTimeoutError,
  runProductJourney,
  USERS,
} from './journeys.ts';
import { profileCpu } from './lib/cpu-profile.ts';
import { summarize } from './lib/stats.ts';
import type { CpuProfile, ThroughputLevel, ThroughputResult } from './results-schema.ts';

export const THROUGHPUT_TARGET_JPS = 100;
/** A level that adds less than this share of throughput over the previous one is past the knee. */
const KNEE_GAIN = 0.1;
/**
 * Workers in the unrecorded window run before each variant's sweep. A fresh
 * process needs several seconds of traffic before V8 has optimised the hot
 * paths (SDK, dynalite, HTTP); without it the first levels measure the JIT.
 */
const WARM_UP_CONCURRENCY = 16;

export interface ThroughputOptions {
  levels: readonly number[];
  windowMs: number;
  /** Workers in the extra, profiled window (0: no profile). */
  profileConcurrency: number;
  variants: ReadonlyArray<'product' | 'baseline'>;
  log: (line: string) => void;
}

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

async function runLevel(
  stack: LocalStack,
  clock: EventClock,
  settings: BaselineSettings,
  variant: 'product' | 'baseline',
  concurrency: number,
  windowMs: number,
): Promise<ThroughputLevel> {
  let started = 0;
  let completed = 0;
  let failed = 0;
  let lost = 0;
  const journeyMs: number[] = [];
  const callbackMs: number[] = [];
  const onboardings: string[] = [];
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const loadAverage = loadavg()[0] ?? 0;
  const cpuStart = process.cpuUsage();
  const levelStart = performance.now();
  const windowEnd = levelStart + windowMs;
  let lastEnd = levelStart;
  const worker = async () => {
    while (performance.now() < windowEnd) {
      started++;
      try {
        if (variant === 'product') {
          const journey = await runProductJourney(stack, clock, USERS.single);
          onboardings.push(journey.onboardingId);
          if (journey.outcome !== 'Onboarding Ready For Payment') throw new Error(journey.outcome);
          journeyMs.push(journey.journeyMs);
          callbackMs.push(journey.latencyMs);
        } else {
          const journey = await runBaselineJourney(stack, clock, settings, USERS.single);
          journeyMs.push(journey.journeyMs);
          callbackMs.push(journey.latencyMs);
        }
        completed++;
        lastEnd = performance.now();
      } catch (error) {
        if (error instanceof JourneyTimeoutError) lost++;
        else failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const elapsed = Math.max(1, lastEnd - levelStart);
  let executionsSucceeded: number | undefined;
  if (variant === 'product') {
    // The ready event is published from the last task, a moment before each execution closes.
    const ended = await Promise.allSettled(
      onboardings.map((id) =>
        stack.stepFunctions.waitForExecution(executionArn(stack, id), { timeoutMs: JOURNEY_TIMEOUT_MS }),
      ),
    );
    executionsSucceeded = ended.filter(
      (outcome) => outcome.status === 'fulfilled' && outcome.value.status === 'SUCCEEDED',
    ).length;
  }
  return {
    variant,
    concurrency,
    window_ms: windowMs,
    started,
    completed,
    failed,
    lost,
    // Completed journeys over the time until the last of them ended (the drain included).
    journeys_per_second: Math.round((completed / elapsed) * 1000 * 10) / 10,
    journey_ms: summarize(journeyMs),
    callback_to_ready_ms: summarize(callbackMs),
    peak_rss_mib: mib(peakRss),
    cpu_ms_per_journey: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, completed)) * 10) / 10,
    load_average_1m: Math.round(loadAverage * 100) / 100,
    ...(executionsSucceeded === undefined ? {} : { executions_succeeded: executionsSucceeded }),
  };
}

/** The first concurrency whose throughput gain over the previous level is below KNEE_GAIN. */
export function kneeOf(levels: readonly ThroughputLevel[]): number | null {
  for (let i = 1; i < levels.length; i++) {
    const previous = levels[i - 1];
    const current = levels[i];
    if (!previous || !current) continue;
    if (current.journeys_per_second < previous.journeys_per_second * (1 + KNEE_GAIN))
      return previous.concurrency;
  }
  return null;
}

export async function measureThroughput(
  stack: LocalStack,
  clock: EventClock,
  settings: BaselineSettings,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  stack.simulator.setLatency(0);
  const levels: ThroughputLevel[] = [];
  const warmUps: ThroughputLevel[] = [];
  for (const variant of options.variants) {
    const warmUp = await runLevel(stack, clock, settings, variant, WARM_UP_CONCURRENCY, options.windowMs);
    warmUps.push(warmUp);
    options.log(
      `throughput: ${variant} warm-up ×${WARM_UP_CONCURRENCY}: ${warmUp.journeys_per_second} journeys/s (not recorded)`,
    );
    // Every level runs, also past the knee: the table then shows how latency grows once throughput stops.
    for (const concurrency of options.levels) {
      const level = await runLevel(stack, clock, settings, variant, concurrency, options.windowMs);
      levels.push(level);
      options.log(
        `throughput: ${variant} ×${concurrency}: ${level.journeys_per_second} journeys/s, p50 ${level.journey_ms.median} ms, lost ${level.lost}, failed ${level.failed}`,
      );
    }
  }
  const cpuProfiles: CpuProfile[] = [];
  if (options.profileConcurrency > 0) {
    for (const variant of options.variants) {
      const { result, shares, busyMs, idleMs } = await profileCpu(() =>
        runLevel(stack, clock, settings, variant, options.profileConcurrency, options.windowMs),
      );
      const journeys = Math.max(1, result.completed);
      cpuProfiles.push({
        variant,
        concurrency: options.profileConcurrency,
        journeys: result.completed,
        busy_ms: busyMs,
        idle_ms: idleMs,
        components: shares.map((share) => ({
          ...share,
          ms_per_journey: Math.round((share.ms / journeys) * 100) / 100,
        })),
      });
      options.log(`throughput: ${variant} CPU profile: ${Math.round(busyMs / journeys)} ms busy per journey`);
    }
  }
  const product = levels.filter((level) => level.variant === 'product');
  const baseline = levels.filter((level) => level.variant === 'baseline');
  const peak = product.reduce<ThroughputLevel | undefined>(
    (best, level) => (!best || level.journeys_per_second > best.journeys_per_second ? level : best),
    undefined,
  );
  // The warm-up is not reported, but a journey it lost would still be a lost journey.
  const nothingLost = [...product, ...warmUps.filter((level) => level.variant === 'product')].every(
    (level) =>
      level.lost === 0 &&
      level.failed === 0 &&
      level.started === level.completed &&
      level.executions_succeeded === level.completed,
  );
  const peakJps = peak?.journeys_per_second ?? 0;
  return {
    levels,
    cpu_profiles: cpuProfiles,
    peak_product_jps: peakJps,
    peak_product_concurrency: peak?.concurrency ?? 0,
    peak_baseline_jps: Math.max(0, ...baseline.map((level) => level.journeys_per_second)),
    knee_concurrency: kneeOf(product),
    process_peak_rss_mib: mib(process.resourceUsage().maxRSS * 1024),
    target_jps: THROUGHPUT_TARGET_JPS,
    nothing_lost: nothingLost,
    pass: nothingLost && peakJps >= THROUGHPUT_TARGET_JPS,
  };
}
