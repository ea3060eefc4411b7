/**
 * SignupPlusOnboarding as an integrator uses it: dropped into their own stack
 * with their own bus, secret and topic.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionId, ROUTES, WORKFLOWS } from '../../functions/contract/manifest.ts';
import {
  DEFAULT_ACCOUNT_CHOICE_TIMEOUT,
  DEFAULT_RESERVED_CONCURRENCY,
  MAX_ACCOUNT_CHOICE_TIMEOUT,
  SignupPlusOnboarding,
  type SignupPlusOnboardingProps,
} from '../../infra/signup-plus-onboarding.ts';
import {
  actionsOf,
  environmentOf,
  identityStatements,
  logicalIdOf,
  newApp,
  resource,
  resources,
  resourcesOf,
  statementsOfRole,
} from './helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/client-secret-AbCdEf';
const SIGNING_KEY_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/signing-key-GhIjKl';
const MERCHANT_ACCOUNT_ID = '200552da-13da-43c5-a9ba-04ee1502ac57';
const BUS_ARN = 'arn:aws:events:eu-west-2:123456789012:event-bus/payments';
const TOPIC_ARN = 'arn:aws:sns:eu-west-2:123456789012:oncall';

type Fixture = (stack: Stack) => SignupPlusOnboardingProps;

const minimal: Fixture = (stack) => ({
  environment: 'sandbox',
  clientId: 'sandbox-myapp-1a2b3c',
  clientSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN),
  signingKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'SigningKey', SIGNING_KEY_ARN),
  merchantAccountId: MERCHANT_ACCOUNT_ID,
  returnUrl: 'https://app.example.com/onboarding/done',
});

function build(fixture: Fixture): {
  stack: Stack;
  construct: SignupPlusOnboarding;
  props: SignupPlusOnboardingProps;
} {
  const stack = new Stack(newApp(), 'IntegratorStack');
  const props = fixture(stack);
  return { stack, construct: new SignupPlusOnboarding(stack, 'Onboarding', props), props };
}

describe('with only the required props', () => {
  let stack: Stack;
  let construct: SignupPlusOnboarding;
  let template: Template;
  let integratorRole: iam.Role;
  beforeAll(() => {
    ({ stack, construct } = build(minimal));
    integratorRole = new iam.Role(stack, 'IntegratorBackend', { assumedBy: new iam.AccountRootPrincipal() });
    construct.grantInvokeApi(integratorRole);
    template = Template.fromStack(stack);
  });
  const envOf = (id: FunctionId) =>
    environmentOf(resource(template, logicalIdOf(stack, construct.functions[id])));

  it('exposes every function, the API, table, bus and state machine', () => {
    expect(Object.keys(construct.functions).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(construct.routes).toHaveLength(ROUTES.length);
    expect(stack.resolve(construct.apiUrl)).toBeDefined();
    expect(construct.eventArchive).toBeUndefined();
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    expect(construct.stateMachines.data).toBe(construct.stateMachine);
    expect(construct.stateMachines.payment).toBe(construct.paymentStateMachine);
    expect(construct.paymentStateMachine).not.toBe(construct.stateMachine);
    expect(construct.stateMachines.connection).toBe(construct.connectionStateMachine);
  });

  it('protects the data by default: deletion protection and RETAIN', () => {
    const table = resource(template, logicalIdOf(stack, construct.table));
    expect(table.properties.DeletionProtectionEnabled).toBe(true);
    expect(table.deletionPolicy).toBe('Retain');
    expect(resource(template, logicalIdOf(stack, construct.tableKey)).deletionPolicy).toBe('Retain');
  });

  it('derives the redirect and return URIs from the API endpoint', () => {
    const apiId = logicalIdOf(stack, construct.api);
    const endpoint = { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] };
    expect(envOf('CreateOnboarding').TRUELAYER_REDIRECT_URI).toEqual({
      'Fn::Join': ['', [endpoint, '/callback']],
    });
    expect(envOf('LinkAccounts').TRUELAYER_REDIRECT_URI).toEqual(
      envOf('CreateOnboarding').TRUELAYER_REDIRECT_URI,
    );
    expect(envOf('CreateConnection').CONNECTION_RETURN_URL).toEqual({
      'Fn::Join': ['', [endpoint, '/connections/return']],
    });
    expect(envOf('CreateOnboarding').PAYMENT_RETURN_URL).toEqual({
      'Fn::Join': ['', [endpoint, '/payments/return']],
    });
    expect(stack.resolve(construct.paymentReturnUri)).toEqual(envOf('CreateOnboarding').PAYMENT_RETURN_URL);
  });

  it('uses the default choice timeout and TrueLayer HTTP timeout', () => {
    expect(envOf('Callback').ACCOUNT_CHOICE_TIMEOUT_SECONDS).toBe(
      String(DEFAULT_ACCOUNT_CHOICE_TIMEOUT.toSeconds()),
    );
    expect(envOf('CompleteWithChosenAccount').TRUELAYER_HTTP_TIMEOUT_MS).toBe('5000');
    expect(envOf('CompleteWithChosenAccount').TRUELAYER_ENVIRONMENT).toBe('sandbox');
  });

  it('reads the imported secret by its complete ARN', () => {
    expect(envOf('LinkAccounts').TRUELAYER_CLIENT_SECRET_ID).toBe(SECRET_ARN);
  });

  it('hands the signing key and the merchant account to the function that creates payments only', () => {
    expect(envOf('CreateOnboarding')).toMatchObject({
      TRUELAYER_SIGNING_KEY_SECRET_ID: SIGNING_KEY_ARN,
      TRUELAYER_MERCHANT_ACCOUNT_ID: MERCHANT_ACCOUNT_ID,
    });
    const readers = (Object.keys(FUNCTIONS) as FunctionId[]).filter((id) =>
      statementsOfRole(template, logicalIdOf(stack, construct.projectFunctions[id].role))
        .flatMap(resourcesOf)
        .some((arn) => JSON.stringify(arn).includes('signing-key')),
    );
    expect(readers).toEqual(['CreateOnboarding']);
    expect(envOf('CheckPayment')).not.toHaveProperty('TRUELAYER_SIGNING_KEY_SECRET_ID');
  });

  it('creates a TLS-only topic for the alarms when none is given, and every alarm notifies it', () => {
    const topicId = logicalIdOf(stack, construct.alarmTopic);
    expect(resource(template, topicId).type).toBe('AWS::SNS::Topic');
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    const policy = resources(template, 'AWS::SNS::TopicPolicy')
      .map((candidate) => JSON.stringify(candidate.properties.PolicyDocument))
      .join(' ');
    expect(policy).toContain('aws:SecureTransport');
    // The topic policy replaces SNS's default one: CloudWatch must be allowed to publish, for this account only.
    expect(policy).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(policy).toContain('aws:SourceAccount');
  });

  it('reserves concurrency: a cap for the public routes’ functions, a reservation for the workflow', () => {
    for (const id of Object.keys(FUNCTIONS) as FunctionId[]) {
      const fn = resource(template, logicalIdOf(stack, construct.functions[id]));
      expect(fn.properties.ReservedConcurrentExecutions, id).toBe(DEFAULT_RESERVED_CONCURRENCY[id]);
    }
    for (const route of ROUTES.filter((candidate) => candidate.authorization === 'none')) {
      expect(DEFAULT_RESERVED_CONCURRENCY[route.function], route.path).toBeGreaterThan(0);
    }
    for (const workflow of Object.values(WORKFLOWS)) {
      for (const id of Object.values<FunctionId>(workflow.tasks))
        expect(DEFAULT_RESERVED_CONCURRENCY[id], id).toBeGreaterThan(0);
    }
    const total = Object.values(DEFAULT_RESERVED_CONCURRENCY).reduce((sum, value) => sum + (value ?? 0), 0);
    // The account's default quota is 1,000, of which Lambda keeps 100 unreserved.
    expect(total).toBeLessThanOrEqual(900);
  });

  it('lets an integrator role call exactly the IAM routes', () => {
    const statements = statementsOfRole(template, logicalIdOf(stack, integratorRole));
    expect(statements.flatMap(actionsOf)).toEqual(['execute-api:Invoke']);
    const arns = statements.flatMap(resourcesOf).map((arn) => JSON.stringify(arn));
    const iamRoutes = ROUTES.filter((route) => route.authorization === 'iam');
    expect(arns).toHaveLength(iamRoutes.length);
    for (const route of iamRoutes) {
      const suffix = `/$default/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`;
      expect(arns.some((arn) => arn.includes(`${suffix}"`))).toBe(true);
    }
    expect(arns.join(' ')).not.toContain('/callback');
  });
});

describe('with every option set', () => {
  let stack: Stack;
  let construct: SignupPlusOnboarding;
  let template: Template;
  let props: SignupPlusOnboardingProps;
  beforeAll(() => {
    ({ stack, construct, props } = build((s) =>
      Object.freeze({
        ...minimal(s),
        environment: 'live',
        redirectUri: 'https://onboarding.example.com/callback',
        connectionReturnUri: 'https://onboarding.example.com/connections/return',
        paymentReturnUri: 'https://onboarding.example.com/payments/return',
        eventBus: events.EventBus.fromEventBusArn(s, 'Bus', BUS_ARN),
        accountChoiceTimeout: MAX_ACCOUNT_CHOICE_TIMEOUT,
        deletionProtection: false,
        logLevel: 'DEBUG',
        archiveEvents: true,
        alarmTopic: sns.Topic.fromTopicArn(s, 'Topic', TOPIC_ARN),
        serviceName: 'acme-onboarding',
        scopes: ['info', 'accounts', 'signupplus', 'offline_access'],
        providers: ['uk-ob-all'],
        authLinkTtl: Duration.minutes(5),
        recordRetention: Duration.days(7),
        trueLayerHttpTimeout: Duration.seconds(3),
        trueLayerBaseUrls: {
          auth: 'https://tl-auth.proxy.example.com',
          api: 'https://tl-api.proxy.example.com',
        },
        aispLicensed: true,
        throttle: { rateLimit: 500, burstLimit: 1000 },
        publicThrottle: { rateLimit: 200, burstLimit: 400 },
        reservedConcurrency: { LinkAccounts: 300, Callback: 100 },
      }),
    ));
    template = Template.fromStack(stack);
  });
  const envOf = (id: FunctionId) =>
    environmentOf(resource(template, logicalIdOf(stack, construct.functions[id])));

  it('leaves the caller props untouched (they were frozen)', () => {
    expect(Object.isFrozen(props)).toBe(true);
    expect(props.deletionProtection).toBe(false);
  });

  it('publishes onto the given bus instead of creating one', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(envOf('Callback').EVENT_BUS_NAME).toBe('payments');
    const rule = resources(template, 'AWS::Events::Rule')[0];
    expect(rule?.properties.EventBusName).toBe('payments');
    const putEvents = identityStatements(template)
      .map(({ statement }) => statement)
      .filter((statement) => actionsOf(statement).includes('events:PutEvents'))
      .flatMap(resourcesOf);
    expect(new Set(putEvents)).toEqual(new Set([BUS_ARN]));
  });

  it('archives the product events when asked', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: BUS_ARN,
      EventPattern: { source: ['signupplus.onboarding'] },
      RetentionDays: 7,
    });
  });

  it('destroys data when protection is off', () => {
    const table = resource(template, logicalIdOf(stack, construct.table));
    expect(table.properties.DeletionProtectionEnabled).toBe(false);
    expect(table.deletionPolicy).toBe('Delete');
  });

  it('passes every setting to the functions that read it', () => {
    expect(envOf('CreateOnboarding')).toMatchObject({
      TRUELAYER_ENVIRONMENT: 'live',
      TRUELAYER_REDIRECT_URI: 'https://onboarding.example.com/callback',
      TRUELAYER_AUTH_BASE_URL: 'https://tl-auth.proxy.example.com',
      TRUELAYER_SCOPES: 'info accounts signupplus offline_access',
      TRUELAYER_PROVIDERS: 'uk-ob-all',
      AUTH_LINK_TTL_SECONDS: '300',
      RECORD_RETENTION_DAYS: '7',
      POWERTOOLS_SERVICE_NAME: 'acme-onboarding',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
    expect(envOf('CreateConnection')).toMatchObject({
      CONNECTION_RETURN_URL: 'https://onboarding.example.com/connections/return',
      TRUELAYER_AISP_LICENSED: 'true',
      RECORD_RETENTION_DAYS: '7',
    });
    expect(envOf('CompleteWithChosenAccount')).toMatchObject({
      TRUELAYER_HTTP_TIMEOUT_MS: '3000',
      TRUELAYER_API_BASE_URL: 'https://tl-api.proxy.example.com',
    });
    expect(envOf('CreateOnboarding').PAYMENT_RETURN_URL).toBe(
      'https://onboarding.example.com/payments/return',
    );
    expect(envOf('Callback').ACCOUNT_CHOICE_TIMEOUT_SECONDS).toBe('3300');
    expect(envOf('GetOnboarding')).not.toHaveProperty('TRUELAYER_SCOPES');
  });

  it('throttles each route and reserves concurrency as asked', () => {
    const [stage] = resources(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage?.properties.RouteSettings).toMatchObject({
      'POST /onboardings': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      'GET /callback': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
    const reserved = (id: FunctionId) =>
      resource(template, logicalIdOf(stack, construct.functions[id])).properties.ReservedConcurrentExecutions;
    expect(reserved('LinkAccounts')).toBe(300);
    expect(reserved('Callback')).toBe(100);
    expect(reserved('EndOnboarding')).toBeUndefined();
  });

  it('sends every alarm to the given topic, and creates none', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.properties.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.properties.OKActions).toEqual([TOPIC_ARN]);
    }
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});

describe('props validation', () => {
  it.each([
    [
      'an account-choice timeout above 55 minutes',
      { accountChoiceTimeout: Duration.minutes(56) },
      /at most 55 minutes/,
    ],
    [
      'a fractional account-choice timeout',
      { accountChoiceTimeout: Duration.millis(1500) },
      /whole number of seconds/,
    ],
    ['an empty client id', { clientId: ' ' }, /clientId/],
    ['a reserved concurrency of zero', { reservedConcurrency: { LinkAccounts: 0 } }, /reservedConcurrency/],
    ['a throttle without a burst', { publicThrottle: { rateLimit: 10 } }, /publicThrottle/],
    ['a relative return URL', { returnUrl: '/done' }, /returnUrl/],
    ['an http redirect URI', { redirectUri: 'http://example.com/callback' }, /redirectUri/],
    [
      'an http payment return URI',
      { paymentReturnUri: 'http://example.com/payments/return' },
      /paymentReturnUri/,
    ],
    ['an empty merchant account id', { merchantAccountId: '' }, /merchantAccountId/],
    [
      'a TrueLayer timeout as long as the task',
      { trueLayerHttpTimeout: Duration.seconds(20) },
      /shorter than/,
    ],
  ])('rejects %s with a clear error', (_, override, message) => {
    expect(() => build((stack) => ({ ...minimal(stack), ...override }))).toThrow(message);
  });
});
