/**
 * The product's moving parts, declared once. The CDK stack builds a Lambda
 * function, route, grant and rule from each entry; the local runtime reads the
 * same lists to route requests, resolve the state machine's task resources and
 * deliver events. A route or function added here exists in both places.
 */
import { DetailTypes, EVENT_SOURCE } from './events.ts';
import type { OnboardingFlow } from './onboarding-requests.ts';

/** What a function is allowed to touch; the stack turns each into a narrow grant and its environment variables. */
export type Capability =
  | 'onboardings:read'
  | 'onboardings:write'
  /** Reads the due index (the reconciler). */
  | 'onboardings:sweep'
  | 'events:publish'
  | 'workflow:start'
  | 'workflow:respond'
  | 'workflow:describe'
  | 'truelayer:call'
  | 'truelayer:client'
  | 'truelayer:secret'
  /**
   * Creates Payments v3 payments: reads the request-signing key from its own
   * secret and knows the merchant account the payments go into.
   */
  | 'truelayer:payments'
  /** Reads a journey's secrets (verifier, code, access token, task token, user IP). */
  | 'secrets:read'
  /** Writes or deletes a journey's secrets without being able to read them back. */
  | 'secrets:write'
  /** Powertools Idempotency records (the example consumer, POST /connections' Idempotency-Key). */
  | 'idempotency'
  /** Deletes an idempotency record (erasure), nothing else. */
  | 'idempotency:erase';

export interface FunctionSpec {
  /** Path from the repository root to the module exporting `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  capabilities: readonly Capability[];
  /** Settings only this function reads, beyond what its capabilities imply. */
  settings?: readonly Setting[];
}

export type Setting =
  | 'RETURN_URL'
  | 'TRUELAYER_SCOPES'
  | 'TRUELAYER_PROVIDERS'
  | 'AUTH_LINK_TTL_SECONDS'
  | 'RECORD_RETENTION_DAYS'
  /** The product's public `GET /connections/return` URL, registered with TrueLayer as a return URI. */
  | 'CONNECTION_RETURN_URL'
  /** `true` when the TrueLayer client holds an AISP licence (user name/email/phone become optional). */
  | 'TRUELAYER_AISP_LICENSED'
  /**
   * The product's public `GET /payments/return` URL: the hosted payment page's
   * `return_uri`, registered with TrueLayer as an allowed redirect URI.
   */
  | 'PAYMENT_RETURN_URL'
  /**
   * The product's public `GET /identification/return` URL, where the Finnish
   * bank sends the user back after the identification; allow-listed by
   * TrueLayer Support for Signup+ in Finland.
   */
  | 'IDENTIFICATION_RETURN_URL';

const http = { memoryMb: 256, timeoutSeconds: 10 } as const;
// TrueLayer calls time out after 5 s (TRUELAYER_HTTP_TIMEOUT_MS), well inside the Lambda's 20 s,
// and the state machine gives each task 30 s before States.Timeout.
const task = { memoryMb: 256, timeoutSeconds: 20 } as const;

export const FUNCTIONS = {
  CreateOnboarding: {
    ...http,
    entry: 'functions/http/create-onboarding.ts',
    description:
      'POST /onboardings: creates an onboarding and its auth link (for a payment, the payment too)',
    capabilities: [
      'onboardings:write',
      'secrets:write',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
      'truelayer:payments',
    ],
    settings: [
      'TRUELAYER_SCOPES',
      'TRUELAYER_PROVIDERS',
      'AUTH_LINK_TTL_SECONDS',
      'RECORD_RETENTION_DAYS',
      'PAYMENT_RETURN_URL',
    ],
  },
  TrueLayerWebhook: {
    ...http,
    entry: 'functions/http/truelayer-webhook.ts',
    description:
      "POST /webhooks/truelayer: TrueLayer's payment and mandate webhooks, verified, nudge the payment workflow",
    capabilities: ['onboardings:write', 'workflow:start', 'truelayer:call'],
  },
  PaymentReturn: {
    ...http,
    entry: 'functions/http/payment-return.ts',
    description: 'GET /payments/return: the user is back from the payment page; starts the payment workflow',
    capabilities: ['onboardings:write', 'workflow:start'],
    settings: ['RETURN_URL'],
  },
  IdentificationReturn: {
    ...http,
    entry: 'functions/http/identification-return.ts',
    description:
      'GET /identification/return: the user is back from identifying at their bank (Finland); checks the state and records it',
    capabilities: ['onboardings:write', 'secrets:write', 'events:publish'],
    settings: ['RETURN_URL'],
  },
  Callback: {
    ...http,
    entry: 'functions/http/callback.ts',
    description: 'GET /callback: checks the state and starts the workflow once',
    capabilities: ['onboardings:write', 'secrets:write', 'events:publish', 'workflow:start'],
    settings: ['RETURN_URL'],
  },
  GetOnboarding: {
    ...http,
    entry: 'functions/http/get-onboarding.ts',
    description: 'GET /onboardings/{id}: status, timeline and choices',
    capabilities: ['onboardings:read'],
  },
  EraseOnboarding: {
    ...http,
    entry: 'functions/http/erase-onboarding.ts',
    description: "DELETE /onboardings/{id}: erases the person's data and announces it",
    capabilities: ['onboardings:write', 'secrets:write', 'events:publish', 'idempotency:erase'],
  },
  ChooseAccount: {
    ...http,
    entry: 'functions/http/choose-account.ts',
    description: 'POST /onboardings/{id}/account-choice: resumes the waiting workflow',
    capabilities: ['onboardings:write', 'secrets:read', 'workflow:respond', 'workflow:describe'],
  },
  LinkAccounts: {
    ...task,
    entry: 'functions/tasks/link-accounts.ts',
    description: 'Workflow: exchanges the code, reads Signup+ accounts, completes a single-account journey',
    capabilities: [
      'onboardings:write',
      'secrets:read',
      'secrets:write',
      'events:publish',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
  },
  RequestAccountChoice: {
    ...task,
    entry: 'functions/tasks/request-account-choice.ts',
    description: 'Workflow: stores the task token and announces the pending choice',
    capabilities: ['onboardings:write', 'secrets:write', 'events:publish'],
  },
  CompleteWithChosenAccount: {
    ...task,
    entry: 'functions/tasks/complete-with-chosen-account.ts',
    description: 'Workflow: reads the chosen account from Signup+ and completes the journey',
    capabilities: ['onboardings:write', 'secrets:read', 'secrets:write', 'events:publish', 'truelayer:call'],
  },
  CheckPayment: {
    ...task,
    entry: 'functions/tasks/check-payment.ts',
    description:
      "Payment workflow: reads the payment's or mandate's status; once settled or authorised (Finland: identified), the user from Signup+",
    capabilities: [
      'onboardings:write',
      'secrets:read',
      'secrets:write',
      'events:publish',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
    settings: ['IDENTIFICATION_RETURN_URL', 'AUTH_LINK_TTL_SECONDS'],
  },
  FollowConnection: {
    ...task,
    entry: 'functions/tasks/follow-connection.ts',
    description:
      'Connection workflow: waits for the Data v3 connection, lists its accounts, asks Signup+ about the chosen one',
    capabilities: [
      'onboardings:write',
      'secrets:write',
      'events:publish',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
  },
  EndOnboarding: {
    ...task,
    entry: 'functions/tasks/end-onboarding.ts',
    description: 'Workflow: records a failed or expired journey and publishes it',
    capabilities: ['onboardings:write', 'secrets:read', 'secrets:write', 'events:publish'],
  },
  Reconcile: {
    ...task,
    timeoutSeconds: 60,
    entry: 'functions/tasks/reconcile.ts',
    description:
      'Scheduled: ends unused links, starts or resumes stranded journeys, settles ends whose event is unpublished',
    capabilities: [
      'onboardings:write',
      'onboardings:sweep',
      'secrets:read',
      'secrets:write',
      'events:publish',
      'workflow:start',
      'workflow:describe',
      'workflow:respond',
    ],
  },
  CreateConnection: {
    ...http,
    entry: 'functions/http/create-connection.ts',
    description: 'POST /connections: validates and creates a Data v3 connection (and its Signup+ onboarding)',
    capabilities: [
      'onboardings:write',
      'secrets:write',
      'idempotency',
      'events:publish',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
    settings: [
      'CONNECTION_RETURN_URL',
      'TRUELAYER_AISP_LICENSED',
      'RECORD_RETENTION_DAYS',
      'AUTH_LINK_TTL_SECONDS',
    ],
  },
  ConnectionReturn: {
    ...http,
    entry: 'functions/http/connection-return.ts',
    description:
      'GET /connections/return: confirms and records the outcome, starts the Signup+ workflow, sends the user on',
    capabilities: [
      'onboardings:write',
      'events:publish',
      'workflow:start',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
    settings: ['RETURN_URL'],
  },
  ExpireConnections: {
    ...task,
    timeoutSeconds: 60,
    entry: 'functions/tasks/expire-connections.ts',
    description: 'Scheduled: records the outcome of Data v3 connections whose link ran out, or expires them',
    capabilities: [
      'onboardings:write',
      'onboardings:sweep',
      'events:publish',
      'truelayer:call',
      'truelayer:client',
      'truelayer:secret',
    ],
  },
  GetConnection: {
    ...http,
    entry: 'functions/http/get-connection.ts',
    description: 'GET /connections/{id}: the connection onboarding record',
    capabilities: ['onboardings:read'],
  },
  GetConnectionAccounts: {
    ...http,
    entry: 'functions/http/get-connection-accounts.ts',
    description: 'GET /connections/{id}/accounts: the accounts of an authorised connection, from TrueLayer',
    capabilities: ['onboardings:read', 'truelayer:call', 'truelayer:client', 'truelayer:secret'],
  },
  GetConnectionUserInfo: {
    ...http,
    entry: 'functions/http/get-connection-user-info.ts',
    description: "GET /connections/{id}/user-info: the name the user's bank holds, from TrueLayer",
    capabilities: ['onboardings:read', 'truelayer:call', 'truelayer:client', 'truelayer:secret'],
  },
  ReadyForPaymentExample: {
    ...task,
    entry: 'functions/consumers/ready-for-payment-example.ts',
    description: 'Example consumer of Onboarding Ready For Payment (validated, idempotent)',
    capabilities: ['idempotency'],
  },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionId = keyof typeof FUNCTIONS;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** HTTP API path syntax: `{id}` is a path parameter. */
  path: string;
  function: FunctionId;
  /** `iam`: SigV4-signed integrator calls; `none`: the browser redirect, protected by the state. */
  authorization: 'iam' | 'none';
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/onboardings', function: 'CreateOnboarding', authorization: 'iam' },
  { method: 'GET', path: '/onboardings/{id}', function: 'GetOnboarding', authorization: 'iam' },
  { method: 'DELETE', path: '/onboardings/{id}', function: 'EraseOnboarding', authorization: 'iam' },
  {
    method: 'POST',
    path: '/onboardings/{id}/account-choice',
    function: 'ChooseAccount',
    authorization: 'iam',
  },
  { method: 'GET', path: '/callback', function: 'Callback', authorization: 'none' },
  // Public too: the hosted payment page sends the user here; the outcome is read from TrueLayer, not the query.
  { method: 'GET', path: '/payments/return', function: 'PaymentReturn', authorization: 'none' },
  // Public: the Finnish bank sends the user back here; protected by the state the link carried, like /callback.
  {
    method: 'GET',
    path: '/identification/return',
    function: 'IdentificationReturn',
    authorization: 'none',
  },
  // Public as well: TrueLayer's servers call it; the Tl-Signature, checked against TrueLayer's JWKS, proves the sender.
  { method: 'POST', path: '/webhooks/truelayer', function: 'TrueLayerWebhook', authorization: 'none' },
  { method: 'POST', path: '/connections', function: 'CreateConnection', authorization: 'iam' },
  // Public like /callback: the browser returns here; the outcome is confirmed with TrueLayer, not read from the query.
  // Listed before /connections/{id}: the local front matches in order (API Gateway prefers the static path).
  { method: 'GET', path: '/connections/return', function: 'ConnectionReturn', authorization: 'none' },
  { method: 'GET', path: '/connections/{id}', function: 'GetConnection', authorization: 'iam' },
  {
    method: 'GET',
    path: '/connections/{id}/accounts',
    function: 'GetConnectionAccounts',
    authorization: 'iam',
  },
  {
    method: 'GET',
    path: '/connections/{id}/user-info',
    function: 'GetConnectionUserInfo',
    authorization: 'iam',
  },
];

/**
 * The state machines, one per flow, each one ASL file that CDK deploys and
 * the local runtime runs unchanged. `tasks` maps each `${...}` placeholder of
 * the definition to the function it stands for; `arnSetting` is the variable
 * that hands its ARN to the functions that start or describe its executions.
 * Two machines rather than one with a first Choice on the flow: that Choice
 * would be a state transition every data journey pays for.
 */
export const WORKFLOWS = {
  data: {
    definition: 'statemachines/onboarding.asl.json',
    comment: 'Signup+ onboarding journey (data flow)',
    arnSetting: 'STATE_MACHINE_ARN',
    tasks: {
      LinkAccountsFunctionArn: 'LinkAccounts',
      RequestAccountChoiceFunctionArn: 'RequestAccountChoice',
      CompleteWithChosenAccountFunctionArn: 'CompleteWithChosenAccount',
      EndOnboardingFunctionArn: 'EndOnboarding',
    },
  },
  payment: {
    definition: 'statemachines/payment-onboarding.asl.json',
    comment: 'Signup+ onboarding journey (payment and mandate flows)',
    arnSetting: 'PAYMENT_STATE_MACHINE_ARN',
    tasks: {
      CheckPaymentFunctionArn: 'CheckPayment',
      EndOnboardingFunctionArn: 'EndOnboarding',
    },
  },
  connection: {
    definition: 'statemachines/connection-onboarding.asl.json',
    comment: 'Signup+ onboarding journey (connection flow: Signup+ on a Data v3 connected account)',
    arnSetting: 'CONNECTION_STATE_MACHINE_ARN',
    tasks: {
      FollowConnectionFunctionArn: 'FollowConnection',
      RequestAccountChoiceFunctionArn: 'RequestAccountChoice',
      EndOnboardingFunctionArn: 'EndOnboarding',
    },
  },
} as const satisfies Record<
  string,
  { definition: string; comment: string; arnSetting: string; tasks: Record<string, FunctionId> }
>;
export type WorkflowId = keyof typeof WORKFLOWS;

/**
 * The workflow each flow's journeys run on. A mandate is authorised on the
 * same hosted page as a payment and followed by the same loop (look at it at
 * TrueLayer, wait, look again), so the mandate flow runs on the payment
 * workflow; CheckPayment reads whichever of the two the journey has.
 */
export const WORKFLOW_OF_FLOW = {
  data: 'data',
  payment: 'payment',
  mandate: 'payment',
  connection: 'connection',
} as const satisfies Record<OnboardingFlow, WorkflowId>;

/** The data flow's placeholders and definition (the first machine, and the one most tools draw). */
export const WORKFLOW_TASKS = WORKFLOWS.data.tasks;
export const STATE_MACHINE_DEFINITION = WORKFLOWS.data.definition;

export interface ScheduleSpec {
  id: string;
  description: string;
  /** Minutes between runs (EventBridge Scheduler `rate(n minutes)` on AWS; the local runtime runs it faster). */
  everyMinutes: number;
  target: FunctionId;
}

/** Functions invoked on a schedule, with no input. */
export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    id: 'ReconcileJourneys',
    description: 'Sweeps the due index: no journey stalls or ends without its event',
    everyMinutes: 1,
    target: 'Reconcile',
  },
  {
    id: 'SweepConnections',
    description: 'Sweeps the due index for Data v3 connections: none waits for its user forever',
    everyMinutes: 1,
    target: 'ExpireConnections',
  },
];

export interface EventRuleSpec {
  id: string;
  description: string;
  /** An EventBridge event pattern; the local bus matches the same patterns. */
  pattern: Record<string, unknown>;
  target: FunctionId;
}

export const EVENT_RULES: readonly EventRuleSpec[] = [
  {
    id: 'ReadyForPaymentToExampleConsumer',
    description: 'Delivers Onboarding Ready For Payment to the example payments consumer',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [DetailTypes.readyForPayment] },
    target: 'ReadyForPaymentExample',
  },
];
