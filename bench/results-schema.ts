/**
 * The shape of bench/results.json, one schema per section. The sections build
 * these objects, child processes hand them back as JSON checked against them,
 * and the report and the smoke test read them through them.
 */
import * as z from 'zod';

const count = z.number().int().min(0);

export const summarySchema = z.object({
  n: count,
  median: z.number(),
  p25: z.number(),
  p75: z.number(),
  p99: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
});

export const machineSchema = z.object({
  cpu_model: z.string(),
  cores: z.number().int().positive(),
  memory_gib: z.number(),
  node: z.string(),
  platform: z.string(),
  date: z.string(),
  git_commit: z.string(),
  load_average_1m: z.number(),
});

// ---- 1. cold start -------------------------------------------------------

export const bundleMeasurementSchema = z.object({
  key: z.string(),
  kind: z.enum(['handler', 'floor', 'sdk', 'ladder', 'split', 'merged']),
  bundle_bytes: count,
  map_bytes: count,
  sdk_clients: z.array(z.string()),
  /** `await import(bundle)` in a fresh process. */
  init_ms: summarySchema,
  /** From process start to the end of the import (Node's own bootstrap included). */
  process_ms: summarySchema,
  errors: z.array(z.string()),
});
export type BundleMeasurement = z.infer<typeof bundleMeasurementSchema>;

export const handlerColdStartSchema = z.object({
  function: z.string(),
  entry: z.string(),
  memory_mb: z.number(),
  bundle_bytes: count,
  map_bytes: count,
  /** The largest contributors to the bundle, by package. */
  top_packages: z.array(z.object({ name: z.string(), bytes: count })),
  sdk_clients: z.array(z.string()),
  /** Key of the plain SDK bundle this handler is compared with. */
  sdk_bundle: z.string(),
  init_ms: summarySchema.nullable(),
  process_ms: summarySchema.nullable(),
  sdk_init_ms: summarySchema.nullable(),
  sdk_bundle_bytes: count,
  /**
   * The verdict's figure: what the handler's init adds to its plain SDK bundle's, in ms. Both start
   * next to each other in every round; this is the difference of the two medians over rounds.
   */
  added_ms: z.number().nullable(),
  /** Median over rounds of (handler init − plain-SDK init, started next to each other), for comparison. */
  paired_added_ms: summarySchema.nullable(),
  /** Information only: median over rounds of (handler init ÷ plain-SDK init). */
  ratio_to_sdk: z.number().nullable(),
  /** Information only: median handler init over median plain-SDK init. */
  ratio_of_medians: z.number().nullable(),
  pass: z.boolean(),
  error: z.string().optional(),
});
export type HandlerColdStart = z.infer<typeof handlerColdStartSchema>;

/**
 * A module split apart to keep a function's imports light, measured both ways: the kept module
 * alone, and with the module it was split from loaded too.
 */
export const moduleSplitSchema = z.object({
  name: z.string(),
  kept: z.string(),
  apart: z.string(),
  split_init_ms: summarySchema,
  merged_init_ms: summarySchema,
  /** Difference of the two medians: what the split saves each cold start, in ms. */
  buys_ms: z.number(),
  /** The split earns its place only where it buys at least this. */
  worth_ms: z.number(),
  keep: z.boolean(),
});
export type ModuleSplit = z.infer<typeof moduleSplitSchema>;

export const coldStartResultSchema = z.object({
  starts: count,
  target_added_ms: z.number(),
  floor: bundleMeasurementSchema,
  sdk_bundles: z.array(bundleMeasurementSchema),
  /**
   * What each layer of a handler costs on top of the plain DynamoDB document
   * client bundle: zod (both import styles), then Powertools Logger and middy.
   */
  ladder: z.array(bundleMeasurementSchema),
  module_splits: z.array(moduleSplitSchema),
  handlers: z.array(handlerColdStartSchema),
});
export type ColdStartResult = z.infer<typeof coldStartResultSchema>;

// ---- 2. journey latency --------------------------------------------------

export const journeyPathSchema = z.enum(['single', 'multi']);
export type JourneyPath = z.infer<typeof journeyPathSchema>;

/** Where a product journey's time went, medians over the measured journeys. */
export const latencyBreakdownSchema = z.object({
  /** Redirect sent → StartExecution accepted (the Callback handler). */
  callback_to_execution_start_ms: summarySchema,
  /** Sum of the Lambda tasks' TaskScheduled → end, the ready-publishing task counted up to the event. */
  lambda_tasks_ms: summarySchema,
  /** Everything else: state transitions, the Choice state, task scheduling in the engine. */
  engine_ms: summarySchema,
  /** For multi: the choice request → SendTaskSuccess answered (the ChooseAccount handler). */
  choice_handler_ms: summarySchema.optional(),
  /** Per task state, TaskScheduled → end. */
  per_task_ms: z.record(z.string(), summarySchema),
});

export const baselineBreakdownSchema = z.object({
  token_ms: summarySchema,
  accounts_ms: summarySchema,
  put_item_ms: summarySchema,
  put_events_ms: summarySchema,
});

export const latencyRunSchema = z.object({
  path: journeyPathSchema,
  truelayer_latency_ms: z.number(),
  journeys: count,
  product_ms: summarySchema,
  baseline_ms: summarySchema,
  /** Multi only: callback → choice required, and choice sent → ready. */
  product_parts: z
    .object({ to_choice_required_ms: summarySchema, choice_to_ready_ms: summarySchema })
    .optional(),
  ratio_p50: z.number(),
  ratio_p99: z.number(),
  /** Null where the ratio is reported as information only (TrueLayer at 0 ms). */
  target_ratio: z.number().nullable(),
  pass: z.boolean().nullable(),
  breakdown: latencyBreakdownSchema,
  baseline_breakdown: baselineBreakdownSchema,
  lost: count,
});
export type LatencyRun = z.infer<typeof latencyRunSchema>;

export const latencyResultSchema = z.object({
  warmup_journeys: count,
  runs: z.array(latencyRunSchema),
});
export type LatencyResult = z.infer<typeof latencyResultSchema>;

// ---- 3. throughput -------------------------------------------------------

export const throughputLevelSchema = z.object({
  variant: z.enum(['product', 'baseline']),
  concurrency: z.number().int().positive(),
  window_ms: z.number(),
  started: count,
  completed: count,
  failed: count,
  /** Started but neither completed nor failed by the drain deadline. */
  lost: count,
  journeys_per_second: z.number(),
  /** Whole journey: POST /onboardings → ready event. */
  journey_ms: summarySchema,
  /** The part the baseline replaces: redirect → ready event. */
  callback_to_ready_ms: summarySchema,
  peak_rss_mib: z.number(),
  /** Process CPU (user + system, all threads) over the level, per completed journey. */
  cpu_ms_per_journey: z.number(),
  /** Machine load when the level started: other work on a shared machine slows every figure. */
  load_average_1m: z.number(),
  /** Product only: executions that ended SUCCEEDED among those this level started. */
  executions_succeeded: count.optional(),
});
export type ThroughputLevel = z.infer<typeof throughputLevelSchema>;

export const cpuProfileSchema = z.object({
  variant: z.enum(['product', 'baseline']),
  concurrency: z.number().int().positive(),
  journeys: count,
  busy_ms: z.number(),
  idle_ms: z.number(),
  components: z.array(
    z.object({ component: z.string(), ms: z.number(), share: z.number(), ms_per_journey: z.number() }),
  ),
});
export type CpuProfile = z.infer<typeof cpuProfileSchema>;

export const throughputResultSchema = z.object({
  levels: z.array(throughputLevelSchema),
  /** One extra window of each variant under the sampling profiler: CPU per journey by component. */
  cpu_profiles: z.array(cpuProfileSchema),
  peak_product_jps: z.number(),
  peak_product_concurrency: z.number(),
  peak_baseline_jps: z.number(),
  /** First concurrency where adding workers no longer adds 10 % throughput. */
  knee_concurrency: z.number().nullable(),
  process_peak_rss_mib: z.number(),
  target_jps: z.number(),
  nothing_lost: z.boolean(),
  pass: z.boolean(),
});
export type ThroughputResult = z.infer<typeof throughputResultSchema>;

// ---- 4. cost -------------------------------------------------------------

export const costPathSchema = z.enum(['single', 'multi', 'failure', 'denied']);
export type CostPath = z.infer<typeof costPathSchema>;

export const lambdaUseSchema = z.object({
  function: z.string(),
  trigger: z.enum(['api', 'workflow', 'event']),
  invocations: z.number(),
  memory_mb: z.number(),
  duration_ms: summarySchema,
  /** Billed milliseconds per journey at 1 ms granularity (median duration rounded up × invocations). */
  billed_ms: z.number(),
});

export const dynamoUseSchema = z.object({
  operation: z.string(),
  table: z.string(),
  calls: z.number(),
  /** Capacity units as dynalite reports them with ReturnConsumedCapacity=TOTAL. */
  capacity_units: z.number(),
  conditional_failures: z.number(),
});

export const pathUsageSchema = z.object({
  path: costPathSchema,
  description: z.string(),
  truelayer_latency_ms: z.number(),
  journeys: count,
  state_transitions: z.number(),
  states_entered: z.array(z.string()),
  /** Single and multi: the AWS calls of one (warm) journey up to its ready event, in order. */
  calls_before_ready: z
    .array(z.object({ service: z.string(), operation: z.string(), step: z.string(), guarantee: z.string() }))
    .optional(),
  task_retries: z.number(),
  lambdas: z.array(lambdaUseSchema),
  dynamodb: z.array(dynamoUseSchema),
  dynamodb_wru: z.number(),
  dynamodb_rru: z.number(),
  eventbridge_entries: z.number(),
  api_requests: z.number(),
  secrets_manager_calls: z.number(),
  truelayer_calls: z.record(z.string(), z.number()),
  sfn_api_calls: z.record(z.string(), z.number()),
  /** TCP connections the process opened per journey, by destination: 0 means every request reused a socket. */
  new_connections_per_journey: z.record(z.string(), z.number()),
});
export type PathUsage = z.infer<typeof pathUsageSchema>;

export const costLineSchema = z.object({
  item: z.string(),
  quantity: z.number(),
  unit: z.string(),
  unit_price_usd: z.number(),
  usd_per_million: z.number(),
});

export const pathCostSchema = z.object({
  path: costPathSchema,
  truelayer_latency_ms: z.number(),
  lines: z.array(costLineSchema),
  usd_per_million: z.number(),
  dominant_item: z.string(),
});
export type PathCost = z.infer<typeof pathCostSchema>;

export const costResultSchema = z.object({
  region: z.string(),
  prices_taken_on: z.string(),
  /** Connections the warm-up journey opened: shows the counter sees sockets when they are new. */
  warmup_connections: z.record(z.string(), z.number()),
  usage: z.array(pathUsageSchema),
  costs: z.array(pathCostSchema),
  targets: z.object({
    single_max_transitions: z.number(),
    multi_max_transitions: z.number(),
    single_pass: z.boolean(),
    multi_pass: z.boolean(),
  }),
});
export type CostResult = z.infer<typeof costResultSchema>;

// ---- the whole file ------------------------------------------------------

export const resultsSchema = z.object({
  schema_version: z.literal(2),
  mode: z.enum(['full', 'quick', 'smoke']),
  machine: machineSchema,
  duration_s: z.number(),
  cold_start: coldStartResultSchema.optional(),
  latency: latencyResultSchema.optional(),
  throughput: throughputResultSchema.optional(),
  cost: costResultSchema.optional(),
  targets: z.array(
    z.object({
      target: z.string(),
      measured: z.string(),
      verdict: z.enum(['PASS', 'MISS', 'INFO', 'NOT RUN']),
    }),
  ),
});
export type Results = z.infer<typeof resultsSchema>;
