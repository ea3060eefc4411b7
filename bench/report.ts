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

/** Median init over median plain-SDK init; files written before paired ratios stored it as ratio_to_sdk. */
function medianRatio(h: HandlerColdStart | undefined): string {
  const value = h?.ratio_of_medians === undefined ? h?.ratio_to_sdk : h.ratio_of_medians;
  return value == null ? '—' : `${fixed(value, 2)}×`;
}

function coldStart(results: Results): string {
  const cold = results.cold_start;
  if (!cold) return '_Not run._';
  const handlerRow = (h: HandlerColdStart) => [
    h.function,
    kib(h.bundle_bytes),
    h.sdk_bundle,
    iqr(h.init_ms),
    iqr(h.sdk_init_ms),
    medianRatio(h),
    h.ratio_to_sdk === null
      ? (h.error ?? '—')
      : `${fixed(h.ratio_to_sdk, 2)}×${h.paired_ratio ? ` (${fixed(h.paired_ratio.p25, 2)}–${fixed(h.paired_ratio.p75, 2)})` : ''}`,
    h.pass ? 'PASS' : 'MISS',
  ];
  return [
    `Each handler bundled with \`esbuildOptions()\` from infra/bundling.ts (what the CDK stack deploys), then imported in a fresh Node process ${cold.starts} times (plus one discarded start per bundle), bundles visited in a new random order each round, each handler right next to its plain SDK bundle. The verdict's ratio is paired: in every round, the handler's init over the plain SDK's init measured next to it, then the median (p25–p75) over rounds; a shared machine's load drifts during a run, and the pairing keeps that drift out of the ratio. The ratio of the two medians is shown too. Init = \`performance.now()\` around \`await import(bundle)\`, with \`NODE_OPTIONS=--enable-source-maps\` as on AWS and harmless values for every setting. Figures: median (p25–p75) in ms.`,
    '',
    table(
      [
        'function',
        'bundle',
        'SDK clients in the bundle',
        'init ms',
        'plain SDK init ms',
        'ratio of medians',
        'paired ratio (p25–p75)',
        `≤ ${cold.target_ratio}×`,
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
    ...(cold.ladder && cold.ladder.length > 0
      ? [
          'Layer by layer, on top of the plain DynamoDB document client bundle (same method; the difference of medians is what the layer adds). The first row is that same plain bundle in the ES-module format the functions had before 2026-11-22: what the format alone costs (infra/bundling.ts says why).',
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
        `≤ ${run.target_ratio}×`,
        run.pass ? 'PASS' : 'MISS',
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
    '- **Lambda**: invocations and durations of the workflow tasks from the history (TaskScheduled → TaskSucceeded/TaskFailed, or → TaskSubmitted for the callback task: when the function returned); the HTTP functions timed from the client (request → answer, loopback HTTP included, so slightly high); the example consumer from the ready event’s arrival until the bus has delivered it. Memory from infra/manifest.ts; billed per invocation at 1 ms granularity (rounded up); arm64 price. INIT (billed since Aug 2025) is per cold start, not per onboarding: see section 1. `GET /onboardings/{id}` polling is the integrator’s choice and not counted.',
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

function comparison(before: Results, after: Results): string {
  const parts: string[] = [
    `Before: run of ${before.machine.date} (commit ${before.machine.git_commit}, mode \`${before.mode}\`). After: this run.`,
    '',
  ];
  if (before.cold_start && after.cold_start) {
    const rows = after.cold_start.handlers.map((h) => {
      const b = before.cold_start?.handlers.find((x) => x.function === h.function);
      return [
        h.function,
        b ? kib(b.bundle_bytes) : '—',
        kib(h.bundle_bytes),
        b ? iqr(b.init_ms) : '—',
        iqr(h.init_ms),
        // Ratio of medians on both sides (earlier runs had no paired ratio), then this run's paired ratio.
        medianRatio(b),
        medianRatio(h),
        h.ratio_to_sdk != null ? `${fixed(h.ratio_to_sdk, 2)}×` : '—',
      ];
    });
    parts.push(
      '**Cold start**',
      '',
      table(
        [
          'function',
          'bundle before',
          'bundle after',
          'init ms before',
          'init ms after',
          'ratio of medians before',
          'ratio of medians after',
          'paired ratio after',
        ],
        rows,
      ),
      '',
    );
  }
  if (before.latency && after.latency) {
    const rows = after.latency.runs.map((run) => {
      const b = before.latency?.runs.find(
        (x) => x.path === run.path && x.truelayer_latency_ms === run.truelayer_latency_ms,
      );
      return [
        `${run.path} @${run.truelayer_latency_ms} ms`,
        b ? iqr(b.product_ms) : '—',
        iqr(run.product_ms),
        b ? `${fixed(b.ratio_p50, 2)}×` : '—',
        `${fixed(run.ratio_p50, 2)}×`,
      ];
    });
    parts.push(
      '**Journey latency** (product, ms)',
      '',
      table(['path', 'p50 before', 'p50 after', 'ratio before', 'ratio after'], rows),
      '',
    );
  }
  if (before.throughput && after.throughput) {
    parts.push(
      `**Throughput**: peak ${fixed(before.throughput.peak_product_jps)} → ${fixed(after.throughput.peak_product_jps)} journeys/s (baseline ${fixed(before.throughput.peak_baseline_jps)} → ${fixed(after.throughput.peak_baseline_jps)}).`,
      '',
    );
  }
  if (before.cost && after.cost) {
    const rows = after.cost.costs.map((c) => {
      const b = before.cost?.costs.find(
        (x) => x.path === c.path && x.truelayer_latency_ms === c.truelayer_latency_ms,
      );
      const u = after.cost?.usage.find(
        (x) => x.path === c.path && x.truelayer_latency_ms === c.truelayer_latency_ms,
      );
      const bu = before.cost?.usage.find(
        (x) => x.path === c.path && x.truelayer_latency_ms === c.truelayer_latency_ms,
      );
      return [
        `${c.path} @${c.truelayer_latency_ms} ms`,
        bu ? `${bu.dynamodb_wru} / ${bu.dynamodb_rru}` : '—',
        u ? `${u.dynamodb_wru} / ${u.dynamodb_rru}` : '—',
        b ? usd(b.usd_per_million) : '—',
        usd(c.usd_per_million),
      ];
    });
    parts.push(
      '**Cost per million onboardings**',
      '',
      table(['path', 'WRU / RRU before', 'WRU / RRU after', 'before', 'after'], rows),
      '',
    );
  }
  return parts.join('\n');
}

export function renderReport(
  results: Results,
  options: { before?: Results | undefined; notes?: string | undefined } = {},
): string {
  const sections = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts); the raw figures are in bench/results.json. Rerun rather than edit: the analysis comes from bench/notes.md. Quick run: `npm run bench -- --quick`; one section: `npm run bench -- --sections cold` (cold, latency, throughput, cost).',
    '',
    '## Machine',
    '',
    machine(results),
    '',
    '## Targets',
    '',
    targets(results),
    '',
  ];
  if (options.notes) sections.push(options.notes.trim(), '');
  if (options.before) sections.push('## Before and after', '', comparison(options.before, results), '');
  sections.push(
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
  );
  return sections.join('\n');
}
