import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-names.ts';

/**
 * One Powertools Metrics instance per process (service name from
 * POWERTOOLS_SERVICE_NAME, which Powertools adds as the `service`
 * dimension). Metrics go to stdout as CloudWatch EMF. They are off where
 * POWERTOOLS_METRICS_DISABLED=true, and under POWERTOOLS_DEV (the local
 * runtime) unless POWERTOOLS_METRICS_DISABLED=false asks for them.
 *
 * Built at the first metric rather than at load: Powertools reads the
 * service name when the instance is built, and nothing is spent at cold
 * start on a function that records nothing.
 */
let metrics: Metrics | undefined;

export { MetricUnit };
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Emits one metric with one set of dimensions, at once, as its own EMF
 * record. A business event is recorded the moment it is committed, not at
 * the end of the invocation, so a function that fails later loses nothing,
 * and each record carries exactly the dimensions named here.
 */
export function emitMetric(
  name: string,
  unit: Unit,
  value: number,
  dimensions: Record<string, string>,
): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE });
  const single = metrics.singleMetric();
  for (const [dimension, dimensionValue] of Object.entries(dimensions))
    single.addDimension(dimension, dimensionValue);
  single.addMetric(name, unit, value);
}
