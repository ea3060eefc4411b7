/**
 * Where the process's CPU time goes while something runs: V8's sampling
 * profiler through node:inspector, each sample charged to the component of
 * the innermost stack frame that belongs to a known component (so Node's own
 * HTTP and stream code counts for whoever called it).
 */
import { Session } from 'node:inspector/promises';
import * as z from 'zod';

/** Components, matched against a frame's script URL, first match wins. */
const COMPONENTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['bench client (load generator)', /\/bench\//],
  ['product functions', /\/functions\//],
  ['zod', /node_modules\/zod\//],
  ['Powertools, middy', /node_modules\/(@aws-lambda-powertools|@middy)\//],
  [
    'AWS SDK (clients, signing, HTTP)',
    /node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|tslib)\//,
  ],
  [
    'local DynamoDB (dynalite)',
    /node_modules\/(dynalite|level[^/]*|memdown|abstract-leveldown|deferred-leveldown|encoding-down|lock|big\.js|buffer-crc32|lazy|once)\//,
  ],
  [
    'local Step Functions (engine, ASL validation)',
    /\/local\/stepfunctions\/|\/local\/asl\.ts|node_modules\/(aws-local-stepfunctions|asl-validator|ajv[^/]*|jsonpath-plus|fast-uri|json-schema-traverse|fast-deep-equal|lodash[^/]*)\//,
  ],
  ['TrueLayer simulator', /\/local\/truelayer-sim\//],
  ['local API front, bus, progress', /\/local\//],
];

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ url: z.string(), functionName: z.string() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface CpuShare {
  component: string;
  ms: number;
  share: number;
}

function componentOf(url: string): string | undefined {
  for (const [name, pattern] of COMPONENTS) if (pattern.test(url)) return name;
  return undefined;
}

/** Runs `fn` under the sampling profiler and returns its result and the CPU time per component. */
export async function profileCpu<T>(
  fn: () => Promise<T>,
  intervalUs = 500,
): Promise<{ result: T; shares: CpuShare[]; busyMs: number; idleMs: number }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = await session.post('Profiler.stop');
    const parsed = profileSchema.parse(profile);
    const nodes = new Map(parsed.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, number>();
    for (const node of parsed.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    const totals = new Map<string, number>();
    let idle = 0;
    parsed.samples.forEach((id, index) => {
      const micros = parsed.timeDeltas[index] ?? 0;
      const leaf = nodes.get(id);
      const name = leaf?.callFrame.functionName ?? '';
      let component: string | undefined;
      if (name === '(idle)') {
        idle += micros;
        return;
      }
      if (name === '(garbage collector)') component = 'garbage collection';
      for (let current: number | undefined = id; component === undefined && current !== undefined; ) {
        component = componentOf(nodes.get(current)?.callFrame.url ?? '');
        current = parents.get(current);
      }
      const key = component ?? 'Node internals and V8 (no caller above)';
      totals.set(key, (totals.get(key) ?? 0) + micros);
    });
    const busy = [...totals.values()].reduce((sum, micros) => sum + micros, 0);
    const shares = [...totals]
      .map(([componentName, micros]) => ({
        component: componentName,
        ms: Math.round(micros / 100) / 10,
        share: Math.round((micros / Math.max(1, busy)) * 1000) / 1000,
      }))
      .sort((a, b) => b.ms - a.ms);
    return { result, shares, busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000) };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
