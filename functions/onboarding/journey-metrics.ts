import { JourneyMetrics, MetricDimensions, RECOVERY_ACTIONS } from '../commons/metric-names.ts';
import { emitMetric, MetricUnit } from '../commons/metrics.ts';
import { FAILURE_REASONS, type FailureReason } from './failure-reasons.ts';
import { flowOf, type Onboarding } from './model.ts';

/**
 * The business metrics of a Signup+ journey, each recorded once, where the
 * change it counts is committed (see end-journey.ts). Dimensions are fixed
 * vocabularies: the flow, the failure reason and whose side it is on, never
 * an id or personal data.
 */

const isFailureReason = (reason: string): reason is FailureReason => Object.hasOwn(FAILURE_REASONS, reason);

export function recordJourneyStarted(onboarding: Onboarding): void {
  emitMetric(JourneyMetrics.started, MetricUnit.Count, 1, { [MetricDimensions.flow]: flowOf(onboarding) });
}

export function recordAccountChoiceRequired(onboarding: Onboarding): void {
  emitMetric(JourneyMetrics.accountChoiceRequired, MetricUnit.Count, 1, {
    [MetricDimensions.flow]: flowOf(onboarding),
  });
}

export function recordJourneyErased(onboarding: Onboarding): void {
  emitMetric(JourneyMetrics.erased, MetricUnit.Count, 1, { [MetricDimensions.flow]: flowOf(onboarding) });
}

/**
 * A journey's end, committed by this call: completed (with the time from
 * POST /onboardings to ready), failed by reason and by side, or expired by
 * reason; and once more across every flow (ended, failed by reason and by
 * side), which is what the alarms read. An unknown reason (a record written
 * by another version) is counted under `unknown`, which is never a side that
 * pages anyone.
 */
export function recordJourneyEnd(ended: Onboarding, now: Date): void {
  const flow = { [MetricDimensions.flow]: flowOf(ended) };
  emitMetric(JourneyMetrics.ended, MetricUnit.Count, 1, {});
  if (ended.status === 'completed') {
    emitMetric(JourneyMetrics.completed, MetricUnit.Count, 1, flow);
    const elapsed = now.getTime() - new Date(ended.created_at).getTime();
    emitMetric(JourneyMetrics.timeToReady, MetricUnit.Milliseconds, Math.max(0, elapsed), flow);
    return;
  }
  const reason = ended.failure?.reason ?? 'unknown';
  const known = isFailureReason(reason) ? reason : undefined;
  const byReason = { ...flow, [MetricDimensions.reason]: known ?? 'unknown' };
  if (ended.status === 'expired') {
    emitMetric(JourneyMetrics.expired, MetricUnit.Count, 1, flow);
    emitMetric(JourneyMetrics.expired, MetricUnit.Count, 1, byReason);
    return;
  }
  if (ended.status !== 'failed') return;
  const bySide = { [MetricDimensions.side]: known ? FAILURE_REASONS[known].side : 'unknown' };
  emitMetric(JourneyMetrics.failed, MetricUnit.Count, 1, flow);
  emitMetric(JourneyMetrics.failed, MetricUnit.Count, 1, byReason);
  emitMetric(JourneyMetrics.failed, MetricUnit.Count, 1, { ...flow, ...bySide });
  // Across every flow, for the alarms.
  emitMetric(JourneyMetrics.failed, MetricUnit.Count, 1, { [MetricDimensions.reason]: byReason.reason });
  emitMetric(JourneyMetrics.failed, MetricUnit.Count, 1, bySide);
}

const isRecoveryAction = (action: string): action is (typeof RECOVERY_ACTIONS)[number] =>
  (RECOVERY_ACTIONS as readonly string[]).includes(action);

/**
 * What one run of the reconciler did, as metrics: the journeys it had to
 * finish because they were past their deadline (in total and by action),
 * and the records it could not fix. Waiting, running and gone records, and
 * unused links it expired (counted as ends), are what it is for and count
 * nothing here.
 */
export function recordReconciled(outcomes: Readonly<Partial<Record<string, number>>>): void {
  let recovered = 0;
  for (const [action, count = 0] of Object.entries(outcomes)) {
    if (!isRecoveryAction(action) || count === 0) continue;
    recovered += count;
    emitMetric(JourneyMetrics.recovered, MetricUnit.Count, count, { [MetricDimensions.action]: action });
  }
  emitMetric(JourneyMetrics.recovered, MetricUnit.Count, recovered, {});
  emitMetric(JourneyMetrics.reconcileFailures, MetricUnit.Count, outcomes.failed ?? 0, {});
}
