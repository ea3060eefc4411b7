/**
 * Turns a function's manifest capabilities into environment variables and
 * narrow IAM grants. Each capability grants exactly the API calls the code
 * behind it makes, on exactly the resources it names.
 */
import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Capability } from './manifest.ts';
import type { ProjectFunction } from './project-function.ts';

/** The repository (functions/onboarding/repository.ts) only reads and writes single items by key. */
export const ONBOARDING_READ_ACTIONS = ['dynamodb:GetItem'];
export const ONBOARDING_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  // The workflow steps and the choice read a record and its secrets together (one partition).
  'dynamodb:Query',
];
/** Powertools Idempotency's DynamoDB persistence layer. */
export const IDEMPOTENCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * What DynamoDB needs from the caller's identity to use a customer-managed
 * table key. Same coverage as CDK's grantReadData/grantWriteData, with the
 * wildcard actions (`kms:ReEncrypt*`, `kms:GenerateDataKey*`) spelled out.
 */
export const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
export const TABLE_KEY_WRITE_ACTIONS = [
  ...TABLE_KEY_READ_ACTIONS,
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** Capabilities that need the state machine, which itself needs the task functions. */
export const WORKFLOW_CAPABILITIES: readonly Capability[] = ['workflow:start', 'workflow:respond'];

export interface TrueLayerSettings {
  readonly environment: 'sandbox' | 'live';
  readonly clientId: string;
  readonly redirectUri: string;
  readonly httpTimeoutMs: number;
  readonly authBaseUrl?: string;
  readonly apiBaseUrl?: string;
}

export interface CapabilityResources {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly idempotencyTable: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly clientSecret: secretsmanager.ISecret;
  readonly trueLayer: TrueLayerSettings;
  /** Present in the second pass only, once the state machine exists. */
  readonly workflow?: {
    readonly stateMachine: sfn.IStateMachine;
    readonly accountChoiceTimeoutSeconds: number;
  };
}

function trueLayerHosts(settings: TrueLayerSettings): Record<string, string> {
  return {
    TRUELAYER_ENVIRONMENT: settings.environment,
    ...(settings.authBaseUrl ? { TRUELAYER_AUTH_BASE_URL: settings.authBaseUrl } : {}),
    ...(settings.apiBaseUrl ? { TRUELAYER_API_BASE_URL: settings.apiBaseUrl } : {}),
  };
}

function grantTableKey(target: ProjectFunction, key: kms.IKey, actions: string[]): void {
  // The key can only be used through DynamoDB, never called directly.
  iam.Grant.addToPrincipal({
    grantee: target.function,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
  });
}

/**
 * Sets the variables and grants of one capability on one function. Workflow
 * capabilities throw when called before the state machine exists.
 */
export function applyCapability(
  target: ProjectFunction,
  capability: Capability,
  resources: CapabilityResources,
): void {
  const fn = target.function;
  switch (capability) {
    case 'onboardings:read':
      target.addEnvironment('TABLE_NAME', resources.table.tableName);
      resources.table.grant(fn, ...ONBOARDING_READ_ACTIONS);
      grantTableKey(target, resources.tableKey, TABLE_KEY_READ_ACTIONS);
      return;
    case 'onboardings:write':
      target.addEnvironment('TABLE_NAME', resources.table.tableName);
      resources.table.grant(fn, ...ONBOARDING_WRITE_ACTIONS);
      grantTableKey(target, resources.tableKey, TABLE_KEY_WRITE_ACTIONS);
      return;
    case 'events:publish':
      target.addEnvironment('EVENT_BUS_NAME', resources.eventBus.eventBusName);
      resources.eventBus.grantPutEventsTo(fn);
      return;
    case 'workflow:start': {
      const workflow = requireWorkflow(resources, capability);
      target.addEnvironment('STATE_MACHINE_ARN', workflow.stateMachine.stateMachineArn);
      target.addEnvironment('ACCOUNT_CHOICE_TIMEOUT_SECONDS', String(workflow.accountChoiceTimeoutSeconds));
      workflow.stateMachine.grantStartExecution(fn);
      return;
    }
    case 'workflow:respond': {
      const workflow = requireWorkflow(resources, capability);
      // The task token names the execution, so no ARN is needed at run time. The choice endpoint only ever
      // answers with SendTaskSuccess; failure and heartbeats are not its business.
      workflow.stateMachine.grant(fn, 'states:SendTaskSuccess');
      return;
    }
    case 'truelayer:call':
      for (const [name, value] of Object.entries(trueLayerHosts(resources.trueLayer))) {
        target.addEnvironment(name, value);
      }
      target.addEnvironment('TRUELAYER_HTTP_TIMEOUT_MS', String(resources.trueLayer.httpTimeoutMs));
      return;
    case 'truelayer:client':
      for (const [name, value] of Object.entries(trueLayerHosts(resources.trueLayer))) {
        target.addEnvironment(name, value);
      }
      target.addEnvironment('TRUELAYER_CLIENT_ID', resources.trueLayer.clientId);
      target.addEnvironment('TRUELAYER_REDIRECT_URI', resources.trueLayer.redirectUri);
      return;
    case 'truelayer:secret':
      target.addEnvironment('TRUELAYER_CLIENT_SECRET_ID', resources.clientSecret.secretArn);
      // GetSecretValue/DescribeSecret on this secret, plus kms:Decrypt (via Secrets Manager) when it has a known key.
      resources.clientSecret.grantRead(fn);
      return;
    case 'consumer:idempotency':
      target.addEnvironment('IDEMPOTENCY_TABLE_NAME', resources.idempotencyTable.tableName);
      resources.idempotencyTable.grant(fn, ...IDEMPOTENCY_ACTIONS);
      return;
    default: {
      const unknown: never = capability;
      throw new Error(`Unknown capability: ${String(unknown)}`);
    }
  }
}

function requireWorkflow(resources: CapabilityResources, capability: Capability) {
  if (!resources.workflow) {
    throw new Error(`${capability} needs the state machine: apply it after the state machine is created`);
  }
  return resources.workflow;
}
