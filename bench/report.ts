/** Renders BENCHMARKS.md from a results file (and, when given, the results from before a change). */
import type { Summary } from './lib/stats.ts';
import type { HandlerColdStart, LatencyRun, PathCost, PathUsage, Results } from './results-schema.ts';

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const kib = (bytes: number) => `${fixed(bytes / 1024, 0)} KiB`;
/** Median with the interquartile range: the spread of repeated runs. */
const iqr = (s: Summary | null | undefined, digits = 1) =>
  !s || s.n === 0 ? '—' : `${fixed(s.median, digits)} (${fixed(s.p25, digits)}–${fixed(s.p75, digits)})`;
const usd = (value: number) => `$${value.toFixed(2)}`;

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function machine(results: Results): string {
  const m = results.machine;
  return [
    table(
      ['CPU', 'cores', 'memory', 'Node', 'platform', 'load (1 min) at start', 'commit'],
      [[m.cpu_model, m.cores, `${m.memory_gib} GiB`, m.node, m.platform, m.load_average_1m, m.git_commit]],
    ),
    '',
    `Run: ${m.date} · mode \`${results.mode}\` · ${results.duration_s} s.`,
  ].join('\n');
}

function targets(results: Results): string {
  return table(
    ['target', 'measured', 'verdict'],
    results.targets.map((t) => [t.target, t.measured, `**${t.verdict}**`]),
  );
}

const ratioOf = (value: number | null) => (value === null ? '—' : `${fixed(value, 2)}×`);

function coldStart(results: Results): string {
  const cold = results.cold_start;
  if (!cold) return '_Not run._';
  const handlerRow = (h: HandlerColdStart) => [
    h.function,
    kib(h.bundle_bytes),
    h.sdk_bundle,
    iqr(h.init_ms),
    iqr(h.sdk_init_ms),
    h.added_ms === null ? (h.error ?? '—') : `+${fixed(h.added_ms)} ms`,
    iqr(h.paired_added_ms),
    ratioOf(h.ratio_to_sdk),
    h.pass ? 'PASS' : 'MISS',
  ];
  return [
    `Each handler is bundled with \`esbuildOptions()\` from infra/bundling.ts (what the CDK stack deploys) and loaded in a fresh Node process ${cold.starts} times (after one discarded start), each time right next to a plain bundle that only builds the same AWS SDK clients; the rounds visit the bundles in a new random order. Init is \`performance.now()\` around loading the bundle, with \`NODE_OPTIONS=--enable-source-maps\` and \`AWS_EXECUTION_ENV\` set as on Lambda. **Added** is the verdict: the handler's median minus its plain SDK bundle's median over the same rounds. The median of the per-round differences and the paired ratio are information. Figures: median (p25–p75) in ms.`,
    '',
    table(
      [
        'function',
        'bundle',
        'SDK clients in the bundle',
        'init ms',
        'plain SDK init ms',
        'added',
        'per-round difference',
        'paired ratio (information)',
        `added ≤ ${cold.target_added_ms} ms`,
      ],
      cold.handlers.map(handlerRow),
    ),
    '',
    `Floor (an empty handler bundle): ${iqr(cold.floor.init_ms, 2)} ms init, ${iqr(cold.floor.process_ms)} ms from process start.`,
    '',
    'Plain SDK bundles (only the clients, built at module scope):',
    '',
    table(
      ['clients', 'bundle', 'source map', 'init ms', 'process start → init done ms'],
      cold.sdk_bundles.map((b) => [
        b.key,
        kib(b.bundle_bytes),
        kib(b.map_bytes),
        iqr(b.init_ms),
        iqr(b.process_ms),
      ]),
    ),
    '',
    ...(cold.ladder.length > 0
      ? [
          'Layer by layer, on top of the plain DynamoDB document client bundle (same method; the difference of medians is what the layer adds). The first row is that same plain bundle as an ES module: what that format alone costs (infra/bundling.ts says why the functions are CommonJS).',
          '',
          table(
            ['bundle', 'size', 'init ms', 'added to plain SDK'],
            [
              ...cold.sdk_bundles
                .filter((b) => b.key === 'client-dynamodb + lib-dynamodb')
                .map((b) => [`plain SDK: ${b.key}`, kib(b.bundle_bytes), iqr(b.init_ms), '—']),
              ...cold.ladder.map((b) => {
                const plain = cold.sdk_bundles.find((x) => x.key === 'client-dynamodb + lib-dynamodb');
                const added = plain ? b.init_ms.median - plain.init_ms.median : Number.NaN;
                return [b.key, kib(b.bundle_bytes), iqr(b.init_ms), `${fixed(added)} ms`];
              }),
            ],
          ),
          '',
        ]
      : []),
    ...(cold.module_splits.length > 0
      ? [
          `Module splits: modules of functions/ kept apart so that a function loads less. Each is loaded alone, and with the module it was split from (as if they were one), in pairs, same method; the split stays only where it buys at least ${cold.module_splits[0]?.worth_ms ?? 1} ms.`,
          '',
          table(
            ['split', 'kept', 'apart', 'init alone ms', 'init with the other ms', 'buys', 'verdict'],
            cold.module_splits.map((m) => [
              m.name,
              m.kept,
              m.apart,
              iqr(m.split_init_ms),
              iqr(m.merged_init_ms),
              `${fixed(m.buys_ms)} ms`,
              m.keep ? 'keep' : 'clarity wins: merge candidate',
            ]),
          ),
          '',
        ]
      : []),
    'What fills each handler bundle (largest packages):',
    '',
    table(
      ['function', 'bundle', 'source map', 'largest contributors'],
      cold.handlers.map((h) => [
        h.function,
        kib(h.bundle_bytes),
        kib(h.map_bytes),
        h.top_packages.map((p) => `${p.name} ${kib(p.bytes)}`).join(', '),
      ]),
    ),
  ].join('\n');
}

function latency(results: Results): string {
  const lat = results.latency;
  if (!lat) return '_Not run._';
  const label = (run: LatencyRun) => `${run.path} @${run.truelayer_latency_ms} ms`;
  const taskNames = [...new Set(lat.runs.flatMap((run) => Object.keys(run.breakdown.per_task_ms)))];
  return [
    `Product: the redirect is sent to \`GET /callback\` → Ready For Payment reaches the local bus (its arrival time, via \`stack.bus.subscribe\`). For jane (multi): callback → Account Choice Required, plus choice sent → Ready For Payment; the think time in between is excluded. Baseline: bench/baseline.ts, one function that exchanges the code at /connect/token, reads /signup-plus/accounts (and the chosen account), writes the finished onboarding item and publishes the same event with the product's own SDK clients, against the same dynalite, bus and simulator in the same process; timed from the code in hand to the event's arrival. Product and baseline journeys alternate; ${lat.warmup_journeys} warm-up journeys of each are discarded. Figures in ms: median (p25–p75).`,
    '',
    table(
      [
        'path @ TrueLayer latency',
        'journeys',
        'product p50 (p25–p75)',
        'product p99',
        'baseline p50 (p25–p75)',
        'baseline p99',
        'p50 ratio',
        'p99 ratio',
        'target',
        'verdict',
      ],
      lat.runs.map((run) => [
        label(run),
        run.journeys,
        iqr(run.product_ms),
        fixed(run.product_ms.p99),
        iqr(run.baseline_ms),
        fixed(run.baseline_ms.p99),
        `${fixed(run.ratio_p50, 2)}×`,
        `${fixed(run.ratio_p99, 2)}×`,
        run.target_ratio === null ? 'information' : `≤ ${run.target_ratio}×`,
        run.pass === null ? 'INFO' : run.pass ? 'PASS' : 'MISS',
      ]),
    ),
    '',
    'Where the product’s time goes (medians, ms; from execution history timestamps, 1 ms resolution):',
    '',
    table(
      [
        'path',
        'callback → StartExecution',
        'Lambda tasks',
        'engine (transitions, scheduling)',
        'choice handler',
        ...taskNames,
      ],
      lat.runs.map((run) => [
        label(run),
        iqr(run.breakdown.callback_to_execution_start_ms),
        iqr(run.breakdown.lambda_tasks_ms),
        iqr(run.breakdown.engine_ms),
        iqr(run.breakdown.choice_handler_ms),
        ...taskNames.map((name) => iqr(run.breakdown.per_task_ms[name])),
      ]),
    ),
    '',
    'The baseline’s steps (ms):',
    '',
    table(
      ['path', '/connect/token', '/signup-plus/accounts', 'PutItem', 'PutEvents → arrival'],
      lat.runs.map((run) => [
        label(run),
        iqr(run.baseline_breakdown.token_ms, 2),
        iqr(run.baseline_breakdown.accounts_ms, 2),
        iqr(run.baseline_breakdown.put_item_ms, 2),
        iqr(run.baseline_breakdown.put_events_ms, 2),
      ]),
    ),
    ...lat.runs
      .filter((run) => run.product_parts)
      .map(
        (run) =>
          `\n${label(run)}: callback → choice required ${iqr(run.product_parts?.to_choice_required_ms)} ms; choice sent → ready ${iqr(run.product_parts?.choice_to_ready_ms)} ms.`,
      ),
  ].join('\n');
}

function throughput(results: Results): string {
  const tp = results.throughput;
  if (!tp) return '_Not run._';
  return [
    'Closed loop: N workers each run whole single-account journeys back to back (POST /onboardings → approve at the simulator → callback → Ready For Payment on the bus) for the window, simulator latency 0, after one unrecorded warm-up window at 16 workers per variant (a fresh process needs a few seconds of traffic before V8 has optimised the hot paths); a worker finishes its last journey after the window. Journeys/s = completed ÷ time until the last one ended. Lost = no terminal event within 30 s. The baseline workers do the same create and approve, then the direct function. Peak RSS sampled every 50 ms.',
    '',
    table(
      [
        'variant',
        'workers',
        'journeys/s',
        'started',
        'completed',
        'failed',
        'lost',
        'executions SUCCEEDED',
        'journey ms p50 (p25–p75)',
        'journey p99',
        'callback → ready p50',
        'CPU ms / journey',
        'load (1 min)',
        'peak RSS MiB',
      ],
      tp.levels.map((level) => [
        level.variant,
        level.concurrency,
        fixed(level.journeys_per_second),
        level.started,
        level.completed,
        level.failed,
        level.lost,
        level.executions_succeeded ?? '—',
        iqr(level.journey_ms),
        fixed(level.journey_ms.p99),
        fixed(level.callback_to_ready_ms.median),
        fixed(level.cpu_ms_per_journey),
        fixed(level.load_average_1m, 2),
        fixed(level.peak_rss_mib),
      ]),
    ),
    '',
    ...tp.cpu_profiles.flatMap((profile) => [
      '',
      `CPU of one more ${profile.variant} window (${profile.concurrency} workers, ${profile.journeys} journeys) under V8's sampling profiler, main thread, each sample charged to the innermost known component on its stack (Node's HTTP and stream code counts for its caller). Busy ${profile.busy_ms} ms, idle ${profile.idle_ms} ms.`,
      '',
      table(
        ['component', 'CPU ms per journey', 'share'],
        profile.components.map((c) => [c.component, fixed(c.ms_per_journey, 2), `${fixed(c.share * 100)} %`]),
      ),
    ]),
    '',
    `Peak: product ${fixed(tp.peak_product_jps)} journeys/s at ${tp.peak_product_concurrency} workers; baseline ${fixed(tp.peak_baseline_jps)} journeys/s. Throughput stops growing (< 10 % gain) after ${tp.knee_concurrency ?? '—'} workers. ${tp.nothing_lost ? 'Nothing lost: every journey started completed and its execution SUCCEEDED.' : 'Journeys were lost or failed.'} Process peak RSS ${fixed(tp.process_peak_rss_mib)} MiB.`,
  ].join('\n');
}

function usageTable(usage: readonly PathUsage[]): string {
  return table(
    [
      'path @ TrueLayer latency',
      'state transitions',
      'Lambda invocations',
      'billed Lambda ms',
      'DynamoDB calls',
      'WRU',
      'RRU',
      'EventBridge entries',
      'API requests',
      'Secrets Manager calls',
      'TrueLayer calls',
      'new TCP connections',
    ],
    usage.map((u) => [
      `${u.path} @${u.truelayer_latency_ms} ms`,
      `${u.state_transitions} (${u.states_entered.join(' → ') || 'no workflow'})`,
      fixed(
        u.lambdas.reduce((sum, l) => sum + l.invocations, 0),
        0,
      ),
      fixed(
        u.lambdas.reduce((sum, l) => sum + l.billed_ms, 0),
        0,
      ),
      fixed(
        u.dynamodb.reduce((sum, d) => sum + d.calls, 0),
        0,
      ),
      fixed(u.dynamodb_wru, 1),
      fixed(u.dynamodb_rru, 1),
      u.eventbridge_entries,
      u.api_requests,
      u.secrets_manager_calls,
      Object.entries(u.truelayer_calls)
        .map(([name, calls]) => `${name} ${calls}`)
        .join(', '),
      Object.entries(u.new_connections_per_journey)
        .map(([name, opened]) => `${name} ${opened}`)
        .join(', ') || '0',
    ]),
  );
}

function costTable(costs: readonly PathCost[]): string {
  const items = costs[0]?.lines.map((line) => line.item) ?? [];
  return table(
    ['item (per million onboardings)', ...costs.map((c) => `${c.path} @${c.truelayer_latency_ms} ms`)],
    [
      ...items.map((item) => [
        item,
        ...costs.map((c) => {
          const line = c.lines.find((l) => l.item === item);
          return line ? `${usd(line.usd_per_million)} (${line.quantity} ${line.unit})` : '—';
        }),
      ]),
      ['**total**', ...costs.map((c) => `**${usd(c.usd_per_million)}**`)],
      ['dominant item', ...costs.map((c) => c.dominant_item)],
    ],
  );
}

function cost(results: Results): string {
  const c = results.cost;
  if (!c) return '_Not run._';
  const detailPaths = c.usage.filter(
    (u) => u.truelayer_latency_ms === Math.max(...c.usage.map((x) => x.truelayer_latency_ms)),
  );
  return [
    `Counted from real local executions of each path (${c.usage[0]?.journeys ?? 0} journeys per path and latency, after one warm-up journey so that module-scope clients and the cached client secret are warm, as in a warm Lambda execution environment), then priced with bench/prices.json (${c.region}, prices taken ${c.prices_taken_on}, **verify before quoting**).`,
    '',
    '- **State transitions**: `*StateEntered` events in the execution history, plus one per Task retry (AWS bills each retry as a transition). The terminal Succeed/Fail state is counted: it is a state entered.',
    '- **Lambda**: invocations and durations of the workflow tasks from the history (TaskScheduled → TaskSucceeded/TaskFailed, or → TaskSubmitted for the callback task: when the function returned); the HTTP functions timed from the client (request → answer, loopback HTTP included, so slightly high); the example consumer from the ready event’s arrival until the bus has delivered it. Memory from functions/contract/manifest.ts; billed per invocation at 1 ms granularity (rounded up); arm64 price. INIT (billed since Aug 2025) is per cold start, not per onboarding: see section 1. `GET /onboardings/{id}` polling is the integrator’s choice and not counted.',
    '- **DynamoDB**: every SDK call in the process counted by wrapping the SDK client base class’s `send` (bench/aws-calls.ts), with `ReturnConsumedCapacity=TOTAL` added so dynalite reports the units each call consumed from the item sizes, as DynamoDB does: a write costs 1 WRU per started 1 KB of the larger of the old and new item; a strongly consistent read 1 RRU per started 4 KB (an eventually consistent one half that). All of the repository’s reads are strongly consistent (`ConsistentRead: true`), so each costs 1 RRU, not 0.5. Items grow past 1 KB once the identity and timeline are stored, which is why some writes cost 2 WRU. A refused conditional write would be counted as 1 WRU (none happen on these paths).',
    '- **EventBridge**: PutEvents entries (each < 64 KB = one billed event); delivery to the Lambda target is not billed separately. **API Gateway**: the HTTP API requests the journey needs (create, callback, choice). **Secrets Manager**: GetSecretValue calls after caching (Powertools caches the client secret for 5 minutes per execution environment, so a warm environment makes none; a cold one makes one). SFN API calls (StartExecution, SendTaskSuccess) are not billed by Step Functions.',
    '- **CloudWatch Logs**: an estimate for Lambda’s own START/END/REPORT lines (about 350 bytes per invocation); the functions log nothing at WARN on these paths.',
    '- Not per onboarding, so not included: the secret ($0.40/month), the table’s KMS key ($1/month) and its requests (DynamoDB caches data keys), X-Ray traces (sampled), storage.',
    '',
    usageTable(c.usage),
    '',
    `New TCP connections are counted through Node's \`net.client.socket\` diagnostics channel for every client socket in the process (the TrueLayer transport, the AWS SDK's HTTP handler, the bench's own client). The warm-up journey opened ${
      Object.entries(c.warmup_connections)
        .map(([name, opened]) => `${name} ${opened}`)
        .join(', ') || 'none'
    }; a 0 (empty) above means every request of the journey reused a kept-alive socket.`,
    '',
    costTable(c.costs),
    '',
    'Lambda detail (per journey, at the highest simulated TrueLayer latency):',
    '',
    table(
      [
        'path',
        'function',
        'trigger',
        'invocations',
        'memory MB',
        'duration ms median (p25–p75)',
        'billed ms',
      ],
      detailPaths.flatMap((u) =>
        u.lambdas.map((l) => [
          u.path,
          l.function,
          l.trigger,
          l.invocations,
          l.memory_mb,
          iqr(l.duration_ms),
          l.billed_ms,
        ]),
      ),
    ),
    '',
    'DynamoDB detail (per journey):',
    '',
    table(
      ['path', 'operation', 'table', 'calls', 'capacity units', 'conditional failures'],
      detailPaths.flatMap((u) =>
        u.dynamodb.map((d) => [
          u.path,
          d.operation,
          d.table,
          d.calls,
          d.capacity_units,
          d.conditional_failures,
        ]),
      ),
    ),
  ].join('\n');
}

function awsCalls(results: Results): string {
  const journeys = (results.cost?.usage ?? []).filter(
    (u) => u.calls_before_ready && u.truelayer_latency_ms === 0,
  );
  if (journeys.length === 0) return '_Not run (the cost section records them)._';
  return journeys
    .flatMap((u) => [
      `**${u.path}-account** (${u.calls_before_ready?.length ?? 0} calls, a warm journey, from \`POST /onboardings\` to the PutEvents that carries Onboarding Ready For Payment):`,
      '',
      table(
        ['#', 'call', 'what for', 'the guarantee it buys'],
        (u.calls_before_ready ?? []).map((call, index) => [
          index + 1,
          `${call.service} ${call.operation}`,
          call.step,
          call.guarantee,
        ]),
      ),
      '',
    ])
    .join('\n');
}

/** What each target measures; the figures and verdicts come from the run. */
const TARGET_MEANINGS = [
  '- **Handler init adds ≤ 12 ms to its plain SDK bundle.** What our code, zod, middy and Powertools cost at a cold start, over the AWS SDK clients the function needs anyway: the handler’s median init minus the median init of a bundle that only builds those clients, both started in pairs in the same run. A difference, not a ratio: a change that makes every bundle faster (the SDK’s included) no longer makes the verdict worse. The paired ratio is kept as information.',
  '- **State transitions: single-account ≤ 3, multi-account ≤ 5.** Step Functions bills each state entered (and each retry); counted from the execution history of real local journeys.',
  '- **Journey p50 at 150 ms per TrueLayer call ≤ 1.05× the direct baseline.** From the redirect to the callback until Onboarding Ready For Payment reaches the bus, against bench/baseline.ts: one function that makes the same TrueLayer calls, writes the finished item and publishes the same event, against the same local services. At 150 ms per call, as a bank answers, the workflow may add 5 %. The 0 ms ratio is information: with nothing to wait for, it is the CPU of the design’s calls against the baseline’s two, all on the same two cores.',
  '- **≥ 100 single-account journeys/s locally, nothing lost.** Closed-loop workers through the whole product on one local stack; every journey started must complete and its execution succeed.',
].join('\n');

/** Findings that hold across runs: why the figures are what they are. */
const FINDINGS = `- **Cold start is mostly the SDK, then Powertools Tracer.** The functions are bundled as CommonJS: importing \`node:http\` from an ES module builds an ESM facade that reads http's lazy getters and compiles undici (Node's fetch), which cost every function 20–35 ms; the ladder's first row measures that format on every run. TrueLayer is called over \`node:http\` on keep-alive agents for the same reason (a first \`fetch\` costs about 25–30 ms in a fresh process). Powertools Tracer, on every function but the example consumer, loads the AWS X-Ray SDK's module graph (cls-hooked, the segment emitter, the SDK patchers) whether or not a request is sampled; the ladder's Tracer row in section 1 measures it on every run, and it is most of what the handlers add over their plain SDK bundle, which is why they miss the 12 ms target while the consumer (no Tracer) comes closest. \`--enable-source-maps\` costs 10–13 ms on both sides.
- **What a journey's AWS calls buy.** A journey makes the AWS calls listed below before its ready event, against the baseline's two (PutItem, PutEvents); each one holds a guarantee of docs/reliability.md (the table below). Locally, where every call costs CPU on the same cores, their count puts a floor under the 0 ms ratio (section 2): several times the baseline's work before any Lambda or Step Functions overhead. At 150 ms per TrueLayer call the bank sets the pace; what the workflow adds on top is mostly the CPU of those calls, so it grows with the machine's load. On AWS the callback's and LinkAccounts' writes wait on the network, not on each other's CPU.
- **Cost is Step Functions transitions.** At 3 and 5 transitions they are most of the price per million onboardings (section 4); DynamoDB writes, API Gateway, Lambda and EventBridge follow far behind. An Express workflow would price the single-account path per request, but the multi-account wait needs a Standard workflow's task token for up to the choice deadline.
- **Warm journeys reuse everything.** After the first journey, no new TCP connection is opened (TrueLayer, DynamoDB, Step Functions, EventBridge), and no Secrets Manager call is made (Powertools caches the client secret for five minutes).
- **Throughput is a verdict on the machine as much as the product.** The product, dynalite (on a worker thread), the simulator and the load generator share two cores; the AWS SDK is the largest share of the main thread (section 3's profile). The baseline's throughput in the same run is the yardstick of the machine: when other work slows it, the product slows with it. The load average is printed beside each level.
- **Not levers (measured):** marking every schema pure for esbuild (under 1.3 KiB less), zod's \`jitless\` mode (slower init), the SDK's \`cacheMiddleware\` (lib-dynamodb refuses it; no gain on a plain client), moving the load generator to a worker thread (no throughput gain on two cores). Lazy schemas would only move their cost into the first request.`;

export function renderReport(results: Results): string {
  return [
    '# Benchmarks',
    '',
    'The performance targets of the product, what the latest run measured, and what the figures mean. Everything below the findings is generated by `npm run bench` (bench/run.ts) from bench/results.json; edit bench/report.ts, not this file.',
    '',
    '## Reproduce',
    '',
    '- `npm run bench`: the full run (several minutes); `npm run bench:quick`: fewer repetitions (a few minutes).',
    '- One section: `npm run bench -- --sections cold` (`cold`, `latency`, `throughput`, `cost`); some handlers: `--functions Callback,GetOnboarding`; cold starts per bundle: `--starts 30`.',
    '- `npm run bench -- --render` re-renders this file from bench/results.json.',
    '- On a shared machine, compare figures from the same run: every pair (handler and plain SDK bundle, product and baseline journey) is measured side by side for that reason. Timings are medians with the interquartile range (p25–p75).',
    '',
    '## Targets',
    '',
    TARGET_MEANINGS,
    '',
    targets(results),
    '',
    '## Machine',
    '',
    machine(results),
    '',
    '## Findings',
    '',
    FINDINGS,
    '',
    '## AWS calls before the ready event',
    '',
    awsCalls(results),
    '',
    '## 1. Cold start per handler',
    '',
    coldStart(results),
    '',
    '## 2. Journey latency overhead',
    '',
    latency(results),
    '',
    '## 3. Throughput',
    '',
    throughput(results),
    '',
    '## 4. AWS cost per onboarding',
    '',
    cost(results),
    '',
  ].join('\n');
}
