/**
 * The product's CloudWatch metrics: one namespace, the names the functions
 * emit (Powertools Metrics, EMF) and the dimensions they carry. Shared by the
 * functions, the CDK stack's alarms and dashboard, and the tests, and kept
 * apart from Powertools so that infra/ can import it without loading it.
 * Dimension values are fixed vocabularies (flows, failure reasons, sides,
 * reconciler actions): never an id, a name or anything a person typed.
 */
import { type OnboardingFlow, onboardingFlows } from '../contract/flows.ts';

export const METRICS_NAMESPACE = 'SignupPlusOnboarding';

export const JourneyMetrics = {
  /** An onboarding was created (POST /onboardings). Dimensions: service, flow. */
  started: 'OnboardingsStarted',
  /** A journey ended ready for payment. Dimensions: service, flow. */
  completed: 'OnboardingsCompleted',
  /**
   * A journey ended failed. Dimensions: service, flow; service, flow, reason;
   * service, flow, side; and, across every flow, service, reason and service,
   * side (what the alarms read, so that a flow added later pages too).
   */
  failed: 'OnboardingsFailed',
  /** A journey ended expired. Dimensions: service, flow; service, flow, reason. */
  expired: 'OnboardingsExpired',
  /** A journey ended, whatever its flow and its end: the alarms' denominator. Dimensions: service. */
  ended: 'OnboardingsEnded',
  /** A journey stopped to wait for the user's choice among several accounts. Dimensions: service, flow. */
  accountChoiceRequired: 'AccountChoicesRequired',
  /** From POST /onboardings to ready for payment, in milliseconds (p50, p99 on the dashboard). Dimensions: service, flow. */
  timeToReady: 'TimeToReady',
  /** A journey's personal data was erased on request. Dimensions: service, flow. */
  erased: 'OnboardingsErased',
  /**
   * The reconciler finished a journey that was past its deadline: it started a
   * missing execution, resent a choice, ended a journey whose execution was
   * over, or settled an end whose event was not confirmed. Dimensions:
   * service; service, action.
   */
  recovered: 'JourneysRecovered',
  /** The reconciler could not bring a due record where it should be; it stays due. Dimensions: service. */
  reconcileFailures: 'ReconcileFailures',
} as const;

export const MetricDimensions = {
  service: 'service',
  flow: 'flow',
  reason: 'reason',
  side: 'side',
  action: 'action',
} as const;

/**
 * The Signup+ flows journeys are counted by (the `flow` dimension): every
 * flow of the contract, so the dashboard shows each one without being told.
 */
export const SIGNUP_PLUS_FLOWS = onboardingFlows;
export type SignupPlusFlow = OnboardingFlow;

/** What the reconciler reports as a journey it recovered, by `action`. */
export const RECOVERY_ACTIONS = ['started', 'resumed', 'ended', 'settled'] as const;
