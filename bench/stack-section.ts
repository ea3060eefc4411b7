/**
 * Runs one section of the benchmark that needs the local runtime, in a
 * process of its own: the stack is one per process, and each section starts
 * from a fresh heap so that its memory figures are its own.
 *
 *   node bench/stack-section.ts --section latency|throughput|cost --config '<json>' --out <file>
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startLocalStack } from '../local/stack.ts';
import { AwsCallRecorder } from './aws-calls.ts';
import { baselineSettings } from './baseline.ts';
import { measureCost } from './cost.ts';
import { EventClock } from './journeys.ts';
import { measureLatency } from './latency.ts';
import { ConnectionCounter } from './lib/connections.ts';
import { costPathSchema, journeyPathSchema } from './results-schema.ts';
import { measureThroughput } from './throughput.ts';

/** Known to both the simulator (as the registered client's secret) and the baseline. */
const BENCH_CLIENT_SECRET = 'bench-client-secret-not-a-real-one';

export const sectionConfigSchema = z.discriminatedUnion('section', [
  z.object({
    section: z.literal('latency'),
    plan: z.array(z.object({ latencyMs: z.number().min(0), journeys: z.number().int().positive() })),
    warmup: z.number().int().min(0),
    paths: z.array(journeyPathSchema),
  }),
  z.object({
    section: z.literal('throughput'),
    levels: z.array(z.number().int().positive()),
    windowMs: z.number().positive(),
    profileConcurrency: z.number().int().min(0),
    variants: z.array(z.enum(['product', 'baseline'])),
  }),
  z.object({
    section: z.literal('cost'),
    journeysPerPath: z.number().int().positive(),
    trueLayerLatencies: z.array(z.number().min(0)),
    paths: z.array(costPathSchema),
  }),
]);
export type SectionConfig = z.infer<typeof sectionConfigSchema>;

const log = (line: string) => process.stderr.write(`  ${line}\n`);

async function main() {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.config || !values.out) throw new Error('usage: stack-section.ts --config <json> --out <file>');
  const config = sectionConfigSchema.parse(JSON.parse(values.config));
  const recorder = new AwsCallRecorder();
  // Before the stack loads the functions: every SDK call from then on is seen.
  if (config.section === 'cost') recorder.install();
  const stack = await startLocalStack({
    logLevel: 'SILENT',
    clientSecret: BENCH_CLIENT_SECRET,
    // The sweeps run every minute, as on AWS (the local default is every second): a journey's own calls
    // are what the cost section lists, and a sweep landing inside a slow journey's window is not one of them.
    scheduleIntervalMs: 60_000,
  });
  const clock = new EventClock(stack);
  const connections = new ConnectionCounter();
  connections.start();
  try {
    const settings = await baselineSettings(stack, BENCH_CLIENT_SECRET);
    let result: unknown;
    if (config.section === 'latency')
      result = await measureLatency(stack, clock, settings, { ...config, log });
    else if (config.section === 'throughput')
      result = await measureThroughput(stack, clock, settings, { ...config, log });
    else result = await measureCost(stack, clock, recorder, connections, { ...config, log });
    await writeFile(values.out, JSON.stringify(result));
  } finally {
    connections.stop();
    clock.close();
    recorder.uninstall();
    await stack.close();
  }
}

await main();
