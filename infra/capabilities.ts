/**
 * Turns a function's manifest capabilities into environment variables and
 * narrow IAM grants. Each capability grants exactly the API calls the code
 * behind it makes, on exactly the resources it names.
 */
import { Aws, type CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { dueIndex } from '../functions/commons/table-keys.ts';
import { type Capability, WORKFLOWS, type WorkflowId } from '../functions/contract/manifest.ts';
import { acknowledgeNag } from './nag.ts';
import type { ProjectFunction } from './project-function.ts';

/** The repository (functions/onboarding/repository.ts) only reads and writes single items by key. */
export const ONBOARDING_READ_ACTIONS = ['dynamodb:GetItem'];
export const ONBOARDING_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
/** Reading a journey's secrets item (the steps that use a secret). */
export const SECRETS_READ_ACTIONS = ['dynamodb:GetItem'];
/**
 * Writing a journey's secrets without reading them: no GetItem, and no write
 * may ask for the item back (SECRETS_WRITE_CONDITION).
 */
export const SECRETS_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
export const SECRETS_WRITE_CONDITION = { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } };
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

/** Capabilities that need the state machines, which themselves need the task functions. */
export const WORKFLOW_CAPABILITIES: readonly Capability[] = [
  'workflow:start',
  'workflow:respond',
  'workflow:describe',
];

const workflowIds = Object.keys(WORKFLOWS).filter((id): id is WorkflowId => id in WORKFLOWS);

export interface TrueLayerSettings {
  readonly environment: 'sandbox' | 'live';
  readonly clientId: string;
  readonly redirectUri: string;
  /** The merchant account Payments v3 payments are paid into (truelayer:payments). */
  readonly merchantAccountId: string;
  readonly httpTimeoutMs: number;
  readonly authBaseUrl?: string;
  readonly apiBaseUrl?: string;
}

export interface CapabilityResources {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  /** The journeys' secrets, under a key of their own. */
  readonly secretsTable: dynamodb.ITable;
  readonly secretsKey: kms.IKey;
  readonly idempotencyTable: dynamodb.ITable;
  /** The idempotency table's key. */
  readonly idempotencyKey: kms.IKey;
  readonly eventBus: events.IEventBus;
  readonly clientSecret: secretsmanager.ISecret;
  /** The Payments v3 request-signing key (JSON `key_id`, `private_key_pem`), for truelayer:payments only. */
  readonly signingKeySecret: secretsmanager.ISecret;
  readonly trueLayer: TrueLayerSettings;
  /** Present in the second pass only, once the state machines exist: one per WORKFLOWS entry. */
  readonly workflow?: {
    readonly stateMachines: Readonly<Record<WorkflowId, sfn.IStateMachine>>;
    readonly accountChoiceTimeoutSeconds: number;
  };
  /** JOURNEY_STALL_SECONDS of every function that writes onboardings; unset keeps the functions' default. */
  readonly journeyStallSeconds?: number;
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
 * capabilities throw when called before the state machines exist.
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
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ONBOARDING_READ_ACTIONS,
        resourceArns: [resources.table.tableArn],
      });
      grantTableKey(target, resources.tableKey, TABLE_KEY_READ_ACTIONS);
      return;
    case 'onboardings:write':
      target.addEnvironment('TABLE_NAME', resources.table.tableName);
      if (resources.journeyStallSeconds !== undefined) {
        target.addEnvironment('JOURNEY_STALL_SECONDS', String(resources.journeyStallSeconds));
      }
      // The table itself, not its indexes: only the reconciler reads the due index (onboardings:sweep).
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ONBOARDING_WRITE_ACTIONS,
        resourceArns: [resources.table.tableArn],
      });
      grantTableKey(target, resources.tableKey, TABLE_KEY_WRITE_ACTIONS);
      return;
    case 'secrets:read':
      target.addEnvironment('SECRETS_TABLE_NAME', resources.secretsTable.tableName);
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: SECRETS_READ_ACTIONS,
        resourceArns: [resources.secretsTable.tableArn],
      });
      grantTableKey(target, resources.secretsKey, TABLE_KEY_READ_ACTIONS);
      return;
    case 'secrets:write':
      target.addEnvironment('SECRETS_TABLE_NAME', resources.secretsTable.tableName);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: SECRETS_WRITE_ACTIONS,
          resources: [resources.secretsTable.tableArn],
          conditions: SECRETS_WRITE_CONDITION,
        }),
      );
      grantTableKey(target, resources.secretsKey, TABLE_KEY_WRITE_ACTIONS);
      return;
    case 'onboardings:sweep':
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['dynamodb:Query'],
        resourceArns: [`${resources.table.tableArn}/index/${dueIndex.name}`],
      });
      grantTableKey(target, resources.tableKey, TABLE_KEY_READ_ACTIONS);
      return;
    case 'events:publish':
      target.addEnvironment('EVENT_BUS_NAME', resources.eventBus.eventBusName);
      resources.eventBus.grantPutEventsTo(fn);
      return;
    case 'workflow:start': {
      const workflow = requireWorkflow(resources, capability);
      // A function that starts journeys may start either flow's: every machine's ARN, StartExecution on each.
      for (const workflowId of workflowIds) {
        const stateMachine = workflow.stateMachines[workflowId];
        target.addEnvironment(WORKFLOWS[workflowId].arnSetting, stateMachine.stateMachineArn);
        stateMachine.grantStartExecution(fn);
      }
      target.addEnvironment('ACCOUNT_CHOICE_TIMEOUT_SECONDS', String(workflow.accountChoiceTimeoutSeconds));
      return;
    }
    case 'workflow:respond': {
      const workflow = requireWorkflow(resources, capability);
      // The task token names the execution, so no ARN is needed at run time. The choice endpoint and the
      // reconciler only ever answer with SendTaskSuccess; failure and heartbeats are not their business.
      // Only the data and connection flows wait for a task token (the account choice): the payment flow has
      // none to answer.
      workflow.stateMachines.data.grant(fn, 'states:SendTaskSuccess');
      workflow.stateMachines.connection.grant(fn, 'states:SendTaskSuccess');
      return;
    }
    case 'workflow:describe': {
      const workflow = requireWorkflow(resources, capability);
      // DescribeExecution of each state machine's executions, nothing else.
      for (const workflowId of workflowIds) {
        const stateMachine = workflow.stateMachines[workflowId];
        target.addEnvironment(WORKFLOWS[workflowId].arnSetting, stateMachine.stateMachineArn);
        stateMachine.grantExecution(fn, 'states:DescribeExecution');
        acknowledgeNag(
          target.role,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(fn).getLogicalId(workflowStateMachineResource(stateMachine))}"}]}]}:*]`,
          `DescribeExecution of the ${workflowId} onboarding state machine's own executions: each is named after ` +
            'an onboarding id, unknown when the stack is deployed, so the ARN ends in a wildcard over execution ' +
            'names of this one state machine only.',
        );
      }
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
    case 'truelayer:payments':
      target.addEnvironment('TRUELAYER_SIGNING_KEY_SECRET_ID', resources.signingKeySecret.secretArn);
      target.addEnvironment('TRUELAYER_MERCHANT_ACCOUNT_ID', resources.trueLayer.merchantAccountId);
      // The signing key's secret only, as truelayer:secret reads the client secret's (KMS key included).
      resources.signingKeySecret.grantRead(fn);
      return;
    case 'idempotency':
      target.addEnvironment('IDEMPOTENCY_TABLE_NAME', resources.idempotencyTable.tableName);
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: IDEMPOTENCY_ACTIONS,
        resourceArns: [resources.idempotencyTable.tableArn],
      });
      grantTableKey(target, resources.idempotencyKey, TABLE_KEY_WRITE_ACTIONS);
      return;
    case 'idempotency:erase':
      target.addEnvironment('IDEMPOTENCY_TABLE_NAME', resources.idempotencyTable.tableName);
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['dynamodb:DeleteItem'],
        resourceArns: [resources.idempotencyTable.tableArn],
      });
      grantTableKey(target, resources.idempotencyKey, TABLE_KEY_WRITE_ACTIONS);
      return;
    default: {
      const unknown: never = capability;
      throw new Error(`Unknown capability: ${String(unknown)}`);
    }
  }
}

/** The CloudFormation resource behind a state machine, whose logical id its ARN references. */
function workflowStateMachineResource(stateMachine: sfn.IStateMachine): CfnElement {
  const resource = stateMachine.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error('The state machine has no CloudFormation resource');
  return resource;
}

function requireWorkflow(resources: CapabilityResources, capability: Capability) {
  if (!resources.workflow) {
    throw new Error(`${capability} needs the state machines: apply it after they are created`);
  }
  return resources.workflow;
}
