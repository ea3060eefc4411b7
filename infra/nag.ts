import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on one construct (and its children only),
 * with the reason a security reviewer reads. cdk-nag v3 matches findings
 * exactly: `AwsSolutions-IAM5[Resource::*]` covers that finding and no other.
 */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** X-Ray accepts no resource-level permissions: `xray:PutTraceSegments` and friends need Resource `*`. */
export const XRAY_WILDCARD_REASON =
  'X-Ray tracing (Tracing.ACTIVE / tracingEnabled): xray:PutTraceSegments, xray:PutTelemetryRecords, ' +
  'xray:GetSamplingRules and xray:GetSamplingTargets support no resource-level permissions, so AWS requires ' +
  'Resource "*". The actions are write-only telemetry; no data can be read through them.';
