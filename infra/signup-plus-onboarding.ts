import { readFileSync } from 'node:fs';
import { Aws, Duration, Fn, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dueIndex, tableKeys } from '../functions/commons/table-keys.ts';
import { EVENT_SOURCE } from '../functions/contract/events.ts';
import {
  EVENT_RULES,
  FUNCTIONS,
  type FunctionId,
  type FunctionSpec,
  ROUTES,
  type RouteSpec,
  SCHEDULES,
  WORKFLOWS,
  type WorkflowId,
} from '../functions/contract/manifest.ts';
import { applyCapability, type CapabilityResources, WORKFLOW_CAPABILITIES } from './capabilities.ts';
import { toEventPattern } from './event-pattern.ts';
import { acknowledgeNag, XRAY_WILDCARD_REASON } from './nag.ts';
import { Operations } from './operations.ts';
import { fromRepoRoot } from './paths.ts';
import { type PowertoolsLogLevel, ProjectFunction } from './project-function.ts';

/** The wait for an account choice must end before TrueLayer's one-hour access token does. */
export const MAX_ACCOUNT_CHOICE_TIMEOUT = Duration.minutes(55);
export const DEFAULT_ACCOUNT_CHOICE_TIMEOUT = Duration.minutes(15);
/** Matches the functions' own default (functions/truelayer/config.ts). */
export const DEFAULT_TRUELAYER_HTTP_TIMEOUT = Duration.seconds(5);
/**
 * Throttling of each integrator route (IAM). Sized for the default tier of
 * docs/deploy.md § Capacity, 10 onboardings/s: each onboarding costs one
 * create, a few status polls and perhaps one choice, so 50 requests/s per
 * route (about 4 million a day) leaves room for polling and a batch job,
 * with bursts of 100.
 */
export const DEFAULT_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 50, burstLimit: 100 };
/**
 * Throttling of each public route (the browser redirects): one callback per
 * onboarding, so 25/s is 2.5 times the default tier. Separate from the
 * integrator routes', so that anonymous traffic on /callback is capped on
 * its own and cannot use up what the integrator's backend needs.
 */
export const DEFAULT_PUBLIC_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 25, burstLimit: 50 };

/**
 * Reserved concurrency, sized for 10 onboardings/s (docs/deploy.md §
 * Capacity). For the public routes' functions it is a cap: a storm on
 * /callback, /connections/return or /webhooks/truelayer stops at it instead of taking the
 * account's concurrency from everything else. For the workflow's tasks and
 * the reconciler it is a reservation: whatever the API receives, a journey
 * under way can always take its next step. 172 of the account's 1,000 by
 * default; the rest stays unreserved for the integrator routes.
 */
export const DEFAULT_RESERVED_CONCURRENCY: Readonly<Partial<Record<FunctionId, number>>> = {
  Callback: 20,
  PaymentReturn: 10,
  IdentificationReturn: 10,
  TrueLayerWebhook: 10,
  ConnectionReturn: 10,
  LinkAccounts: 50,
  CompleteWithChosenAccount: 20,
  RequestAccountChoice: 10,
  CheckPayment: 20,
  FollowConnection: 10,
  EndOnboarding: 10,
  Reconcile: 2,
};

/**
 * HTTP API access log fields. The callback's query string carries the
 * authorization code (RFC 9700 §3: URLs leak through logs), so no variable
 * that could hold it is logged: the route key (`GET /callback`) says which
 * route ran, and `$context.path` is left out too, so that a future route with
 * data in its path does not start logging it.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.userArn',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
} as const;

const BROWSER_ROUTE =
  "is a browser redirect target: TrueLayer sends the end user's browser here, and a browser holds no AWS " +
  'credentials to sign the request with. The route has a throttle of its own, its function a reserved ' +
  'concurrency that caps it, and its access log omits ' +
  'the query string. ';

/**
 * Why each public route may be public: the cdk-nag APIG4 acknowledgement.
 * A new public route in the manifest fails synthesis until its reason is added here.
 */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'GET /callback':
    `GET /callback ${BROWSER_ROUTE}It is protected by the OAuth state instead: a single-use, unguessable ` +
    'value stored (as a SHA-256 hash) when the auth link was created and checked before anything happens; ' +
    'the code it carries is bound to our client id and redirect URI at TrueLayer and needs the client ' +
    'secret to be exchanged.',
  'GET /connections/return':
    `GET /connections/return ${BROWSER_ROUTE}Nothing in the query is trusted: the outcome of the Data API ` +
    'connection is confirmed with TrueLayer (client credentials) before it is recorded, and the user is only ' +
    'ever sent on to the configured return URL.',
  'GET /payments/return':
    `GET /payments/return ${BROWSER_ROUTE}Nothing in the query is trusted: it only names a journey, whose ` +
    "payment's status is read from TrueLayer (signed, client credentials) by the payment workflow before " +
    'anything is recorded, and the user is only ever sent on to the configured return URL.',
  'GET /identification/return':
    `GET /identification/return ${BROWSER_ROUTE}It is protected like /callback: the single-use state the ` +
    "identification link carried is checked before anything is recorded; the bank's reference goes to the " +
    "journey's secrets, the user's identity is read from TrueLayer (client credentials) by the payment " +
    'workflow, and the user is only ever sent on to the configured return URL.',
  'POST /webhooks/truelayer':
    "POST /webhooks/truelayer is where TrueLayer's servers deliver payment webhooks, and TrueLayer holds no AWS " +
    "credentials to sign them with. Each request must carry TrueLayer's Tl-Signature (ES512 over the method, " +
    "path, signed headers and body), verified against TrueLayer's published JWKS, whose URL is fixed, before " +
    'the body is read; a verified webhook only starts the payment workflow, which reads the payment from ' +
    'TrueLayer itself. The route has a throttle of its own and its function a reserved concurrency.',
};

/** EventBridge → Lambda delivery: retried for an hour, then parked in the rule's DLQ. */
export const EVENT_TARGET_RETRY = { maxEventAge: Duration.hours(1), retryAttempts: 8 } as const;

export interface SignupPlusOnboardingProps {
  /** TrueLayer environment for every call: `sandbox` or `live`. */
  readonly environment: 'sandbox' | 'live';
  /** TrueLayer client id (Console → App settings). */
  readonly clientId: string;
  /**
   * The TrueLayer client secret: a plain string or JSON `{"client_secret": "..."}`.
   * Only the functions that call TrueLayer's token endpoint may read it. If it is encrypted with a
   * customer-managed key, import it with `Secret.fromSecretAttributes(..., { encryptionKey })`
   * so that the read grant covers the key.
   */
  readonly clientSecret: secretsmanager.ISecret;
  /**
   * The Payments v3 request-signing key: JSON `{"key_id": "...", "private_key_pem": "-----BEGIN EC PRIVATE KEY-----..."}`,
   * whose public half is uploaded to TrueLayer Console. Only the functions that create payments may read it.
   * Under a customer-managed key, import it with `Secret.fromSecretAttributes(..., { encryptionKey })`.
   */
  readonly signingKeySecret: secretsmanager.ISecret;
  /** The TrueLayer merchant account that payment-flow payments are paid into. */
  readonly merchantAccountId: string;
  /**
   * The redirect URI registered in TrueLayer Console; TrueLayer compares it
   * character for character. It must reach this API's `GET /callback`.
   * @default `<api endpoint>/callback`, the API's own URL (known after the first deploy: see the RedirectUri output)
   */
  readonly redirectUri?: string;
  /** Where /callback sends the user's browser, with `?onboarding_id=` (and `&outcome=denied`). */
  readonly returnUrl: string;
  /**
   * The Data API v3 return URI registered in TrueLayer Console, reaching this
   * API's `GET /connections/return`.
   * @default `<api endpoint>/connections/return` (see the ConnectionReturnUri output)
   */
  readonly connectionReturnUri?: string;
  /**
   * The hosted payment page's `return_uri`, allowed as a redirect URI in
   * TrueLayer Console, reaching this API's `GET /payments/return`.
   * @default `<api endpoint>/payments/return` (see the PaymentReturnUri output)
   */
  readonly paymentReturnUri?: string;
  /**
   * Where the Finnish bank sends the user back after the identification
   * (Signup+ in Finland), reaching this API's `GET /identification/return`;
   * TrueLayer Support allow-lists it.
   * @default `<api endpoint>/identification/return` (see the IdentificationReturnUri output)
   */
  readonly identificationReturnUri?: string;
  /** TRUELAYER_AISP_LICENSED: the TrueLayer client holds an AISP licence. @default the functions' default (false) */
  readonly aispLicensed?: boolean;
  /** The bus to publish onto. @default a new custom event bus */
  readonly eventBus?: events.IEventBus;
  /**
   * How long a journey waits for the user's account choice. At most 55
   * minutes: the choice is followed by a TrueLayer call with the access
   * token, which lives one hour.
   * @default 15 minutes
   */
  readonly accountChoiceTimeout?: Duration;
  /**
   * Protects the data: DynamoDB deletion protection, and the table, its key,
   * the log groups and the dead-letter queues kept (RETAIN) when the stack goes.
   * Set `false` for development stages, where everything is destroyed.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** POWERTOOLS_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Archive the product's events (for replay). Off by default: the ready-for-payment
   * event carries personal data, and an archive is one more copy to govern.
   * @default false
   */
  readonly archiveEvents?: boolean;
  /** @default 7 days */
  readonly archiveRetention?: Duration;
  /**
   * Notified when an alarm fires and when it clears (every alarm).
   * @default a new SNS topic (output `AlarmTopicArn`): subscribe the on-call rota to it
   */
  readonly alarmTopic?: sns.ITopic;
  /** POWERTOOLS_SERVICE_NAME. @default 'signupplus-onboarding' */
  readonly serviceName?: string;
  /** TRUELAYER_SCOPES. @default the functions' default, `info accounts signupplus` */
  readonly scopes?: readonly string[];
  /** TRUELAYER_PROVIDERS. @default the functions' default for the environment */
  readonly providers?: readonly string[];
  /** AUTH_LINK_TTL_SECONDS. @default the functions' default (10 minutes) */
  readonly authLinkTtl?: Duration;
  /** RECORD_RETENTION_DAYS: how long onboarding records live (DynamoDB TTL). @default the functions' default (30 days) */
  readonly recordRetention?: Duration;
  /** TRUELAYER_HTTP_TIMEOUT_MS, below the task functions' timeout. @default 5 seconds */
  readonly trueLayerHttpTimeout?: Duration;
  /** Override TrueLayer base URLs (e.g. an egress proxy). @default the environment's hosts */
  readonly trueLayerBaseUrls?: { readonly auth?: string; readonly api?: string };
  /** Throttling of each integrator (IAM) route. @default DEFAULT_THROTTLE (50 requests/s, burst 100) */
  readonly throttle?: apigwv2.ThrottleSettings;
  /** Throttling of each public route (`GET /callback`, `GET /payments/return`, `GET /connections/return`). @default DEFAULT_PUBLIC_THROTTLE (25/s, burst 50) */
  readonly publicThrottle?: apigwv2.ThrottleSettings;
  /**
   * Reserved concurrency by function: caps for the public routes' functions,
   * reservations for the workflow. `false` reserves nothing (a new account
   * whose concurrency quota is below 1,000 cannot reserve; see
   * docs/deploy.md § Capacity). @default DEFAULT_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: Readonly<Partial<Record<FunctionId, number>>> | false;
  /** Retention of every log group. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Your own domain for the API (API Gateway custom domain name and API
   * mapping, TLS 1.2): the redirect URI registered in TrueLayer Console then
   * survives a re-created or failed-over stack. The certificate (ACM, in the
   * stack's region) must cover the name; with a hosted zone, an alias record
   * is created too, else point a CNAME at the `regionalDomainName` output.
   * @default the API's own `execute-api` hostname
   */
  readonly customDomain?: {
    readonly domainName: string;
    readonly certificate: acm.ICertificate;
    readonly hostedZone?: route53.IHostedZone;
  };
  /**
   * An AWS Backup plan for the records table, beside its point-in-time
   * recovery: a daily backup kept `retention`, copied to `copyToVaultArn`
   * (a vault in another region, or account) when given. Cross-region copies
   * of DynamoDB backups need AWS Backup's advanced DynamoDB features turned
   * on in the account (docs/runbook.md § Disaster recovery).
   * @default no backup plan (point-in-time recovery only)
   */
  readonly backup?: {
    readonly copyToVaultArn?: string;
    /** @default 35 days */
    readonly retention?: Duration;
  };
  /**
   * JOURNEY_STALL_SECONDS: how long a journey may sit in an in-between status
   * (or an end wait for its event) before the reconciler, which runs every
   * minute, looks at it. @default the functions' default (2 minutes)
   */
  readonly journeyStallTime?: Duration;
}

interface ResolvedSettings {
  readonly reservedConcurrency: Readonly<Partial<Record<FunctionId, number>>>;
  readonly throttle: apigwv2.ThrottleSettings;
  readonly publicThrottle: apigwv2.ThrottleSettings;
  readonly protect: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly accountChoiceTimeoutSeconds: number;
  readonly trueLayerHttpTimeoutMs: number;
  readonly logLevel: PowertoolsLogLevel;
  readonly serviceName: string;
  readonly logRetention: logs.RetentionDays;
}

const HTTP_METHODS: Record<RouteSpec['method'], apigwv2.HttpMethod> = {
  GET: apigwv2.HttpMethod.GET,
  POST: apigwv2.HttpMethod.POST,
  DELETE: apigwv2.HttpMethod.DELETE,
};

const functionIds = Object.keys(FUNCTIONS).filter((id): id is FunctionId => id in FUNCTIONS);
const workflowIds = Object.keys(WORKFLOWS).filter((id): id is WorkflowId => id in WORKFLOWS);
/** Every state machine's tasks: none may start or answer a workflow (the dependency would be circular). */
const workflowTaskIds: ReadonlySet<FunctionId> = new Set(
  workflowIds.flatMap((workflowId) => Object.values(WORKFLOWS[workflowId].tasks)),
);

function wholeSeconds(duration: Duration, what: string): number {
  const value = duration.toSeconds();
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive whole number of seconds, got ${duration.toHumanString()}`);
  }
  return value;
}

function checkUrl(value: string | undefined, what: string, protocols: readonly string[]): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!URL.canParse(value) || !protocols.includes(new URL(value).protocol)) {
    throw new Error(`${what} must be an absolute ${protocols.join(' or ')} URL, got '${value}'`);
  }
}

function resolveSettings(props: SignupPlusOnboardingProps): ResolvedSettings {
  if (props.environment !== 'sandbox' && props.environment !== 'live') {
    throw new Error(`environment must be 'sandbox' or 'live', got '${String(props.environment)}'`);
  }
  if (!Token.isUnresolved(props.clientId) && props.clientId.trim() === '') {
    throw new Error('clientId must not be empty');
  }
  if (!Token.isUnresolved(props.merchantAccountId) && props.merchantAccountId.trim() === '') {
    throw new Error('merchantAccountId must not be empty');
  }
  checkUrl(props.returnUrl, 'returnUrl', ['https:', 'http:']);
  checkUrl(props.redirectUri, 'redirectUri', ['https:']);
  checkUrl(props.connectionReturnUri, 'connectionReturnUri', ['https:']);
  checkUrl(props.paymentReturnUri, 'paymentReturnUri', ['https:']);
  checkUrl(props.identificationReturnUri, 'identificationReturnUri', ['https:']);
  checkUrl(props.trueLayerBaseUrls?.auth, 'trueLayerBaseUrls.auth', ['https:']);
  checkUrl(props.trueLayerBaseUrls?.api, 'trueLayerBaseUrls.api', ['https:']);

  const timeout = props.accountChoiceTimeout ?? DEFAULT_ACCOUNT_CHOICE_TIMEOUT;
  const accountChoiceTimeoutSeconds = wholeSeconds(timeout, 'accountChoiceTimeout');
  if (accountChoiceTimeoutSeconds > MAX_ACCOUNT_CHOICE_TIMEOUT.toSeconds()) {
    throw new Error(
      `accountChoiceTimeout must be at most 55 minutes (the TrueLayer access token lives one hour ` +
        `and is needed after the choice), got ${timeout.toHumanString()}`,
    );
  }

  const httpTimeout = props.trueLayerHttpTimeout ?? DEFAULT_TRUELAYER_HTTP_TIMEOUT;
  const trueLayerHttpTimeoutMs = httpTimeout.toMilliseconds();
  const specs: FunctionSpec[] = Object.values(FUNCTIONS);
  const shortestCaller = Math.min(
    ...specs
      .filter((spec) => spec.capabilities.includes('truelayer:call'))
      .map((spec) => spec.timeoutSeconds * 1000),
  );
  if (!Number.isInteger(trueLayerHttpTimeoutMs) || trueLayerHttpTimeoutMs <= 0) {
    throw new Error('trueLayerHttpTimeout must be a positive whole number of milliseconds');
  }
  if (trueLayerHttpTimeoutMs >= shortestCaller) {
    throw new Error(
      `trueLayerHttpTimeout (${httpTimeout.toHumanString()}) must be shorter than the calling functions' ` +
        `timeout (${shortestCaller / 1000} seconds)`,
    );
  }
  if (props.authLinkTtl) wholeSeconds(props.authLinkTtl, 'authLinkTtl');
  if (props.recordRetention) {
    const days = props.recordRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days <= 0) {
      throw new Error('recordRetention must be a whole number of days');
    }
  }
  if (props.archiveRetention) {
    const days = props.archiveRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days <= 0) {
      throw new Error('archiveRetention must be a whole number of days');
    }
  }

  const reservedConcurrency =
    props.reservedConcurrency === false ? {} : (props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY);
  for (const [fnId, value] of Object.entries(reservedConcurrency)) {
    if (!(fnId in FUNCTIONS))
      throw new Error(`reservedConcurrency names no function of the manifest: ${fnId}`);
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`reservedConcurrency.${fnId} must be a positive whole number, got ${value}`);
    }
  }
  const throttle = props.throttle ?? DEFAULT_THROTTLE;
  const publicThrottle = props.publicThrottle ?? DEFAULT_PUBLIC_THROTTLE;
  for (const [what, value] of [
    ['throttle', throttle],
    ['publicThrottle', publicThrottle],
  ] as const) {
    if (value.rateLimit === undefined || value.burstLimit === undefined) {
      throw new Error(`${what} needs both rateLimit and burstLimit`);
    }
  }

  const protect = props.deletionProtection ?? true;
  return {
    reservedConcurrency,
    throttle,
    publicThrottle,
    protect,
    removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    accountChoiceTimeoutSeconds,
    trueLayerHttpTimeoutMs,
    logLevel: props.logLevel ?? 'INFO',
    serviceName: props.serviceName ?? 'signupplus-onboarding',
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
  };
}

/**
 * The whole Signup+ onboarding backend as one construct: HTTP API (IAM for
 * integrators, public /callback), the Lambda functions of the manifest, one
 * Standard state machine per manifest workflow (statemachines/*.asl.json), a DynamoDB
 * table under a customer-managed key, the event bus and its rules, and the
 * alarms that say when a journey or an event went wrong.
 *
 * @example
 * const onboarding = new SignupPlusOnboarding(this, 'Onboarding', {
 *   environment: 'sandbox',
 *   clientId: 'sandbox-myapp-1a2b3c',
 *   clientSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'TlSecret', clientSecretArn),
 *   returnUrl: 'https://app.example.com/onboarding/done',
 * });
 * onboarding.grantInvokeApi(myBackendRole);
 */
export class SignupPlusOnboarding extends Construct {
  /** The HTTP API; its default stage URL is `apiUrl`. */
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** Base URL of the API (ends with `/`). */
  readonly apiUrl: string;
  /** The API's own callback URL, `<api endpoint>/callback`. */
  readonly callbackUrl: string;
  /** The redirect URI the functions send to TrueLayer (prop, or `callbackUrl`). */
  readonly redirectUri: string;
  /** The Data v3 return URI the functions send to TrueLayer (prop, or `<api endpoint>/connections/return`). */
  readonly connectionReturnUri: string;
  /** The hosted payment page's return URI (prop, or `<api endpoint>/payments/return`). */
  readonly paymentReturnUri: string;
  /** The Finnish identification's return URI (prop, or `<api endpoint>/identification/return`). */
  readonly identificationReturnUri: string;
  /** Where TrueLayer delivers payment webhooks: `<api endpoint>/webhooks/truelayer`, registered in Console. */
  readonly webhookUri: string;
  readonly table: dynamodb.Table;
  /** Customer-managed key of the onboarding table (and of the idempotency table). */
  readonly tableKey: kms.Key;
  /** The journeys' secrets (PKCE verifier, code, access token, task token, user IP), apart from the records. */
  readonly secretsTable: dynamodb.Table;
  /** Customer-managed key of the secrets table, used by nothing else. */
  readonly secretsKey: kms.Key;
  /** Powertools Idempotency records (the example consumer, POST /connections' Idempotency-Key). */
  readonly idempotencyTable: dynamodb.Table;
  readonly eventBus: events.IEventBus;
  readonly eventArchive: events.Archive | undefined;
  readonly eventRules: readonly events.Rule[];
  /** One Standard state machine per manifest workflow, by id. */
  readonly stateMachines: Readonly<Record<WorkflowId, sfn.StateMachine>>;
  /** The data flow's state machine (`stateMachines.data`). */
  readonly stateMachine: sfn.StateMachine;
  /** The payment flow's state machine (`stateMachines.payment`). */
  readonly paymentStateMachine: sfn.StateMachine;
  /** The connection flow's state machine (`stateMachines.connection`). */
  readonly connectionStateMachine: sfn.StateMachine;
  /** Every function of the manifest, by id. */
  readonly functions: Readonly<Record<FunctionId, NodejsFunction>>;
  /** The same functions with their role and log group. */
  readonly projectFunctions: Readonly<Record<FunctionId, ProjectFunction>>;
  readonly routes: readonly apigwv2.HttpRoute[];
  /** Where undeliverable events and failed asynchronous invocations end. */
  readonly deadLetterQueues: readonly sqs.Queue[];
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The topic every alarm notifies: the one given, or the one the construct created. */
  readonly alarmTopic: sns.ITopic;
  /** Business and health figures on one CloudWatch dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The HTTP API's access log (JSON; the 429 count is read from it). */
  readonly accessLogs: logs.LogGroup;
  /** EventBridge Scheduler schedules of the manifest (the reconciler). */
  readonly schedules: readonly scheduler.Schedule[];
  /** The API's custom domain, when one was given. */
  readonly domainName: apigwv2.DomainName | undefined;
  /** The AWS Backup plan of the records table, when asked for. */
  readonly backupPlan: backup.BackupPlan | undefined;

  constructor(scope: Construct, id: string, props: SignupPlusOnboardingProps) {
    super(scope, id);
    const settings = resolveSettings(props);

    // Data
    this.tableKey = new kms.Key(this, 'TableKey', {
      description: 'Signup+ onboarding records (identity, account details) and idempotency records',
      enableKeyRotation: true,
      removalPolicy: settings.removalPolicy,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: tableKeys.timeToLive,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      deletionProtection: settings.protect,
      removalPolicy: settings.removalPolicy,
    });
    // Sparse: only records something is due on carry these keys (functions/onboarding/repository.ts).
    this.table.addGlobalSecondaryIndex({
      indexName: dueIndex.name,
      partitionKey: { name: dueIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: dueIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    // The journeys' secrets, in a table of their own under a key of their own: only the steps that use
    // a secret may read it (secrets:read), a few more may write it blind (secrets:write), and neither the
    // read-only routes nor anything else can. Secrets live minutes and a restored one could resume no
    // journey (codes are single-use, tokens live an hour), so the table keeps no backups.
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description:
        'Signup+ journey secrets (PKCE verifier, authorization code, access token, task token, user IP)',
      enableKeyRotation: true,
      removalPolicy: settings.removalPolicy,
    });
    this.secretsTable = new dynamodb.Table(this, 'SecretsTable', {
      partitionKey: { name: tableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: tableKeys.timeToLive,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.secretsKey,
      deletionProtection: settings.protect,
      removalPolicy: settings.removalPolicy,
    });
    acknowledgeNag(
      this.secretsTable,
      'AwsSolutions-DDB3',
      'No point-in-time recovery for the journey secrets, on purpose: each item lives minutes (it is deleted ' +
        'when the journey ends), a restored authorization code is single-use and spent, a restored access ' +
        'token expires within the hour, and 35 days of backups would only keep secrets longer than the ' +
        'journeys that need them. After a restore of the records, the reconciler ends journeys whose secrets ' +
        'are gone (docs/runbook.md, Disaster recovery).',
    );
    // Powertools Idempotency defaults: partition key `id` (`<scope>#<hash>`, spread over partitions),
    // TTL attribute `expiration`. Hashes and non-personal results, under the records' key.
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Events
    this.eventBus =
      props.eventBus ??
      new events.EventBus(this, 'EventBus', {
        description: 'Signup+ onboarding events (source signupplus.onboarding)',
      });
    this.eventArchive = props.archiveEvents
      ? new events.Archive(this, 'EventArchive', {
          sourceEventBus: this.eventBus,
          description: 'Signup+ onboarding events, for replay; contains personal data',
          eventPattern: { source: [EVENT_SOURCE] },
          retention: props.archiveRetention ?? Duration.days(7),
        })
      : undefined;

    // API (routes come last: they need the functions, whose redirect URI needs the API)
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description:
        'Signup+ onboarding: IAM-authenticated integrator routes and public browser redirect targets',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    this.accessLogs = accessLogs;
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.domainName = props.customDomain ? this.createDomain(props.customDomain) : undefined;
    // The stable base URL: the custom domain when there is one, else the API's own hostname.
    const base = props.customDomain ? `https://${props.customDomain.domainName}` : this.api.apiEndpoint;
    this.apiUrl = props.customDomain ? `${base}/` : this.stage.url;
    this.callbackUrl = `${base}/callback`;
    this.redirectUri = props.redirectUri ?? this.callbackUrl;
    this.connectionReturnUri = props.connectionReturnUri ?? `${base}/connections/return`;
    this.paymentReturnUri = props.paymentReturnUri ?? `${base}/payments/return`;
    this.identificationReturnUri = props.identificationReturnUri ?? `${base}/identification/return`;
    this.webhookUri = `${base}/webhooks/truelayer`;

    // Functions, first pass: everything but the workflow capabilities
    const resources: CapabilityResources = {
      table: this.table,
      tableKey: this.tableKey,
      secretsTable: this.secretsTable,
      secretsKey: this.secretsKey,
      idempotencyTable: this.idempotencyTable,
      idempotencyKey: this.tableKey,
      eventBus: this.eventBus,
      clientSecret: props.clientSecret,
      signingKeySecret: props.signingKeySecret,
      ...(props.journeyStallTime
        ? { journeyStallSeconds: wholeSeconds(props.journeyStallTime, 'journeyStallTime') }
        : {}),
      trueLayer: {
        environment: props.environment,
        clientId: props.clientId,
        redirectUri: this.redirectUri,
        merchantAccountId: props.merchantAccountId,
        httpTimeoutMs: settings.trueLayerHttpTimeoutMs,
        ...(props.trueLayerBaseUrls?.auth ? { authBaseUrl: props.trueLayerBaseUrls.auth } : {}),
        ...(props.trueLayerBaseUrls?.api ? { apiBaseUrl: props.trueLayerBaseUrls.api } : {}),
      },
    };
    const projectFunctions = this.createFunctions(props, settings);
    for (const fnId of functionIds) {
      for (const capability of FUNCTIONS[fnId].capabilities) {
        if (!WORKFLOW_CAPABILITIES.includes(capability)) {
          applyCapability(projectFunctions[fnId], capability, resources);
        }
      }
    }
    this.projectFunctions = projectFunctions;
    this.functions = mapFunctions(projectFunctions, (fn) => fn.function);

    // Workflows: each depends on its task functions; the HTTP functions then depend on them
    const stateMachines: Partial<Record<WorkflowId, sfn.StateMachine>> = {};
    for (const workflowId of workflowIds) {
      stateMachines[workflowId] = this.createStateMachine(workflowId, projectFunctions, settings);
    }
    const { data, payment, connection } = stateMachines;
    if (!data || !payment || !connection) {
      throw new Error('Every workflow of the manifest must have its state machine');
    }
    this.stateMachines = { data, payment, connection };
    this.stateMachine = data;
    this.paymentStateMachine = payment;
    this.connectionStateMachine = connection;
    const withWorkflow: CapabilityResources = {
      ...resources,
      workflow: {
        stateMachines: this.stateMachines,
        accountChoiceTimeoutSeconds: settings.accountChoiceTimeoutSeconds,
      },
    };
    for (const fnId of functionIds) {
      for (const capability of FUNCTIONS[fnId].capabilities) {
        if (!WORKFLOW_CAPABILITIES.includes(capability)) continue;
        if (workflowTaskIds.has(fnId)) {
          throw new Error(
            `${fnId} is a workflow task and cannot have ${capability}: a state machine would depend on ` +
              'the function and the function on the state machine',
          );
        }
        applyCapability(projectFunctions[fnId], capability, withWorkflow);
      }
    }

    this.routes = this.createRoutes(projectFunctions);
    this.throttleRoutes(settings);

    const deadLetterQueues: sqs.Queue[] = [];
    this.eventRules = this.createEventRules(projectFunctions, settings, deadLetterQueues);
    this.schedules = this.createSchedules(projectFunctions, settings, deadLetterQueues);
    this.deadLetterQueues = deadLetterQueues;

    this.backupPlan = props.backup ? this.createBackupPlan(props.backup, settings) : undefined;

    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic();
    const operations = new Operations(this, 'Operations', {
      topic: this.alarmTopic,
      serviceName: settings.serviceName,
      functions: this.functions,
      stateMachines: workflowIds.map((workflowId) => ({
        id: workflowId,
        stateMachine: this.stateMachines[workflowId],
        timeoutSeconds: definitionTimeoutSeconds(workflowId),
      })),
      api: this.api,
      stage: this.stage,
      accessLogs: this.accessLogs,
      tables: [this.table, this.secretsTable, this.idempotencyTable],
      indexes: [{ table: this.table, indexName: dueIndex.name }],
      eventBus: this.eventBus,
      eventRules: EVENT_RULES.map((spec, index) => {
        const rule = this.eventRules[index];
        if (!rule) throw new Error(`No rule for ${spec.id}`);
        return { id: spec.id, rule };
      }),
      deadLetterQueues: this.deadLetterQueues,
    });
    this.alarms = operations.alarms;
    this.dashboard = operations.dashboard;
  }

  /** The custom domain, its API mapping and, with a hosted zone, the alias record. */
  private createDomain(domain: NonNullable<SignupPlusOnboardingProps['customDomain']>): apigwv2.DomainName {
    const domainName = new apigwv2.DomainName(this, 'Domain', {
      domainName: domain.domainName,
      certificate: domain.certificate,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    new apigwv2.ApiMapping(this, 'DomainMapping', { api: this.api, domainName, stage: this.stage });
    if (domain.hostedZone) {
      new route53.ARecord(this, 'DomainRecord', {
        zone: domain.hostedZone,
        recordName: domain.domainName,
        target: route53.RecordTarget.fromAlias(
          new route53Targets.ApiGatewayv2DomainProperties(
            domainName.regionalDomainName,
            domainName.regionalHostedZoneId,
          ),
        ),
      });
    }
    return domainName;
  }

  /**
   * Daily AWS Backup of the records table (the secrets are left out on
   * purpose, see the secrets table), kept in a vault of this stack and
   * copied to another vault when asked. The vault is named after this
   * stack's id, so that a retained vault never blocks a re-created stack.
   */
  private createBackupPlan(
    options: NonNullable<SignupPlusOnboardingProps['backup']>,
    settings: ResolvedSettings,
  ): backup.BackupPlan {
    const retention = options.retention ?? Duration.days(35);
    const vault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: `signupplus-${stackUuid()}`,
      removalPolicy: settings.removalPolicy,
    });
    const plan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'DailyRecords',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: retention,
          ...(options.copyToVaultArn
            ? {
                copyActions: [
                  {
                    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(
                      this,
                      'BackupCopyVault',
                      options.copyToVaultArn,
                    ),
                    deleteAfter: retention,
                  },
                ],
              }
            : {}),
        }),
      ],
    });
    const selection = plan.addSelection('Records', {
      resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
    });
    acknowledgeNag(
      selection,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      "AWS Backup's own service role policy for taking backups, which AWS maintains as the services it backs up " +
        'change; the selection covers the records table only, and the role can be assumed by AWS Backup only.',
    );
    return plan;
  }

  /**
   * The alarms' topic when none is given. TLS only. Not encrypted with a KMS
   * key: its messages are alarm names, states and thresholds, and CloudWatch
   * can only publish to an encrypted topic whose customer-managed key policy
   * admits it (the AWS managed aws/sns key does not).
   */
  private createAlarmTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Signup+ onboarding alarms',
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which is what lets CloudWatch publish: say so again,
    // for this account's alarms only.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );
    acknowledgeNag(
      topic,
      'AwsSolutions-SNS2',
      'The alarm topic carries CloudWatch alarm notifications only (alarm name, state, threshold, reason), no ' +
        'personal or journey data. CloudWatch can publish to an encrypted topic only through a customer-managed ' +
        'key whose policy admits cloudwatch.amazonaws.com (not the AWS managed aws/sns key): a key of its own ' +
        'for content that needs none. TLS is enforced (SNS3). Pass alarmTopic to use your own, encrypted, topic.',
    );
    return topic;
  }

  /**
   * Lets an integrator's backend call the IAM-authenticated routes (SigV4):
   * `execute-api:Invoke` on exactly those routes.
   */
  grantInvokeApi(grantee: iam.IGrantable): iam.Grant {
    const arns = ROUTES.filter((route) => route.authorization === 'iam').map((route) =>
      this.api.arnForExecuteApi(route.method, route.path.replace(/\{[^}]+\}/g, '*'), this.stage.stageName),
    );
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: arns });
  }

  private createFunctions(
    props: SignupPlusOnboardingProps,
    settings: ResolvedSettings,
  ): Record<FunctionId, ProjectFunction> {
    const entries = functionIds.map((fnId): [FunctionId, ProjectFunction] => {
      const spec: FunctionSpec = FUNCTIONS[fnId];
      const fn = new ProjectFunction(this, fnId, {
        entry: spec.entry,
        description: spec.description,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        serviceName: settings.serviceName,
        logLevel: settings.logLevel,
        logRetention: settings.logRetention,
        logRemovalPolicy: settings.removalPolicy,
        environment: functionSettings(spec, props, {
          connectionReturnUri: this.connectionReturnUri,
          paymentReturnUri: this.paymentReturnUri,
          identificationReturnUri: this.identificationReturnUri,
        }),
        ...(settings.reservedConcurrency[fnId] === undefined
          ? {}
          : { overrides: { reservedConcurrentExecutions: settings.reservedConcurrency[fnId] } }),
      });
      acknowledgeNag(fn.role, 'AwsSolutions-IAM5[Resource::*]', XRAY_WILDCARD_REASON);
      return [fnId, fn];
    });
    return completeRecord(entries);
  }

  /**
   * The state machine of one manifest workflow. The data flow's keeps the
   * construct ids it always had (`StateMachine`, `StateMachineLogs`), so
   * that existing deployments update it in place; the others are named
   * after their workflow (`PaymentStateMachine`, ...). Same settings for all.
   */
  private createStateMachine(
    workflowId: WorkflowId,
    projectFunctions: Record<FunctionId, ProjectFunction>,
    settings: ResolvedSettings,
  ): sfn.StateMachine {
    const workflow = WORKFLOWS[workflowId];
    const prefix = workflowId === 'data' ? '' : `${workflowId[0]?.toUpperCase()}${workflowId.slice(1)}`;
    const logGroup = new logs.LogGroup(this, `${prefix}StateMachineLogs`, {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's
      // CloudWatch Logs resource policy by one entry per log group. The stack's id ends the name,
      // so that a log group retained from a deleted stack never blocks the stack created again.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 150 })}-${
        workflowId === 'data' ? '' : `${workflowId}-`
      }${stackUuid()}`,
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const taskIds = new Set<FunctionId>(Object.values(workflow.tasks));
    const substitutions: Record<string, string> = {};
    for (const [placeholder, fnId] of Object.entries<FunctionId>(workflow.tasks)) {
      substitutions[placeholder] = projectFunctions[fnId].function.functionArn;
    }
    const stateMachine = new sfn.StateMachine(this, `${prefix}StateMachine`, {
      comment: workflow.comment,
      definitionBody: sfn.DefinitionBody.fromFile(fromRepoRoot(workflow.definition)),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // ERROR only and never execution data: state carries references, but errors'
      // causes come from the task functions and are not worth a second copy.
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });
    for (const fnId of taskIds) {
      // The ASL invokes the unqualified ARN: grant exactly that, not `<arn>:*` (every version and alias).
      projectFunctions[fnId].function.grantInvokeLatestVersion(stateMachine);
    }
    acknowledgeNag(
      stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      `${XRAY_WILDCARD_REASON} Also CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery, ` +
        'logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, ' +
        'logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups), which AWS documents ' +
        'as requiring Resource "*" (vended logs are configured on the account, not on a log group).',
    );
    acknowledgeNag(
      stateMachine,
      'AwsSolutions-SF1',
      'Logging level ERROR by design: a journey is a handful of states, its full history is kept 90 days by ' +
        'Step Functions itself, and ALL would add a CloudWatch Logs write per state transition for no ' +
        'operational gain. Failures and timeouts are logged and alarmed (ExecutionsFailed/ExecutionsTimedOut).',
    );
    return stateMachine;
  }

  private createRoutes(projectFunctions: Record<FunctionId, ProjectFunction>): apigwv2.HttpRoute[] {
    const iamAuthorizer = new HttpIamAuthorizer();
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    return ROUTES.map((route) => {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function}Integration`,
          projectFunctions[route.function].function,
        );
        integrations.set(route.function, integration);
      }
      const id = `Route-${route.method}-${route.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
      const httpRoute = new apigwv2.HttpRoute(this, id, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(route.path, HTTP_METHODS[route.method]),
        integration,
        authorizer: route.authorization === 'iam' ? iamAuthorizer : new apigwv2.HttpNoneAuthorizer(),
      });
      if (route.authorization === 'none') {
        const routeKey = `${route.method} ${route.path}`;
        const reason = PUBLIC_ROUTE_REASONS[routeKey];
        if (!reason) {
          throw new Error(
            `${routeKey} is public (authorization 'none'): add the reviewed reason why to PUBLIC_ROUTE_REASONS`,
          );
        }
        acknowledgeNag(httpRoute, 'AwsSolutions-APIG4', reason);
      }
      return httpRoute;
    });
  }

  /**
   * Route-level throttling on the stage: every route gets the throttle of
   * its kind (integrator or public), set route by route so that each route
   * has its own bucket and the public ones their own, lower, limits.
   */
  private throttleRoutes(settings: ResolvedSettings): void {
    const stage = this.stage.node.defaultChild;
    if (!(stage instanceof apigwv2.CfnStage)) throw new Error('The stage has no CloudFormation resource');
    // CloudFormation's own names: RouteSettings is a free-form map the L1 passes through as is.
    const routeSettings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
    for (const route of ROUTES) {
      const throttle = route.authorization === 'none' ? settings.publicThrottle : settings.throttle;
      routeSettings[`${route.method} ${route.path}`] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
    }
    stage.routeSettings = routeSettings;
    // CloudFormation can only apply route settings to routes that exist already.
    for (const route of this.routes) this.stage.node.addDependency(route);
  }

  private createEventRules(
    projectFunctions: Record<FunctionId, ProjectFunction>,
    settings: ResolvedSettings,
    deadLetterQueues: sqs.Queue[],
  ): events.Rule[] {
    const failureQueues = new Map<FunctionId, sqs.Queue>();
    return EVENT_RULES.map((spec) => {
      const target = projectFunctions[spec.target].function;
      const dlq = this.deadLetterQueue(
        `${spec.id}DeadLetterQueue`,
        settings,
        'AwsSolutions-SQS3',
        `Dead-letter queue of the EventBridge rule ${spec.id} (RuleTarget DeadLetterConfig), which cdk-nag ` +
          'cannot see as a DLQ; a dead-letter queue of its own would have nothing to catch.',
      );
      deadLetterQueues.push(dlq);

      // EventBridge hands events to Lambda asynchronously: the rule's DLQ catches events it could not
      // deliver, the function's on-failure destination catches events the function failed on.
      if (!failureQueues.has(spec.target)) {
        const failures = this.deadLetterQueue(
          `${spec.target}FailureQueue`,
          settings,
          'AwsSolutions-SQS3',
          `On-failure destination of ${spec.target}'s asynchronous invocations (Lambda EventInvokeConfig), ` +
            'which cdk-nag cannot see as a DLQ; a dead-letter queue of its own would have nothing to catch.',
        );
        target.configureAsyncInvoke({
          onFailure: new lambdaDestinations.SqsDestination(failures),
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        });
        failureQueues.set(spec.target, failures);
        deadLetterQueues.push(failures);
      }

      return new events.Rule(this, spec.id, {
        eventBus: this.eventBus,
        description: spec.description,
        eventPattern: toEventPattern(spec.pattern),
        targets: [new targets.LambdaFunction(target, { deadLetterQueue: dlq, ...EVENT_TARGET_RETRY })],
      });
    });
  }

  /**
   * The manifest's schedules, on EventBridge Scheduler. A missed run is not
   * worth a late one (the next comes a minute later and does the same work),
   * so each is tried twice within a minute, then parked in a dead-letter queue
   * that alarms.
   */
  private createSchedules(
    projectFunctions: Record<FunctionId, ProjectFunction>,
    settings: ResolvedSettings,
    deadLetterQueues: sqs.Queue[],
  ): scheduler.Schedule[] {
    return SCHEDULES.map((spec) => {
      const dlq = this.deadLetterQueue(
        `${spec.id}DeadLetterQueue`,
        settings,
        'AwsSolutions-SQS3',
        `Dead-letter queue of the schedule ${spec.id} (Scheduler DeadLetterConfig), which cdk-nag cannot see ` +
          'as a DLQ; a dead-letter queue of its own would have nothing to catch.',
      );
      deadLetterQueues.push(dlq);
      return new scheduler.Schedule(this, spec.id, {
        description: spec.description,
        schedule: scheduler.ScheduleExpression.rate(Duration.minutes(spec.everyMinutes)),
        // $LATEST, as the state machine invokes it: the grant then names exactly that, not every version.
        target: new schedulerTargets.LambdaInvoke(projectFunctions[spec.target].function.latestVersion, {
          deadLetterQueue: dlq,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(spec.everyMinutes),
        }),
      });
    });
  }

  private deadLetterQueue(
    id: string,
    settings: ResolvedSettings,
    nagId: string,
    nagReason: string,
  ): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      // Events carry personal data: encrypted at rest, TLS only, kept the SQS maximum to allow a redrive.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: settings.removalPolicy,
    });
    acknowledgeNag(queue, nagId, nagReason);
    return queue;
  }
}

/** The UUID at the end of the stack's id: unique to each creation of the stack, stable across its updates. */
const stackUuid = () => Fn.select(2, Fn.split('/', Aws.STACK_ID));

/** A workflow definition's own `TimeoutSeconds` (what the ExecutionsTimedOut alarm explains). */
function definitionTimeoutSeconds(workflowId: WorkflowId): number {
  const definition: unknown = JSON.parse(
    readFileSync(fromRepoRoot(WORKFLOWS[workflowId].definition), 'utf8'),
  );
  const timeout =
    typeof definition === 'object' && definition !== null && 'TimeoutSeconds' in definition
      ? definition.TimeoutSeconds
      : undefined;
  if (typeof timeout !== 'number')
    throw new Error(`${WORKFLOWS[workflowId].definition} has no TimeoutSeconds`);
  return timeout;
}

/** Per-function settings (manifest `settings`) from props; unset ones keep the functions' own defaults. */
function functionSettings(
  spec: FunctionSpec,
  props: SignupPlusOnboardingProps,
  derived: {
    readonly connectionReturnUri: string;
    readonly paymentReturnUri: string;
    readonly identificationReturnUri: string;
  },
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const setting of spec.settings ?? []) {
    switch (setting) {
      case 'RETURN_URL':
        environment.RETURN_URL = props.returnUrl;
        break;
      case 'CONNECTION_RETURN_URL':
        environment.CONNECTION_RETURN_URL = derived.connectionReturnUri;
        break;
      case 'PAYMENT_RETURN_URL':
        environment.PAYMENT_RETURN_URL = derived.paymentReturnUri;
        break;
      case 'IDENTIFICATION_RETURN_URL':
        environment.IDENTIFICATION_RETURN_URL = derived.identificationReturnUri;
        break;
      case 'TRUELAYER_AISP_LICENSED':
        if (props.aispLicensed !== undefined)
          environment.TRUELAYER_AISP_LICENSED = String(props.aispLicensed);
        break;
      case 'TRUELAYER_SCOPES':
        if (props.scopes) environment.TRUELAYER_SCOPES = props.scopes.join(' ');
        break;
      case 'TRUELAYER_PROVIDERS':
        if (props.providers) environment.TRUELAYER_PROVIDERS = props.providers.join(' ');
        break;
      case 'AUTH_LINK_TTL_SECONDS':
        if (props.authLinkTtl) environment.AUTH_LINK_TTL_SECONDS = String(props.authLinkTtl.toSeconds());
        break;
      case 'RECORD_RETENTION_DAYS':
        if (props.recordRetention) environment.RECORD_RETENTION_DAYS = String(props.recordRetention.toDays());
        break;
      default: {
        const unknown: never = setting;
        throw new Error(`Unknown setting: ${String(unknown)}`);
      }
    }
  }
  return environment;
}

function isComplete<T>(record: Partial<Record<FunctionId, T>>): record is Record<FunctionId, T> {
  return functionIds.every((fnId) => record[fnId] !== undefined);
}

function completeRecord<T>(entries: readonly [FunctionId, T][]): Record<FunctionId, T> {
  const record: Partial<Record<FunctionId, T>> = {};
  for (const [fnId, value] of entries) record[fnId] = value;
  if (!isComplete(record)) throw new Error('Every function of the manifest must be present');
  return record;
}

function mapFunctions<T, U>(record: Record<FunctionId, T>, fn: (value: T) => U): Record<FunctionId, U> {
  return completeRecord(functionIds.map((fnId): [FunctionId, U] => [fnId, fn(record[fnId])]));
}
