import type * as events from 'aws-cdk-lib/aws-events';
import { z } from 'zod';

const values = z.array(z.string()).min(1);

/**
 * The event patterns the manifest may hold: EventBridge's JSON field names,
 * plain string values at the top level, anything under `detail`. The local
 * bus reads the same JSON, so the stack must render it unchanged.
 */
const manifestPatternSchema = z.strictObject({
  version: values.optional(),
  id: values.optional(),
  'detail-type': values.optional(),
  source: values.optional(),
  account: values.optional(),
  time: values.optional(),
  region: values.optional(),
  resources: values.optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

/** Converts a manifest event pattern (EventBridge JSON) to CDK's EventPattern. */
export function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const parsed = manifestPatternSchema.safeParse(pattern);
  if (!parsed.success) {
    throw new Error(`Unsupported event pattern ${JSON.stringify(pattern)}: ${parsed.error.message}`);
  }
  const { 'detail-type': detailType, ...rest } = parsed.data;
  return { ...rest, ...(detailType ? { detailType } : {}) };
}
