/**
 * Shared kit for the CDK tests: the app synthesized exactly as `cdk synth`
 * builds it (same entry function, cdk.json feature flags), plus small
 * readers for the CloudFormation JSON.
 */
import { readFileSync } from 'node:fs';
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { fromRepoRoot } from '../../infra/paths.ts';
import { defineApp, type SignupPlusOnboardingStack } from '../../infra/stack.ts';

export const cdkJsonSchema = z.object({
  app: z.string(),
  context: z.record(z.string(), z.unknown()),
});

export function readCdkJson(): z.infer<typeof cdkJsonSchema> {
  return cdkJsonSchema.parse(JSON.parse(readFileSync(fromRepoRoot('cdk.json'), 'utf8')));
}

/** Context that makes CDK skip bundling (what `cdk synth --exclusively` does for other stacks). */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** A new App carrying cdk.json's context (feature flags), without bundling unless asked. */
export function newApp(context: Record<string, unknown> = {}, options: { bundling?: boolean } = {}): App {
  return new App({
    context: { ...readCdkJson().context, ...(options.bundling ? {} : SKIP_BUNDLING), ...context },
  });
}

export interface SynthResult {
  app: App;
  stack: SignupPlusOnboardingStack;
  template: Template;
}

/** The deployable app, from its context, synthesized once. */
export function synthApp(context: Record<string, unknown> = {}): SynthResult {
  const app = newApp(context);
  const stack = defineApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical ID CloudFormation knows a construct (or its default child) by. */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.resolve(element.logicalId);
}

export const jsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof jsonObject>;

export interface Resource {
  logicalId: string;
  type: string;
  properties: JsonObject;
  deletionPolicy: unknown;
}

const resourceSchema = z.object({
  Type: z.string(),
  Properties: jsonObject.optional(),
  DeletionPolicy: z.unknown().optional(),
});

export function resources(template: Template, type?: string): Resource[] {
  const all = z.record(z.string(), resourceSchema).parse(template.toJSON().Resources);
  return Object.entries(all)
    .filter(([, resource]) => type === undefined || resource.Type === type)
    .map(([logicalId, resource]) => ({
      logicalId,
      type: resource.Type,
      properties: resource.Properties ?? {},
      deletionPolicy: resource.DeletionPolicy,
    }));
}

export function resource(template: Template, logicalId: string): Resource {
  const found = resources(template).find((candidate) => candidate.logicalId === logicalId);
  if (!found) throw new Error(`No resource ${logicalId}`);
  return found;
}

export const statementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).optional(),
  Resource: z.unknown().optional(),
  Principal: z.unknown().optional(),
  Condition: z.unknown().optional(),
});
export type Statement = z.infer<typeof statementSchema>;

const policyDocumentSchema = z.object({ Statement: z.array(statementSchema) });

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export const actionsOf = (statement: Statement): string[] => asArray(statement.Action);
export const resourcesOf = (statement: Statement): unknown[] => asArray(statement.Resource);

export interface LocatedStatement {
  /** Logical ID of the resource holding the policy. */
  holder: string;
  holderType: string;
  statement: Statement;
}

/** Statements of identity policies: AWS::IAM::Policy, ManagedPolicy, and roles' inline policies. */
export function identityStatements(template: Template): LocatedStatement[] {
  const located: LocatedStatement[] = [];
  for (const res of resources(template)) {
    const documents: unknown[] = [];
    if (res.type === 'AWS::IAM::Policy' || res.type === 'AWS::IAM::ManagedPolicy') {
      documents.push(res.properties.PolicyDocument);
    }
    if (res.type === 'AWS::IAM::Role') {
      for (const policy of z.array(jsonObject).parse(res.properties.Policies ?? [])) {
        documents.push(policy.PolicyDocument);
      }
    }
    for (const document of documents) {
      for (const statement of policyDocumentSchema.parse(document).Statement) {
        located.push({ holder: res.logicalId, holderType: res.type, statement });
      }
    }
  }
  return located;
}

/** Statements of resource policies: key policies, queue policies, bus and secret policies. */
export function resourcePolicyStatements(template: Template): LocatedStatement[] {
  const fields: Record<string, string> = {
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::SQS::QueuePolicy': 'PolicyDocument',
    'AWS::SNS::TopicPolicy': 'PolicyDocument',
    'AWS::Events::EventBusPolicy': 'Statement',
    'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
    'AWS::Logs::ResourcePolicy': 'PolicyDocument',
  };
  const located: LocatedStatement[] = [];
  for (const res of resources(template)) {
    const field = fields[res.type];
    if (!field) continue;
    for (const statement of policyDocumentSchema.parse(res.properties[field]).Statement) {
      located.push({ holder: res.logicalId, holderType: res.type, statement });
    }
  }
  return located;
}

/** The statements of one role's policies (its DefaultPolicy and inline policies). */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const attached = new Set(
    resources(template, 'AWS::IAM::Policy')
      .filter((policy) =>
        asArray(policy.properties.Roles).some(
          (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
        ),
      )
      .map((policy) => policy.logicalId),
  );
  return identityStatements(template)
    .filter((located) => located.holder === roleLogicalId || attached.has(located.holder))
    .map((located) => located.statement);
}

/** `{ "Fn::GetAtt": [id, "Arn"] }`, how a template refers to a resource's ARN. */
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** Environment variables of a Lambda function resource. */
export function environmentOf(fn: Resource): JsonObject {
  const env = z.object({ Variables: jsonObject.optional() }).optional().parse(fn.properties.Environment);
  return env?.Variables ?? {};
}

/** Every `{ "Ref": ... }` and `{ "Fn::GetAtt": [...] }` target inside a value. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const object = jsonObject.safeParse(node);
    if (!object.success) return;
    const ref = object.data.Ref;
    if (typeof ref === 'string') ids.add(ref);
    const getAtt = object.data['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
    for (const child of Object.values(object.data)) visit(child);
  };
  visit(value);
  return ids;
}
