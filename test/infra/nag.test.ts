import { readFileSync } from 'node:fs';
import { CfnResource, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromRepoRoot } from '../../infra/paths.ts';
import { defineApp, type SignupPlusOnboardingStack } from '../../infra/stack.ts';
import { newApp } from './helpers.ts';

interface Acknowledgement {
  construct: IConstruct;
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(z.record(z.string(), z.string()).parse(entry.data)).map(([id, reason]) => ({
          construct,
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

// The deployable app with the placeholder secrets, and with imported ones (a signing key under its own KMS
// key), cover both shapes.
const contexts: Record<string, Record<string, unknown>> = {
  'default context (placeholder secret, dev)': {},
  'live, imported secrets, prod': {
    environment: 'live',
    stage: 'prod',
    clientId: 'live-client-1a2b3c',
    clientSecretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/client-secret-AbCdEf',
    signingKeySecretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/signing-key-GhIjKl',
    signingKeySecretKmsKeyArn: 'arn:aws:kms:eu-west-2:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
    merchantAccountId: '200552da-13da-43c5-a9ba-04ee1502ac57',
    alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:oncall',
    archiveEvents: 'true',
    domainName: 'onboarding.example.com',
    certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/1a2b3c4d',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
    backup: 'true',
    backupCopyVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:signupplus-dr',
  },
};

describe.each(Object.entries(contexts))('AWS Solutions checks, %s', (_, context) => {
  let stack: SignupPlusOnboardingStack;
  beforeAll(() => {
    stack = defineApp(newApp(context));
  });

  it('report no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledge each finding with a reason a reviewer can judge', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledge on single resources, never on the stack or the whole construct', () => {
    for (const ack of acknowledgements(stack)) {
      const resource = ack.construct instanceof CfnResource ? ack.construct : ack.construct.node.defaultChild;
      expect(resource instanceof CfnResource, `${ack.id} on ${ack.path}`).toBe(true);
    }
  });

  it('acknowledge only rules the deployment guide explains', () => {
    const guide = readFileSync(fromRepoRoot('docs/deploy.md'), 'utf8');
    for (const id of new Set(acknowledgements(stack).map((ack) => ack.id))) {
      expect(guide, id).toContain(id);
    }
  });
});

describe('the checks in the app', () => {
  it('stop synthesis when a finding is not acknowledged', () => {
    const app = newApp();
    const stack = defineApp(app);
    new sqs.Queue(stack, 'UnreviewedQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
