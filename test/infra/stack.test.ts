import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableKeys } from '../../functions/commons/table-keys.ts';
import {
  type Capability,
  EVENT_RULES,
  FUNCTIONS,
  type FunctionId,
  ROUTES,
  WORKFLOW_TASKS,
} from '../../infra/manifest.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/signup-plus-onboarding.ts';
import {
  actionsOf,
  arnOf,
  asArray,
  environmentOf,
  identityStatements,
  logicalIdOf,
  referencedIds,
  resource,
  resourcePolicyStatements,
  resources,
  resourcesOf,
  type SynthResult,
  statementsOfRole,
  synthApp,
} from './helpers.ts';

/** What each capability must put in the environment (restated here, not imported, so a slip shows). */
const ENV_BY_CAPABILITY: Record<Capability, readonly string[]> = {
  'onboardings:read': ['TABLE_NAME'],
  'onboardings:write': ['TABLE_NAME'],
  'onboardings:sweep': [],
  'events:publish': ['EVENT_BUS_NAME'],
  'workflow:start': ['STATE_MACHINE_ARN', 'ACCOUNT_CHOICE_TIMEOUT_SECONDS'],
  'workflow:respond': [],
  'workflow:describe': ['STATE_MACHINE_ARN'],
  'truelayer:call': ['TRUELAYER_ENVIRONMENT', 'TRUELAYER_HTTP_TIMEOUT_MS'],
  'truelayer:client': ['TRUELAYER_ENVIRONMENT', 'TRUELAYER_CLIENT_ID', 'TRUELAYER_REDIRECT_URI'],
  'truelayer:secret': ['TRUELAYER_CLIENT_SECRET_ID'],
  'secrets:read': ['SECRETS_TABLE_NAME'],
  'secrets:write': ['SECRETS_TABLE_NAME'],
  idempotency: ['IDEMPOTENCY_TABLE_NAME'],
  'idempotency:erase': ['IDEMPOTENCY_TABLE_NAME'],
};
const SHARED_ENV = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL'];

/**
 * Actions AWS only accepts on Resource "*": X-Ray telemetry (Lambda active
 * tracing, Step Functions tracing) and CloudWatch Logs vended-log delivery
 * (Step Functions logging). Acknowledged for cdk-nag in infra/.
 */
const WILDCARD_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

const functionIds = Object.keys(FUNCTIONS).filter((id): id is FunctionId => id in FUNCTIONS);

let synth: SynthResult;
const fnLogicalId = (id: FunctionId) => logicalIdOf(synth.stack, synth.stack.onboarding.functions[id]);
const roleLogicalId = (id: FunctionId) =>
  logicalIdOf(synth.stack, synth.stack.onboarding.projectFunctions[id].role);
const stateMachineId = () => logicalIdOf(synth.stack, synth.stack.onboarding.stateMachine);

beforeAll(() => {
  synth = synthApp();
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('HTTP API', () => {
  it('has exactly the manifest routes, each with its authorization and function', () => {
    const routes = resources(synth.template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map((route) => route.properties.RouteKey).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const spec of ROUTES) {
      const route = routes.find(
        (candidate) => candidate.properties.RouteKey === `${spec.method} ${spec.path}`,
      );
      expect(route?.properties.AuthorizationType).toBe(spec.authorization === 'iam' ? 'AWS_IAM' : 'NONE');
      const [integrationId] = [...referencedIds(route?.properties.Target)];
      expect(integrationId).toBeDefined();
      const integration = resource(synth.template, integrationId ?? '');
      expect(integration.properties.IntegrationType).toBe('AWS_PROXY');
      expect(integration.properties.PayloadFormatVersion).toBe('2.0');
      expect(referencedIds(integration.properties.IntegrationUri)).toEqual(
        new Set([fnLogicalId(spec.function)]),
      );
    }
  });

  it('throttles the default stage and logs access without query strings or paths', () => {
    const [stage] = resources(synth.template, 'AWS::ApiGatewayV2::Stage');
    expect(stage?.properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    const settings = stage?.properties.AccessLogSettings;
    expect(settings).toMatchObject({ DestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
    const format = JSON.stringify(settings);
    for (const variable of [
      '$context.requestId',
      '$context.routeKey',
      '$context.status',
      '$context.identity.sourceIp',
      '$context.requestTime',
      '$context.responseLatency',
      '$context.integrationErrorMessage',
    ]) {
      expect(format).toContain(variable);
    }
    // $context.path (and any URI/query variable) could carry the authorization code of /callback.
    expect(format).not.toMatch(/\$context\.(path|resourcePath|requestUri|requestOverride|querystring)/i);
    expect(Object.values(ACCESS_LOG_FIELDS).join(' ')).not.toMatch(/path|query|uri/i);
  });
});

describe('Lambda functions', () => {
  it('builds every manifest function, Node.js 24 on arm64 with active tracing and Powertools settings', () => {
    const functions = resources(synth.template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(functionIds.length);
    for (const id of functionIds) {
      const fn = resource(synth.template, fnLogicalId(id));
      expect(fn.properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        MemorySize: FUNCTIONS[id].memoryMb,
        Timeout: FUNCTIONS[id].timeoutSeconds,
        Description: FUNCTIONS[id].description,
      });
      const env = environmentOf(fn);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('signupplus-onboarding');
      expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('gives each function its own log group with a retention', () => {
    for (const id of functionIds) {
      const fn = resource(synth.template, fnLogicalId(id));
      const [logGroupId] = [...referencedIds(fn.properties.LoggingConfig)];
      const logGroup = resource(synth.template, logGroupId ?? '');
      expect(logGroup.type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.properties.RetentionInDays).toBe(30);
    }
  });

  it('sets exactly the variables the capabilities and settings call for', () => {
    for (const id of functionIds) {
      const spec = FUNCTIONS[id];
      const expected = new Set([
        ...SHARED_ENV,
        ...spec.capabilities.flatMap((capability) => ENV_BY_CAPABILITY[capability]),
        // URLs have no default in the functions; the other settings stay unset unless configured.
        ...('settings' in spec
          ? spec.settings.filter((setting) => setting === 'RETURN_URL' || setting === 'CONNECTION_RETURN_URL')
          : []),
      ]);
      expect(new Set(Object.keys(environmentOf(resource(synth.template, fnLogicalId(id)))))).toEqual(
        expected,
      );
    }
  });

  it('only sets variables the function code reads', () => {
    const code = sourceFiles(fromRepoRoot('functions'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const names = new Set(
      resources(synth.template, 'AWS::Lambda::Function').flatMap((fn) => Object.keys(environmentOf(fn))),
    );
    for (const name of names) {
      if (name === 'NODE_OPTIONS' || name === 'POWERTOOLS_LOG_LEVEL') continue; // read by Node and Powertools
      expect(code, `${name} is read somewhere in functions/`).toContain(name);
    }
  });

  it('keeps the workflow tasks independent of the state machine (no circular dependency)', () => {
    for (const id of new Set(Object.values(WORKFLOW_TASKS))) {
      const fn = resource(synth.template, fnLogicalId(id));
      expect(referencedIds(fn.properties)).not.toContain(stateMachineId());
    }
  });
});

describe('DynamoDB', () => {
  it('stores onboardings on demand, under a rotating customer-managed key, with PITR and TTL', () => {
    const table = resource(synth.template, logicalIdOf(synth.stack, synth.stack.onboarding.table));
    expect(table.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at_ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
    });
    const [keyId] = [...referencedIds(table.properties.SSESpecification)];
    const key = resource(synth.template, keyId ?? '');
    expect(key.type).toBe('AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
  });

  it('destroys data on the default dev stage (production is covered in construct tests)', () => {
    const table = resource(synth.template, logicalIdOf(synth.stack, synth.stack.onboarding.table));
    expect(table.properties.DeletionProtectionEnabled).toBe(false);
    expect(table.deletionPolicy).toBe('Delete');
  });

  it('keeps a Powertools-shaped idempotency table, one partition per record (`id`), not one static key', () => {
    const table = resource(synth.template, logicalIdOf(synth.stack, synth.stack.onboarding.idempotencyTable));
    expect(table.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    // Powertools puts every record under one partition key when given a static one.
    const code = sourceFiles(fromRepoRoot('functions'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(code).not.toMatch(/staticPkValue|sortKeyAttr/);
  });

  it('encrypts every table with a customer-managed key that rotates', () => {
    const tables = resources(synth.template, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.properties.SSESpecification, table.logicalId).toMatchObject({
        SSEEnabled: true,
        SSEType: 'KMS',
      });
      const [keyId] = [...referencedIds(table.properties.SSESpecification)];
      const key = resource(synth.template, keyId ?? '');
      expect(key.type, table.logicalId).toBe('AWS::KMS::Key');
      expect(key.properties.EnableKeyRotation, table.logicalId).toBe(true);
    }
  });

  it('keeps the journey secrets in a table of their own, under a key no other table uses, without backups', () => {
    const { onboarding } = synth.stack;
    const secrets = resource(synth.template, logicalIdOf(synth.stack, onboarding.secretsTable));
    expect(secrets.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: tableKeys.timeToLive, Enabled: true },
    });
    expect(secrets.properties.PointInTimeRecoverySpecification).toBeUndefined();
    const secretsKeyId = logicalIdOf(synth.stack, onboarding.secretsKey);
    expect(referencedIds(secrets.properties.SSESpecification)).toEqual(new Set([secretsKeyId]));
    for (const table of resources(synth.template, 'AWS::DynamoDB::Table')) {
      if (table.logicalId === secrets.logicalId) continue;
      expect(referencedIds(table.properties.SSESpecification), table.logicalId).not.toContain(secretsKeyId);
    }
  });
});

describe('Step Functions', () => {
  it('runs a Standard state machine, traced, logging errors without execution data', () => {
    const machine = resource(synth.template, stateMachineId());
    expect(machine.properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
    const [logGroupId] = [...referencedIds(machine.properties.LoggingConfiguration)];
    const logGroup = resource(synth.template, logGroupId ?? '');
    expect(JSON.stringify(logGroup.properties.LogGroupName)).toContain('/aws/vendedlogs/states/');
  });
});

describe('IAM', () => {
  it('never allows a wildcard action in an identity policy', () => {
    const statements = identityStatements(synth.template);
    expect(statements.length).toBeGreaterThan(20);
    for (const { holder, statement } of statements) {
      for (const action of actionsOf(statement)) {
        expect(action, `${holder}: ${action}`).not.toContain('*');
      }
    }
  });

  it('uses Resource "*" only for actions AWS offers on no narrower resource', () => {
    const wildcards = identityStatements(synth.template).filter(({ statement }) =>
      resourcesOf(statement).includes('*'),
    );
    expect(wildcards.length).toBeGreaterThan(0);
    for (const { holder, statement } of wildcards) {
      for (const action of actionsOf(statement)) {
        expect(WILDCARD_RESOURCE_ACTIONS.has(action), `${holder}: ${action} on *`).toBe(true);
      }
    }
  });

  it('allows wildcard actions in resource policies only for key-policy delegation and TLS-only denials', () => {
    for (const { holder, holderType, statement } of resourcePolicyStatements(synth.template)) {
      const wildcard = actionsOf(statement).some((action) => action.includes('*'));
      if (!wildcard) continue;
      if (statement.Effect === 'Deny') {
        expect(statement.Condition, holder).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
        continue;
      }
      // The KMS default key policy: the account root may administer the key, which delegates to IAM.
      expect(holderType, holder).toBe('AWS::KMS::Key');
      expect(JSON.stringify(statement.Principal)).toMatch(/:root/);
    }
  });

  it('lets only the functions with truelayer:secret read the TrueLayer client secret', () => {
    for (const id of functionIds) {
      const secretActions = statementsOfRole(synth.template, roleLogicalId(id))
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('secretsmanager:'));
      const reads = FUNCTIONS[id].capabilities.some(
        (capability: string) => capability === 'truelayer:secret',
      );
      expect(secretActions.includes('secretsmanager:GetSecretValue'), id).toBe(reads);
      if (!reads) expect(secretActions, id).toEqual([]);
    }
    const callbackEnv = environmentOf(resource(synth.template, fnLogicalId('Callback')));
    expect(callbackEnv).not.toHaveProperty('TRUELAYER_CLIENT_SECRET_ID');
    const secretArn = JSON.stringify(synth.stack.resolve(synth.stack.clientSecret.secretArn));
    const callbackResources = statementsOfRole(synth.template, roleLogicalId('Callback')).flatMap(
      resourcesOf,
    );
    expect(callbackResources.map((r) => JSON.stringify(r))).not.toContain(secretArn);
  });

  it('grants every DynamoDB operation the repositories send to each function that writes', () => {
    // The local runtime does not check IAM, so an operation added to a repository is caught here.
    const ACTION_OF_COMMAND: Record<string, string> = {
      GetCommand: 'dynamodb:GetItem',
      PutCommand: 'dynamodb:PutItem',
      UpdateCommand: 'dynamodb:UpdateItem',
      DeleteCommand: 'dynamodb:DeleteItem',
      QueryCommand: 'dynamodb:Query',
    };
    const sent = ['functions/onboarding/repository.ts', 'functions/connections/repository.ts'].flatMap(
      (file) =>
        [...readFileSync(fromRepoRoot(file), 'utf8').matchAll(/new (\w+Command)\(/g)].map(
          (match) => match[1] ?? '',
        ),
    );
    expect(sent.length).toBeGreaterThan(0);
    // Query is sent on the due index only (listDue), which onboardings:sweep grants: see the index test below.
    const needed = new Set(
      sent
        .filter((command) => command !== 'QueryCommand')
        .map((command) => ACTION_OF_COMMAND[command] ?? `unmapped ${command}`),
    );
    const writers = (Object.keys(FUNCTIONS) as FunctionId[]).filter((id) =>
      (FUNCTIONS[id].capabilities as readonly Capability[]).includes('onboardings:write'),
    );
    expect(writers.length).toBeGreaterThan(0);
    for (const id of writers) {
      const granted = new Set(statementsOfRole(synth.template, roleLogicalId(id)).flatMap(actionsOf));
      for (const action of needed) expect(granted.has(action), `${id}: ${action}`).toBe(true);
    }
  });

  it('lets no function Query or Scan the records table itself (the sweep reads the due index only)', () => {
    const tableArn = JSON.stringify(arnOf(logicalIdOf(synth.stack, synth.stack.onboarding.table)));
    for (const id of functionIds) {
      for (const statement of statementsOfRole(synth.template, roleLogicalId(id))) {
        if (!resourcesOf(statement).some((r) => JSON.stringify(r) === tableArn)) continue;
        expect(actionsOf(statement), id).not.toContain('dynamodb:Query');
        expect(actionsOf(statement), id).not.toContain('dynamodb:Scan');
      }
    }
  });

  it('grants the read-only function nothing but GetItem on the table', () => {
    const dynamoActions = statementsOfRole(synth.template, roleLogicalId('GetOnboarding'))
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions).toEqual(['dynamodb:GetItem']);
  });

  it('lets only the steps that use a secret read the secrets table, and the read-only routes not touch it', () => {
    const secretsArn = JSON.stringify(arnOf(logicalIdOf(synth.stack, synth.stack.onboarding.secretsTable)));
    const secretsKeyArn = JSON.stringify(arnOf(logicalIdOf(synth.stack, synth.stack.onboarding.secretsKey)));
    const onSecrets = (id: FunctionId) =>
      statementsOfRole(synth.template, roleLogicalId(id)).filter((statement) =>
        resourcesOf(statement).some((r) => [secretsArn, secretsKeyArn].includes(JSON.stringify(r))),
      );
    const readers = functionIds.filter((id) =>
      (FUNCTIONS[id].capabilities as readonly Capability[]).includes('secrets:read'),
    );
    expect(readers.sort()).toEqual(
      ['ChooseAccount', 'CompleteWithChosenAccount', 'EndOnboarding', 'LinkAccounts', 'Reconcile'].sort(),
    );
    for (const id of functionIds) {
      const capabilities: readonly Capability[] = FUNCTIONS[id].capabilities;
      const actions = onSecrets(id).flatMap(actionsOf);
      expect(actions.includes('dynamodb:GetItem'), id).toBe(capabilities.includes('secrets:read'));
      if (!capabilities.includes('secrets:read') && !capabilities.includes('secrets:write')) {
        expect(actions, id).toEqual([]);
        expect(environmentOf(resource(synth.template, fnLogicalId(id))), id).not.toHaveProperty(
          'SECRETS_TABLE_NAME',
        );
      }
      // Writes never ask for the item back: a write-only function cannot read a secret through them.
      for (const statement of onSecrets(id)) {
        if (
          actionsOf(statement).some((action) => ['dynamodb:PutItem', 'dynamodb:UpdateItem'].includes(action))
        ) {
          expect(statement.Condition, id).toEqual({
            StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
          });
        }
      }
    }
    for (const id of ['GetOnboarding', 'GetConnection'] as const) expect(onSecrets(id), id).toEqual([]);
  });

  it('lets the table key be used only through DynamoDB', () => {
    const keyId = logicalIdOf(synth.stack, synth.stack.onboarding.tableKey);
    const keyStatements = identityStatements(synth.template)
      .map(({ statement }) => statement)
      .filter((statement) =>
        resourcesOf(statement).some((r) => JSON.stringify(r) === JSON.stringify(arnOf(keyId))),
      );
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const statement of keyStatements) {
      expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
      expect(JSON.stringify(statement.Condition)).toContain('dynamodb.');
    }
  });

  it('grants workflow actions only to the functions that start, resume or look after journeys', () => {
    const stateActions = (id: FunctionId) =>
      statementsOfRole(synth.template, roleLogicalId(id))
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('states:'))
        .sort();
    const expected: Partial<Record<FunctionId, string[]>> = {
      Callback: ['states:StartExecution'],
      ChooseAccount: ['states:DescribeExecution', 'states:SendTaskSuccess'],
      Reconcile: ['states:DescribeExecution', 'states:SendTaskSuccess', 'states:StartExecution'],
    };
    for (const id of functionIds) expect(stateActions(id), id).toEqual(expected[id] ?? []);
  });

  it('lets only the reconciler read the due index, and nobody any other index', () => {
    const indexArns = (id: FunctionId) =>
      statementsOfRole(synth.template, roleLogicalId(id)).flatMap((statement) =>
        JSON.stringify(statement.Resource ?? '').includes('/index/')
          ? [JSON.stringify(statement.Resource)]
          : [],
      );
    expect(indexArns('Reconcile')).toEqual([expect.stringContaining('/index/due')]);
    for (const id of functionIds.filter((fnId) => fnId !== 'Reconcile'))
      expect(indexArns(id), id).toEqual([]);
  });
});

describe('EventBridge', () => {
  it('routes each manifest rule, unchanged, to its function with retries and a dead-letter queue', () => {
    const rules = resources(synth.template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(EVENT_RULES.length);
    for (const spec of EVENT_RULES) {
      const rule = rules.find((candidate) => candidate.properties.Description === spec.description);
      expect(rule?.properties.EventPattern).toEqual(spec.pattern);
      const [target] = asArray(rule?.properties.Targets);
      expect(target).toMatchObject({
        Arn: arnOf(fnLogicalId(spec.target)),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
      });
      const [queueId] = [...referencedIds(JSON.parse(JSON.stringify(target)).DeadLetterConfig)];
      const queue = resource(synth.template, queueId ?? '');
      expect(queue.type).toBe('AWS::SQS::Queue');
      expect(queue.properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it('sends events a consumer failed on to an encrypted on-failure queue', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnLogicalId('ReadyForPaymentExample') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
    });
  });

  it('enforces TLS on every queue', () => {
    const queues = resources(synth.template, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(EVENT_RULES.length);
    const policies = resourcePolicyStatements(synth.template).filter(
      ({ holderType }) => holderType === 'AWS::SQS::QueuePolicy',
    );
    for (const queue of queues) {
      const denial = policies.find(
        ({ statement }) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Resource) === JSON.stringify(arnOf(queue.logicalId)),
      );
      expect(denial, queue.logicalId).toBeDefined();
    }
  });

  it('archives nothing by default (events carry personal data)', () => {
    synth.template.resourceCountIs('AWS::Events::Archive', 0);
  });
});

describe('Alarms', () => {
  const alarms = () => resources(synth.template, 'AWS::CloudWatch::Alarm');
  const alarmOn = (metricName: string, dimensionRef: string) =>
    alarms().filter(
      (alarm) =>
        alarm.properties.MetricName === metricName &&
        referencedIds(alarm.properties.Dimensions).has(dimensionRef),
    );

  it('fires on any failed or timed-out execution within 5 minutes', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const [alarm] = alarmOn(metric, stateMachineId());
      expect(alarm?.properties).toMatchObject({
        Namespace: 'AWS/States',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Period: 300,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('fires on errors of every function', () => {
    for (const id of functionIds) {
      expect(alarmOn('Errors', fnLogicalId(id)), id).toHaveLength(1);
    }
  });

  it('fires when a dead-letter queue holds a message', () => {
    const queues = resources(synth.template, 'AWS::SQS::Queue');
    for (const queue of queues) {
      const [alarm] = alarmOn('ApproximateNumberOfMessagesVisible', queue.logicalId);
      expect(alarm?.properties, queue.logicalId).toMatchObject({ Threshold: 0, Namespace: 'AWS/SQS' });
    }
  });

  it('points every alarm at the runbook', () => {
    for (const alarm of alarms()) {
      expect(alarm.properties.AlarmDescription).toContain('docs/deploy.md#alarms');
    }
  });
});

describe('Outputs', () => {
  it('tells the integrator the API URL, the redirect URI to register and the secret to fill', () => {
    const outputs = synth.template.toJSON().Outputs;
    for (const name of [
      'ApiUrl',
      'RedirectUri',
      'ConnectionReturnUri',
      'ClientSecretArn',
      'TableName',
      'EventBusName',
      'StateMachineArn',
    ]) {
      expect(outputs).toHaveProperty(name);
    }
    expect(JSON.stringify(outputs.RedirectUri)).toContain('/callback');
  });
});
