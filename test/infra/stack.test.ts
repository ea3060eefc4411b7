import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SDK_CLIENT_TIMEOUTS } from '../../functions/commons/clients/timeouts.ts';
import { JourneyMetrics, METRICS_NAMESPACE } from '../../functions/commons/metric-names.ts';
import { tableKeys } from '../../functions/commons/table-keys.ts';
import {
  type Capability,
  EVENT_RULES,
  FUNCTIONS,
  type FunctionId,
  ROUTES,
  WORKFLOWS,
  type WorkflowId,
} from '../../functions/contract/manifest.ts';
import { FAILURE_REASONS } from '../../functions/onboarding/failure-reasons.ts';
import { ALARM_KINDS, ALARM_THRESHOLDS, API_THROTTLED_METRIC } from '../../infra/operations.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import {
  ACCESS_LOG_FIELDS,
  DEFAULT_PUBLIC_THROTTLE,
  DEFAULT_THROTTLE,
} from '../../infra/signup-plus-onboarding.ts';
import {
  actionsOf,
  arnOf,
  asArray,
  environmentOf,
  identityStatements,
  logicalIdOf,
  type Resource,
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
  'workflow:start': [
    'STATE_MACHINE_ARN',
    'PAYMENT_STATE_MACHINE_ARN',
    'CONNECTION_STATE_MACHINE_ARN',
    'ACCOUNT_CHOICE_TIMEOUT_SECONDS',
  ],
  'workflow:respond': [],
  'workflow:describe': ['STATE_MACHINE_ARN', 'PAYMENT_STATE_MACHINE_ARN', 'CONNECTION_STATE_MACHINE_ARN'],
  'truelayer:call': ['TRUELAYER_ENVIRONMENT', 'TRUELAYER_HTTP_TIMEOUT_MS'],
  'truelayer:client': ['TRUELAYER_ENVIRONMENT', 'TRUELAYER_CLIENT_ID', 'TRUELAYER_REDIRECT_URI'],
  'truelayer:secret': ['TRUELAYER_CLIENT_SECRET_ID'],
  'truelayer:payments': ['TRUELAYER_SIGNING_KEY_SECRET_ID', 'TRUELAYER_MERCHANT_ACCOUNT_ID'],
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
const workflowIds = Object.keys(WORKFLOWS).filter((id): id is WorkflowId => id in WORKFLOWS);
const stateMachineId = (workflowId: WorkflowId = 'data') =>
  logicalIdOf(synth.stack, synth.stack.onboarding.stateMachines[workflowId]);
const allTaskIds = new Set(workflowIds.flatMap((id) => Object.values<FunctionId>(WORKFLOWS[id].tasks)));
const hasCapability = (id: FunctionId, capability: Capability) =>
  (FUNCTIONS[id].capabilities as readonly Capability[]).includes(capability);

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

describe('Recovery', () => {
  /** Properties that give a resource a physical name of our choosing. */
  const NAME_PROPERTIES = [
    'LogGroupName',
    'SecretName',
    'TableName',
    'QueueName',
    'TopicName',
    'BackupVaultName',
    'StateMachineName',
    'AliasName',
    'Name',
    'EventBusName',
  ];

  it.each([
    ['the default dev stage', {}],
    ['a protected prod stage with a backup plan', { stage: 'prod', backup: 'true' }],
  ])(
    'retains no resource under a fixed name on %s (a re-created stack would collide with it)',
    (_, context) => {
      const { template } = synthApp(context);
      const retained = resources(template).filter((res) => res.deletionPolicy === 'Retain');
      if (Object.keys(context).length > 0) expect(retained.length).toBeGreaterThan(5);
      for (const res of retained) {
        for (const property of NAME_PROPERTIES) {
          const name = res.properties[property];
          if (name === undefined) continue;
          // A chosen name is safe only when it carries the stack's id, new for each creation of the stack.
          expect(JSON.stringify(name), `${res.logicalId}.${property}`).toContain('AWS::StackId');
        }
      }
    },
  );

  it('keeps point-in-time recovery on the records and idempotency tables', () => {
    for (const table of [synth.stack.onboarding.table, synth.stack.onboarding.idempotencyTable]) {
      expect(resource(synth.template, logicalIdOf(synth.stack, table)).properties).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('backs the records table up daily and copies it to another region when asked, never the secrets', () => {
    const copyVault = 'arn:aws:backup:eu-west-1:123456789012:backup-vault:signupplus-dr';
    const { stack, template } = synthApp({ backup: 'true', backupCopyVaultArn: copyVault });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 3 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            CopyActions: [{ DestinationBackupVaultArn: copyVault, Lifecycle: { DeleteAfterDays: 35 } }],
          }),
        ],
      },
    });
    const [selection] = resources(template, 'AWS::Backup::BackupSelection');
    const selected = referencedIds(selection?.properties.BackupSelection);
    expect(selected).toContain(logicalIdOf(stack, stack.onboarding.table));
    expect(selected).not.toContain(logicalIdOf(stack, stack.onboarding.secretsTable));
    synthApp().template.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  it('puts the API behind a custom domain when given one, and derives the redirect URIs from it', () => {
    const { stack, template } = synthApp({
      domainName: 'onboarding.example.com',
      certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/1a2b3c4d',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'onboarding.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/1a2b3c4d',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'onboarding.example.com.', Type: 'A' });
    const env = environmentOf(
      resource(template, logicalIdOf(stack, stack.onboarding.functions.CreateOnboarding)),
    );
    expect(env.TRUELAYER_REDIRECT_URI).toBe('https://onboarding.example.com/callback');
    const connection = environmentOf(
      resource(template, logicalIdOf(stack, stack.onboarding.functions.CreateConnection)),
    );
    expect(connection.CONNECTION_RETURN_URL).toBe('https://onboarding.example.com/connections/return');
    expect(env.PAYMENT_RETURN_URL).toBe('https://onboarding.example.com/payments/return');
    expect(
      environmentOf(resource(template, logicalIdOf(stack, stack.onboarding.functions.CheckPayment)))
        .IDENTIFICATION_RETURN_URL,
    ).toBe('https://onboarding.example.com/identification/return');
    expect(JSON.stringify(template.toJSON().Outputs.RedirectUri)).toContain(
      'https://onboarding.example.com/callback',
    );
  });
});

describe('Capacity', () => {
  it('throttles every route on its own, the public browser redirects at their own lower limit', () => {
    const [stage] = resources(synth.template, 'AWS::ApiGatewayV2::Stage');
    const routeSettings = z
      .record(z.string(), z.object({ ThrottlingRateLimit: z.number(), ThrottlingBurstLimit: z.number() }))
      .parse(stage?.properties.RouteSettings);
    expect(Object.keys(routeSettings).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const route of ROUTES) {
      const expected = route.authorization === 'none' ? DEFAULT_PUBLIC_THROTTLE : DEFAULT_THROTTLE;
      expect(routeSettings[`${route.method} ${route.path}`], `${route.method} ${route.path}`).toEqual({
        ThrottlingRateLimit: expected.rateLimit,
        ThrottlingBurstLimit: expected.burstLimit,
      });
    }
    expect(DEFAULT_PUBLIC_THROTTLE.rateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit ?? 0);
    // The stage is created after the routes it names (CloudFormation refuses settings for unknown routes).
    const dependsOn = z
      .object({
        Resources: z.record(
          z.string(),
          z.object({ Type: z.string(), DependsOn: z.array(z.string()).optional() }),
        ),
      })
      .parse(synth.template.toJSON());
    const stageEntry = Object.values(dependsOn.Resources).find(
      (res) => res.Type === 'AWS::ApiGatewayV2::Stage',
    );
    for (const route of resources(synth.template, 'AWS::ApiGatewayV2::Route')) {
      expect(stageEntry?.DependsOn ?? [], route.logicalId).toContain(route.logicalId);
    }
  });

  it('reserves no concurrency on a development stage, which a new account (quota 10) could not grant', () => {
    for (const fn of resources(synth.template, 'AWS::Lambda::Function')) {
      expect(fn.properties.ReservedConcurrentExecutions, fn.logicalId).toBeUndefined();
    }
  });

  it('gives every SDK client and the TrueLayer transport a connection and a request timeout', () => {
    expect(SDK_CLIENT_TIMEOUTS.dynamodb).toMatchObject({
      connectionTimeout: expect.any(Number),
      requestTimeout: expect.any(Number),
      throwOnRequestTimeout: true,
    });
    expect(SDK_CLIENT_TIMEOUTS.control).toMatchObject({
      connectionTimeout: expect.any(Number),
      requestTimeout: expect.any(Number),
      throwOnRequestTimeout: true,
    });
    const clients = sourceFiles(fromRepoRoot('functions')).filter((file) =>
      /new (DynamoDB|SFN|EventBridge|SecretsManager)Client\(/.test(readFileSync(file, 'utf8')),
    );
    expect(clients.length).toBeGreaterThanOrEqual(4);
    for (const file of clients) expect(readFileSync(file, 'utf8'), file).toContain('SDK_CLIENT_TIMEOUTS');
    for (const id of functionIds.filter((fnId) =>
      (FUNCTIONS[fnId].capabilities as readonly Capability[]).includes('truelayer:call'),
    )) {
      expect(
        Number(environmentOf(resource(synth.template, fnLogicalId(id))).TRUELAYER_HTTP_TIMEOUT_MS),
        id,
      ).toBeLessThan(FUNCTIONS[id].timeoutSeconds * 1000);
    }
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
          ? spec.settings.filter((setting) =>
              [
                'RETURN_URL',
                'CONNECTION_RETURN_URL',
                'PAYMENT_RETURN_URL',
                'IDENTIFICATION_RETURN_URL',
              ].includes(setting),
            )
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

  it('keeps the workflow tasks independent of every state machine (no circular dependency)', () => {
    expect(allTaskIds).toContain('CheckPayment');
    for (const id of allTaskIds) {
      const fn = resource(synth.template, fnLogicalId(id));
      for (const workflowId of workflowIds) {
        expect(referencedIds(fn.properties), `${id}, ${workflowId}`).not.toContain(
          stateMachineId(workflowId),
        );
      }
    }
  });

  it('builds the payment functions: PaymentReturn behind its public route, CheckPayment a task', () => {
    const route = ROUTES.find((candidate) => candidate.function === 'PaymentReturn');
    expect(route).toEqual({
      method: 'GET',
      path: '/payments/return',
      function: 'PaymentReturn',
      authorization: 'none',
    });
    expect(Object.values(WORKFLOWS.payment.tasks)).toContain('CheckPayment');
    const env = (id: FunctionId) => environmentOf(resource(synth.template, fnLogicalId(id)));
    // Spelled out, beside the capability map above: the promise of each payment capability.
    expect(env('CreateOnboarding')).toMatchObject({
      TRUELAYER_SIGNING_KEY_SECRET_ID: { Ref: logicalIdOf(synth.stack, synth.stack.signingKeySecret) },
      TRUELAYER_MERCHANT_ACCOUNT_ID: 'sandbox-example-merchant-account-id',
      PAYMENT_RETURN_URL: { 'Fn::Join': ['', [expect.anything(), '/payments/return']] },
    });
    expect(env('CheckPayment')).not.toHaveProperty('TRUELAYER_SIGNING_KEY_SECRET_ID');
    expect(env('CheckPayment')).not.toHaveProperty('TRUELAYER_MERCHANT_ACCOUNT_ID');
    expect(env('CheckPayment')).toHaveProperty('TRUELAYER_CLIENT_SECRET_ID');
    expect(env('PaymentReturn')).toMatchObject({
      STATE_MACHINE_ARN: { Ref: stateMachineId('data') },
      PAYMENT_STATE_MACHINE_ARN: { Ref: stateMachineId('payment') },
      RETURN_URL: expect.any(String),
    });
    expect(env('PaymentReturn')).not.toHaveProperty('TRUELAYER_CLIENT_SECRET_ID');
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
  it('runs one state machine per workflow; the data flow keeps its logical id (no replacement)', () => {
    const machines = resources(synth.template, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(3);
    expect(machines.map((machine) => machine.logicalId).sort()).toEqual(
      workflowIds.map((id) => stateMachineId(id)).sort(),
    );
    // The logical id existing deployments hold (docs/deploy.md names it in the cdk-nag table).
    expect(stateMachineId('data')).toBe('OnboardingStateMachineFC9EE32A');
    expect(stateMachineId('payment')).not.toBe(stateMachineId('data'));
    expect(stateMachineId('connection')).not.toBe(stateMachineId('data'));
  });

  it.each(['data', 'payment', 'connection'] as const)(
    'runs the %s state machine Standard, traced, logging errors without execution data, to its own log group',
    (workflowId) => {
      const machine = resource(synth.template, stateMachineId(workflowId));
      expect(machine.properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
      });
      const [logGroupId] = [...referencedIds(machine.properties.LoggingConfiguration)];
      const logGroup = resource(synth.template, logGroupId ?? '');
      expect(JSON.stringify(logGroup.properties.LogGroupName)).toContain('/aws/vendedlogs/states/');
      const other = resource(synth.template, stateMachineId(workflowId === 'data' ? 'payment' : 'data'));
      expect(referencedIds(other.properties.LoggingConfiguration)).not.toContain(logGroupId);
    },
  );

  it('keeps the data log group under its construct id, and the log groups apart by name', () => {
    const logGroupOf = (workflowId: WorkflowId) => {
      const [id] = [
        ...referencedIds(
          resource(synth.template, stateMachineId(workflowId)).properties.LoggingConfiguration,
        ),
      ];
      return resource(synth.template, id ?? '');
    };
    expect(logGroupOf('data').logicalId).toMatch(/^OnboardingStateMachineLogs[0-9A-F]{8}$/);
    expect(JSON.stringify(logGroupOf('payment').properties.LogGroupName)).not.toEqual(
      JSON.stringify(logGroupOf('data').properties.LogGroupName),
    );
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
      [
        'CheckPayment',
        'ChooseAccount',
        'CompleteWithChosenAccount',
        'EndOnboarding',
        'LinkAccounts',
        'Reconcile',
      ].sort(),
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

  it('lets the erasure delete idempotency records and nothing else there, and no function but two use them', () => {
    const idempotencyArn = JSON.stringify(
      arnOf(logicalIdOf(synth.stack, synth.stack.onboarding.idempotencyTable)),
    );
    const onIdempotency = (id: FunctionId) =>
      statementsOfRole(synth.template, roleLogicalId(id))
        .filter((statement) => resourcesOf(statement).some((r) => JSON.stringify(r) === idempotencyArn))
        .flatMap(actionsOf)
        .sort();
    expect(onIdempotency('EraseOnboarding')).toEqual(['dynamodb:DeleteItem']);
    for (const id of ['ReadyForPaymentExample', 'CreateConnection'] as const) {
      expect(onIdempotency(id), id).toEqual(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
      );
    }
    for (const id of functionIds.filter(
      (fnId) => !['EraseOnboarding', 'ReadyForPaymentExample', 'CreateConnection'].includes(fnId),
    )) {
      expect(onIdempotency(id), id).toEqual([]);
    }
  });

  it('lets every table key be used only through DynamoDB', () => {
    const keyIds = [synth.stack.onboarding.tableKey, synth.stack.onboarding.secretsKey].map((key) =>
      logicalIdOf(synth.stack, key),
    );
    for (const keyId of keyIds) {
      const keyStatements = identityStatements(synth.template)
        .map(({ statement }) => statement)
        .filter((statement) =>
          resourcesOf(statement).some((r) => JSON.stringify(r) === JSON.stringify(arnOf(keyId))),
        );
      expect(keyStatements.length, keyId).toBeGreaterThan(0);
      for (const statement of keyStatements) {
        expect(JSON.stringify(statement.Condition), keyId).toContain('kms:ViaService');
      }
    }
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
      PaymentReturn: ['states:StartExecution'],
      ConnectionReturn: ['states:StartExecution'],
      TrueLayerWebhook: ['states:StartExecution'],
      ChooseAccount: ['states:DescribeExecution', 'states:SendTaskSuccess'],
      Reconcile: ['states:DescribeExecution', 'states:SendTaskSuccess', 'states:StartExecution'],
    };
    for (const id of functionIds) expect([...new Set(stateActions(id))], id).toEqual(expected[id] ?? []);
  });

  /** The resources of a function's statements that allow `action`, as JSON. */
  const resourcesAllowing = (id: FunctionId, action: string) =>
    statementsOfRole(synth.template, roleLogicalId(id))
      .filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action))
      .flatMap(resourcesOf)
      .map((arn) => JSON.stringify(arn))
      .sort();

  it('lets each function that starts journeys start every flow’s machine, and hands it every ARN', () => {
    const starters = functionIds.filter((id) => hasCapability(id, 'workflow:start'));
    expect(starters.sort()).toEqual([
      'Callback',
      'ConnectionReturn',
      'PaymentReturn',
      'Reconcile',
      'TrueLayerWebhook',
    ]);
    for (const id of starters) {
      expect(resourcesAllowing(id, 'states:StartExecution'), id).toEqual(
        workflowIds.map((workflowId) => JSON.stringify({ Ref: stateMachineId(workflowId) })).sort(),
      );
      const env = environmentOf(resource(synth.template, fnLogicalId(id)));
      for (const workflowId of workflowIds) {
        expect(env[WORKFLOWS[workflowId].arnSetting], `${id} ${workflowId}`).toEqual({
          Ref: stateMachineId(workflowId),
        });
      }
    }
  });

  it('lets each function that describes executions describe every flow’s, and answer task tokens of the flows that wait for a choice only', () => {
    const describers = functionIds.filter((id) => hasCapability(id, 'workflow:describe'));
    expect(describers.sort()).toEqual(['ChooseAccount', 'Reconcile']);
    for (const id of describers) {
      const described = resourcesAllowing(id, 'states:DescribeExecution');
      expect(described, id).toHaveLength(workflowIds.length);
      for (const workflowId of workflowIds) {
        // The execution ARN pattern is built from the machine's own ARN (its name, then `:*`).
        expect(
          described.some(
            (arn) => arn.includes(`{"Ref":"${stateMachineId(workflowId)}"}`) && arn.includes(':*'),
          ),
          `${id} ${workflowId}`,
        ).toBe(true);
      }
    }
    for (const id of functionIds.filter((fnId) => hasCapability(fnId, 'workflow:respond'))) {
      expect(resourcesAllowing(id, 'states:SendTaskSuccess'), id).toEqual(
        [
          JSON.stringify({ Ref: stateMachineId('data') }),
          JSON.stringify({ Ref: stateMachineId('connection') }),
        ].sort(),
      );
    }
  });

  it('lets only the functions with truelayer:payments read the signing key', () => {
    const signingKeyArn = JSON.stringify(synth.stack.resolve(synth.stack.signingKeySecret.secretArn));
    const readers = functionIds.filter((id) =>
      resourcesAllowing(id, 'secretsmanager:GetSecretValue').includes(signingKeyArn),
    );
    expect(readers).toEqual(functionIds.filter((id) => hasCapability(id, 'truelayer:payments')));
    expect(readers).toEqual(['CreateOnboarding']);
    // And the client secret stays with truelayer:secret: CheckPayment reads it, not the signing key.
    const clientSecretArn = JSON.stringify(synth.stack.resolve(synth.stack.clientSecret.secretArn));
    expect(resourcesAllowing('CheckPayment', 'secretsmanager:GetSecretValue')).toEqual([clientSecretArn]);
  });

  it('lets only the sweepers read the due index, and nobody any other index', () => {
    const indexArns = (id: FunctionId) =>
      statementsOfRole(synth.template, roleLogicalId(id)).flatMap((statement) =>
        JSON.stringify(statement.Resource ?? '').includes('/index/')
          ? [JSON.stringify(statement.Resource)]
          : [],
      );
    const sweepers: readonly FunctionId[] = ['Reconcile', 'ExpireConnections'];
    for (const id of sweepers) expect(indexArns(id), id).toEqual([expect.stringContaining('/index/due')]);
    for (const id of functionIds.filter((fnId) => !sweepers.includes(fnId)))
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
  const metricStatSchema = z.object({
    Metric: z.object({
      Namespace: z.string(),
      MetricName: z.string(),
      Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
    }),
  });
  const alarmMetricsSchema = z.array(
    z.object({ Id: z.string(), Expression: z.string().optional(), MetricStat: metricStatSchema.optional() }),
  );
  interface WatchedMetric {
    namespace: string;
    name: string;
    dimensions: Record<string, unknown>;
  }
  /** Every metric an alarm reads, whether it alarms on one metric or on an expression. */
  const watched = (alarm: Resource): WatchedMetric[] => {
    const { properties } = alarm;
    if (typeof properties.MetricName === 'string') {
      const dimensions = z
        .array(z.object({ Name: z.string(), Value: z.unknown() }))
        .optional()
        .parse(properties.Dimensions);
      return [
        {
          namespace: z.string().parse(properties.Namespace),
          name: properties.MetricName,
          dimensions: Object.fromEntries((dimensions ?? []).map((d) => [d.Name, d.Value])),
        },
      ];
    }
    return alarmMetricsSchema.parse(properties.Metrics).flatMap((entry) =>
      entry.MetricStat
        ? [
            {
              namespace: entry.MetricStat.Metric.Namespace,
              name: entry.MetricStat.Metric.MetricName,
              dimensions: Object.fromEntries(
                (entry.MetricStat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]),
              ),
            },
          ]
        : [],
    );
  };
  const expressionOf = (alarm: Resource) =>
    alarmMetricsSchema
      .parse(alarm.properties.Metrics ?? [])
      .map((entry) => entry.Expression ?? '')
      .join(' ');
  const alarmNamed = (kind: string) => {
    const found = alarms().filter((alarm) =>
      String(alarm.properties.AlarmDescription).endsWith(`docs/deploy.md#${kind.toLowerCase()}`),
    );
    expect(found.length, kind).toBeGreaterThan(0);
    return found;
  };
  const onlyAlarm = (kind: string) => {
    const [alarm, ...others] = alarmNamed(kind);
    expect(others, kind).toEqual([]);
    if (!alarm) throw new Error(`No ${kind} alarm`);
    return alarm;
  };

  it('notifies one topic from every alarm, when it fires and when it clears: the stack creates it', () => {
    const topicId = logicalIdOf(synth.stack, synth.stack.onboarding.alarmTopic);
    expect(resource(synth.template, topicId).type).toBe('AWS::SNS::Topic');
    expect(alarms().length).toBeGreaterThan(20);
    for (const alarm of alarms()) {
      expect(alarm.properties.AlarmActions, alarm.logicalId).toEqual([{ Ref: topicId }]);
      expect(alarm.properties.OKActions, alarm.logicalId).toEqual([{ Ref: topicId }]);
    }
    expect(synth.template.toJSON().Outputs).toHaveProperty('AlarmTopicArn');
  });

  it('points every alarm at its entry in docs/deploy.md § Alarms, and the runbook lists each kind', () => {
    const deploy = readFileSync(fromRepoRoot('docs/deploy.md'), 'utf8');
    const runbook = readFileSync(fromRepoRoot('docs/runbook.md'), 'utf8');
    const alarmsSection = deploy.slice(
      deploy.indexOf('## Alarms'),
      deploy.indexOf('\n## ', deploy.indexOf('## Alarms') + 1),
    );
    for (const kind of ALARM_KINDS) {
      expect(alarmsSection, kind).toContain(`### ${kind}\n`);
      expect(runbook, kind).toContain(`deploy.md#${kind.toLowerCase()}`);
    }
    for (const alarm of alarms()) {
      const anchor = /Runbook: docs\/deploy\.md#([a-z]+)$/.exec(
        String(alarm.properties.AlarmDescription),
      )?.[1];
      expect(
        ALARM_KINDS.map((kind) => kind.toLowerCase()),
        alarm.logicalId,
      ).toContain(anchor);
    }
  });

  it('pages on journeys failed on our side by rate, and on no user, bank or TrueLayer outcome but unavailability', () => {
    const internal = onlyAlarm('InternalFailures');
    const ours = ALARM_THRESHOLDS.internalFailures;
    expect(internal.properties).toMatchObject({
      Threshold: ours.percent,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(expressionOf(internal)).toContain(`>= ${ours.minimum}`);
    const tl = onlyAlarm('TrueLayerUnavailable');
    // Every flow's journeys count, those of a flow added later too: the alarms read the metrics the
    // functions emit across every flow, and no flow of its own.
    const service = 'signupplus-onboarding';
    expect(watched(internal)).toEqual([
      { namespace: METRICS_NAMESPACE, name: JourneyMetrics.failed, dimensions: { service, side: 'ours' } },
      { namespace: METRICS_NAMESPACE, name: JourneyMetrics.ended, dimensions: { service } },
    ]);
    expect(watched(tl)).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        name: JourneyMetrics.failed,
        dimensions: { service, reason: 'truelayer_unavailable' },
      },
      { namespace: METRICS_NAMESPACE, name: JourneyMetrics.ended, dimensions: { service } },
    ]);
    // No alarm reads a failure by the user's or the bank's side, or by a reason that is theirs.
    const theirs = Object.entries(FAILURE_REASONS)
      .filter(([, reason]) => reason.side === 'user' || reason.side === 'bank')
      .map(([name]) => name);
    for (const alarm of alarms()) {
      for (const metric of watched(alarm)) {
        expect(['user', 'bank'], alarm.logicalId).not.toContain(metric.dimensions.side);
        expect(theirs, alarm.logicalId).not.toContain(metric.dimensions.reason);
      }
    }
  });

  /** The alarms of one kind, by the state machine they watch: exactly one each. */
  const byStateMachine = (kind: string) => {
    const found = alarmNamed(kind);
    expect(found, kind).toHaveLength(workflowIds.length);
    return Object.fromEntries(
      workflowIds.map((workflowId) => {
        const mine = found.filter((alarm) =>
          watched(alarm).every((metric) =>
            JSON.stringify(metric.dimensions).includes(`"Ref":"${stateMachineId(workflowId)}"`),
          ),
        );
        expect(mine, `${kind} ${workflowId}`).toHaveLength(1);
        return [workflowId, mine[0] ?? found[0]];
      }),
    );
  };

  it('fires on no single failed execution or Lambda error: rates with a minimum count', () => {
    const perMachine = byStateMachine('ExecutionsFailed');
    for (const workflowId of workflowIds) {
      const executions = perMachine[workflowId] ?? alarms()[0] ?? resource(synth.template, '');
      expect(expressionOf(executions), workflowId).toContain(
        `>= ${ALARM_THRESHOLDS.executionsFailed.minimum}`,
      );
      expect(
        watched(executions).map((metric) => metric.name),
        workflowId,
      ).toContain('ExecutionsFailed');
    }
    // The data flow's alarm keeps its logical id.
    expect(perMachine.data?.logicalId).toMatch(/^OnboardingOperationsExecutionsFailed[0-9A-F]{8}$/);
    const perFunction = alarmNamed('FunctionErrors');
    for (const id of functionIds.filter((fnId) => fnId !== 'Reconcile')) {
      const mine = perFunction.filter((alarm) =>
        watched(alarm).some((metric) => JSON.stringify(metric.dimensions).includes(fnLogicalId(id))),
      );
      expect(mine, id).toHaveLength(1);
      expect(expressionOf(mine[0] ?? alarms()[0] ?? resource(synth.template, ''))).toContain(
        `>= ${ALARM_THRESHOLDS.functionErrors.minimum}`,
      );
    }
    // A timed-out execution is a bug, not an outcome: any one fires, on either machine.
    const timedOut = byStateMachine('ExecutionsTimedOut');
    for (const workflowId of workflowIds) {
      expect(timedOut[workflowId]?.properties, workflowId).toMatchObject({
        MetricName: 'ExecutionsTimedOut',
        Threshold: 1,
      });
    }
    expect(String(timedOut.data?.properties.AlarmDescription)).toContain('90-minute');
    expect(String(timedOut.payment?.properties.AlarmDescription)).toContain('240-minute');
  });

  it('alarms on sustained throttling anywhere: every function, Step Functions, DynamoDB, EventBridge, the API', () => {
    const { periods } = ALARM_THRESHOLDS.throttling;
    const throttleKinds = [
      'HttpFunctionsThrottled',
      'PublicFunctionsThrottled',
      'WorkflowFunctionsThrottled',
      'StateTransitionsThrottled',
      'DynamoDbThrottled',
      'EventDeliveriesThrottled',
      'ApiThrottled',
    ];
    for (const kind of throttleKinds) {
      expect(onlyAlarm(kind).properties, kind).toMatchObject({
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
      });
    }
    const lambdaThrottled = [
      ...alarmNamed('HttpFunctionsThrottled'),
      ...alarmNamed('PublicFunctionsThrottled'),
      ...alarmNamed('WorkflowFunctionsThrottled'),
    ]
      .flatMap(watched)
      .filter((metric) => metric.name === 'Throttles')
      .map((metric) => JSON.stringify(metric.dimensions));
    for (const id of functionIds) {
      expect(
        lambdaThrottled.filter((dims) => dims.includes(fnLogicalId(id))),
        id,
      ).toHaveLength(1);
    }
    const transitions = watched(onlyAlarm('StateTransitionsThrottled'));
    expect(transitions.map((metric) => metric.name)).toEqual(workflowIds.map(() => 'ExecutionThrottled'));
    for (const workflowId of workflowIds) {
      expect(JSON.stringify(transitions), workflowId).toContain(`"Ref":"${stateMachineId(workflowId)}"`);
    }
    const dynamo = watched(onlyAlarm('DynamoDbThrottled'));
    for (const table of resources(synth.template, 'AWS::DynamoDB::Table')) {
      const onTable = dynamo.filter((metric) =>
        JSON.stringify(metric.dimensions.TableName).includes(table.logicalId),
      );
      expect(
        onTable.map((metric) => metric.name),
        table.logicalId,
      ).toEqual(expect.arrayContaining(['ReadThrottleEvents', 'WriteThrottleEvents']));
    }
    expect(
      dynamo
        .filter((metric) => metric.dimensions.GlobalSecondaryIndexName === 'due')
        .map((metric) => metric.name)
        .sort(),
    ).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
    expect(watched(onlyAlarm('EventDeliveriesThrottled')).map((metric) => metric.name)).toContain(
      'ThrottledRules',
    );
    expect(watched(onlyAlarm('ApiThrottled'))).toEqual([
      { namespace: METRICS_NAMESPACE, name: API_THROTTLED_METRIC, dimensions: {} },
    ]);
    // HTTP APIs publish no 429 metric: it is counted from the access log.
    synth.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: METRICS_NAMESPACE, MetricName: API_THROTTLED_METRIC, MetricValue: '1' },
      ],
    });
  });

  it('alarms on every failed event delivery and on any message in any dead-letter queue', () => {
    const deliveries = alarmNamed('EventDeliveryFailed');
    expect(deliveries).toHaveLength(EVENT_RULES.length);
    for (const alarm of deliveries) {
      expect(
        watched(alarm)
          .map((metric) => metric.name)
          .sort(),
      ).toEqual(['FailedInvocations', 'InvocationsFailedToBeSentToDlq']);
    }
    const queues = resources(synth.template, 'AWS::SQS::Queue');
    const dlqAlarms = alarmNamed('DeadLetterMessages');
    for (const queue of queues) {
      const mine = dlqAlarms.filter((alarm) =>
        referencedIds(alarm.properties.Dimensions).has(queue.logicalId),
      );
      expect(mine, queue.logicalId).toHaveLength(1);
      expect(mine[0]?.properties, queue.logicalId).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        Namespace: 'AWS/SQS',
      });
    }
  });

  it('alarms on journeys past their deadline, journeys that stay stuck and a reconciler that stops running', () => {
    expect(watched(onlyAlarm('JourneysPastDeadline'))).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        name: JourneyMetrics.recovered,
        dimensions: { service: 'signupplus-onboarding' },
      },
    ]);
    expect(watched(onlyAlarm('JourneysStuck'))[0]?.name).toBe(JourneyMetrics.reconcileFailures);
    const reconciler = onlyAlarm('ReconcilerFailing');
    expect(reconciler.properties.TreatMissingData).toBe('breaching');
    expect(
      watched(reconciler)
        .map((metric) => metric.name)
        .sort(),
    ).toEqual(['Errors', 'Invocations']);
    expect(JSON.stringify(watched(reconciler))).toContain(fnLogicalId('Reconcile'));
  });

  it('alarms on the API’s 5xx by rate', () => {
    const api = onlyAlarm('ApiServerErrors');
    expect(
      watched(api)
        .map((metric) => metric.name)
        .sort(),
    ).toEqual(['5xx', 'Count']);
    expect(expressionOf(api)).toContain(`>= ${ALARM_THRESHOLDS.apiServerErrors.minimum}`);
  });
});

describe('Dashboard', () => {
  it('shows the business figures and the health figures on one dashboard', () => {
    const [dashboard] = resources(synth.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.properties.DashboardBody);
    for (const name of Object.values(JourneyMetrics)) expect(body, name).toContain(name);
    for (const figure of [
      'p50',
      'p99',
      'Account choice rate',
      'ExecutionThrottled',
      'Throttles',
      '5xx',
      API_THROTTLED_METRIC,
    ]) {
      expect(body, figure).toContain(figure);
    }
    expect(body).toContain('flow');
  });
});

describe('Outputs', () => {
  it('tells the integrator the API URL, the redirect URI to register and the secret to fill', () => {
    const outputs = synth.template.toJSON().Outputs;
    for (const name of [
      'ApiUrl',
      'RedirectUri',
      'ConnectionReturnUri',
      'PaymentReturnUri',
      'WebhookUri',
      'ClientSecretArn',
      'SigningKeySecretArn',
      'TableName',
      'EventBusName',
      'StateMachineArn',
      'PaymentStateMachineArn',
    ]) {
      expect(outputs).toHaveProperty(name);
    }
    expect(JSON.stringify(outputs.RedirectUri)).toContain('/callback');
    expect(JSON.stringify(outputs.PaymentReturnUri)).toContain('/payments/return');
    expect(JSON.stringify(outputs.WebhookUri)).toContain('/webhooks/truelayer');
    expect(outputs.StateMachineArn.Value).toEqual({ Ref: stateMachineId('data') });
    expect(outputs.PaymentStateMachineArn.Value).toEqual({ Ref: stateMachineId('payment') });
    expect(outputs.SigningKeySecretArn.Value).toEqual({
      Ref: logicalIdOf(synth.stack, synth.stack.signingKeySecret),
    });
  });
});
