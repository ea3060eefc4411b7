/**
 * What the person on call sees: alarms that mean an incident, each pointing
 * at its runbook entry (docs/deploy.md § Alarms), all notifying one SNS
 * topic, and one dashboard with the business figures and the health
 * figures side by side. Ordinary outcomes (a user who declines, a bank that
 * does not support Signup+, a retried and then successful call) never page:
 * failures count by whose side they are on, and everything else alarms on a
 * rate or on sustained trouble, not on one occurrence.
 */
import { Duration, Token } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { JourneyMetrics, METRICS_NAMESPACE, SIGNUP_PLUS_FLOWS } from '../functions/commons/metric-names.ts';
import { FUNCTIONS, type FunctionId, ROUTES, type WorkflowId } from '../functions/contract/manifest.ts';
import { FAILURE_REASONS } from '../functions/onboarding/failure-reasons.ts';

/** The 429s the HTTP API answers, counted from its access log (HTTP APIs publish no 429 metric). */
export const API_THROTTLED_METRIC = 'ApiThrottledRequests';

/**
 * Every threshold, in one place: the alarms use these, docs/deploy.md
 * explains them, and the template tests check one against the other.
 */
export const ALARM_THRESHOLDS = {
  /** Journeys failed for a reason on our side: at least `minimum` and `percent` of ended journeys in `window`. */
  internalFailures: { window: Duration.minutes(15), minimum: 3, percent: 5 },
  /** Journeys failed with `truelayer_unavailable`. */
  trueLayerUnavailable: { window: Duration.minutes(15), minimum: 3, percent: 10 },
  /** Executions that ended FAILED, of all that ended. */
  executionsFailed: { window: Duration.minutes(15), minimum: 3, percent: 5 },
  /** API 5xx of all requests. */
  apiServerErrors: { window: Duration.minutes(5), minimum: 5, percent: 1 },
  /** A function's errors of its invocations. */
  functionErrors: { window: Duration.minutes(5), minimum: 5, percent: 5 },
  /** Throttling anywhere: any, in each of `periods` consecutive windows (sustained, not a blip retries absorb). */
  throttling: { window: Duration.minutes(5), periods: 2 },
  /** Journeys the reconciler had to finish past their deadline. */
  journeysPastDeadline: { window: Duration.minutes(15), minimum: 5 },
  /** Due records the reconciler failed on (each run counts them again: about ten minutes of one record). */
  journeysStuck: { window: Duration.minutes(15), minimum: 10 },
  /** The reconciler runs every minute: fewer than `minimumRuns` or at least `maximumErrors` in `window`, twice. */
  reconciler: { window: Duration.minutes(5), minimumRuns: 3, maximumErrors: 3, periods: 2 },
} as const;

/** Functions whose error rate is not alarmed on its own: the reconciler has ReconcilerFailing. */
const ERROR_RATE_EXCLUDED: ReadonlySet<FunctionId> = new Set(['Reconcile']);

const functionIdsOf = (functions: Readonly<Record<FunctionId, unknown>>): FunctionId[] =>
  Object.keys(functions).filter((id): id is FunctionId => id in FUNCTIONS);

/** CloudWatch metric math takes at most 10 metrics per alarm. */
const MAX_METRICS_PER_ALARM = 10;

export interface OperationsProps {
  readonly topic: sns.ITopic;
  readonly serviceName: string;
  readonly functions: Readonly<Record<FunctionId, NodejsFunction>>;
  /**
   * Every state machine, each alarmed on its own (ExecutionsFailed, ExecutionsTimedOut) and drawn on the
   * dashboard; the data flow's alarms keep their unprefixed ids. `timeoutSeconds` is the definition's own.
   */
  readonly stateMachines: ReadonlyArray<{
    readonly id: WorkflowId;
    readonly stateMachine: sfn.StateMachine;
    readonly timeoutSeconds: number;
  }>;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.ILogGroup;
  readonly tables: readonly dynamodb.Table[];
  /** Global secondary indexes to watch for throttling, by table. */
  readonly indexes: ReadonlyArray<{ table: dynamodb.Table; indexName: string }>;
  readonly eventBus: events.IEventBus;
  readonly eventRules: ReadonlyArray<{ id: string; rule: events.Rule }>;
  readonly deadLetterQueues: readonly sqs.Queue[];
}

type Period = Duration;

/** The runbook entries: one per kind of alarm (docs/deploy.md, `### <kind>`). */
export const ALARM_KINDS = [
  'InternalFailures',
  'TrueLayerUnavailable',
  'ExecutionsFailed',
  'ExecutionsTimedOut',
  'JourneysPastDeadline',
  'JourneysStuck',
  'ReconcilerFailing',
  'HttpFunctionsThrottled',
  'PublicFunctionsThrottled',
  'WorkflowFunctionsThrottled',
  'StateTransitionsThrottled',
  'DynamoDbThrottled',
  'EventDeliveriesThrottled',
  'ApiThrottled',
  'EventDeliveryFailed',
  'DeadLetterMessages',
  'ApiServerErrors',
  'FunctionErrors',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** The data flow's alarms keep the ids they always had; another flow's start with its name. */
function alarmPrefix(workflowId: WorkflowId): string {
  return workflowId === 'data' ? '' : `${workflowId[0]?.toUpperCase()}${workflowId.slice(1)}`;
}

function alarmKind(id: string): AlarmKind {
  const kind = ALARM_KINDS.find((candidate) => candidate === id);
  if (!kind) throw new Error(`Alarm ${id} names no runbook entry: give it a kind`);
  return kind;
}

/**
 * The alarms and the dashboard of one SignupPlusOnboarding. Alarm ids name
 * the runbook section that explains them (docs/deploy.md, `### <id>`).
 */
export class Operations extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly #props: OperationsProps;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.#props = props;

    new logs.MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: props.accessLogs,
      metricNamespace: METRICS_NAMESPACE,
      metricName: API_THROTTLED_METRIC,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricValue: '1',
    });

    this.#journeyAlarms();
    this.#throttlingAlarms();
    this.#deliveryAlarms();
    this.#errorAlarms();
    this.dashboard = this.#dashboard();
  }

  /** A product metric (EMF) summed over `period`, with the `service` dimension Powertools adds. */
  #product(
    name: string,
    dimensions: Record<string, string>,
    period: Period,
    statistic = cloudwatch.Stats.SUM,
  ) {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: this.#props.serviceName, ...dimensions },
      statistic,
      period,
    });
  }

  /**
   * One alarm, notifying the topic when it fires and when it clears. `kind`
   * names its runbook entry (`### <kind>` in docs/deploy.md); alarms of one
   * kind (per function, per queue) share it.
   */
  #alarm(
    id: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      description: string;
      kind?: AlarmKind;
      evaluationPeriods?: number;
      missing?: cloudwatch.TreatMissingData;
    },
  ): cloudwatch.Alarm {
    const periods = options.evaluationPeriods ?? 1;
    const kind = options.kind ?? alarmKind(id);
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${options.description} Runbook: docs/deploy.md#${kind.toLowerCase()}`,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.#props.topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.#props.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  /** `100 * part / whole` once `part` reaches `minimum` in the window, else 0: no page on a handful. */
  #rate(
    part: Record<string, cloudwatch.IMetric>,
    whole: Record<string, cloudwatch.IMetric>,
    minimum: number,
    period: Period,
    label: string,
  ): cloudwatch.MathExpression {
    const sum = (metrics: Record<string, cloudwatch.IMetric>) =>
      Object.keys(metrics)
        .map((key) => `FILL(${key}, 0)`)
        .join(' + ');
    const partSum = sum(part);
    return new cloudwatch.MathExpression({
      expression: `IF((${partSum}) >= ${minimum}, 100 * (${partSum}) / (${sum(whole)}), 0)`,
      usingMetrics: { ...part, ...whole },
      period,
      label,
    });
  }

  /**
   * The journeys that ended in the window, every flow: one metric the
   * functions emit without the flow, so that an alarm reads two metrics
   * whatever the number of flows (an alarm's expression may hold ten).
   */
  #ends(period: Period) {
    return { ended: this.#product(JourneyMetrics.ended, {}, period) };
  }

  #journeyAlarms(): void {
    const ours = ALARM_THRESHOLDS.internalFailures;
    const oursReasons = Object.entries(FAILURE_REASONS)
      .filter(([, reason]) => reason.side === 'ours')
      .map(([name]) => name);
    this.#alarm(
      'InternalFailures',
      this.#rate(
        { ours: this.#product(JourneyMetrics.failed, { side: 'ours' }, ours.window) },
        this.#ends(ours.window),
        ours.minimum,
        ours.window,
        'Journeys failed on our side (% of ended)',
      ),
      {
        threshold: ours.percent,
        description:
          `At least ${ours.minimum} journeys, and ${ours.percent}% of those that ended, failed for a reason on our ` +
          `side (${oursReasons.join(', ')}) within ${ours.window.toMinutes()} minutes.`,
      },
    );

    const tl = ALARM_THRESHOLDS.trueLayerUnavailable;
    this.#alarm(
      'TrueLayerUnavailable',
      this.#rate(
        { unavailable: this.#product(JourneyMetrics.failed, { reason: 'truelayer_unavailable' }, tl.window) },
        this.#ends(tl.window),
        tl.minimum,
        tl.window,
        'Journeys failed with truelayer_unavailable (% of ended)',
      ),
      {
        threshold: tl.percent,
        description:
          `At least ${tl.minimum} journeys, and ${tl.percent}% of those that ended, failed because TrueLayer was ` +
          `unavailable past every retry, within ${tl.window.toMinutes()} minutes.`,
      },
    );

    const failed = ALARM_THRESHOLDS.executionsFailed;
    const options = { period: failed.window, statistic: cloudwatch.Stats.SUM };
    for (const { id: workflowId, stateMachine: machine, timeoutSeconds } of this.#props.stateMachines) {
      const prefix = alarmPrefix(workflowId);
      const which = `${workflowId} flow executions`;
      this.#alarm(
        `${prefix}ExecutionsFailed`,
        this.#rate(
          { failedExecutions: machine.metricFailed(options) },
          {
            succeeded: machine.metricSucceeded(options),
            timedOut: machine.metricTimedOut(options),
            aborted: machine.metricAborted(options),
            failedAgain: machine.metricFailed(options),
          },
          failed.minimum,
          failed.window,
          `Executions ended FAILED, ${workflowId} flow (% of ended)`,
        ),
        {
          threshold: failed.percent,
          kind: 'ExecutionsFailed',
          description:
            `At least ${failed.minimum} ${which}, and ${failed.percent}% of those that ended, ended FAILED within ` +
            `${failed.window.toMinutes()} minutes (refusals end SUCCEEDED and do not count).`,
        },
      );
      this.#alarm(
        `${prefix}ExecutionsTimedOut`,
        machine.metricTimedOut({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        {
          threshold: 1,
          kind: 'ExecutionsTimedOut',
          description:
            `An execution of the ${workflowId} flow ran past its definition’s ` +
            `${Duration.seconds(timeoutSeconds).toMinutes()}-minute limit. It should never happen.`,
        },
      );
    }

    const late = ALARM_THRESHOLDS.journeysPastDeadline;
    this.#alarm('JourneysPastDeadline', this.#product(JourneyMetrics.recovered, {}, late.window), {
      threshold: late.minimum,
      description:
        `The reconciler had to finish at least ${late.minimum} journeys past their deadline (start an execution, ` +
        `resend a choice, end a journey, publish an end) within ${late.window.toMinutes()} minutes.`,
    });
    const stuck = ALARM_THRESHOLDS.journeysStuck;
    this.#alarm('JourneysStuck', this.#product(JourneyMetrics.reconcileFailures, {}, stuck.window), {
      threshold: stuck.minimum,
      description:
        `The reconciler failed ${stuck.minimum} times or more on due records within ` +
        `${stuck.window.toMinutes()} minutes: some journey does not reach its end.`,
    });

    const reconciler = ALARM_THRESHOLDS.reconciler;
    const reconcile = this.#props.functions.Reconcile;
    const runOptions = { period: reconciler.window, statistic: cloudwatch.Stats.SUM };
    this.#alarm(
      'ReconcilerFailing',
      new cloudwatch.MathExpression({
        expression: `IF(FILL(runs, 0) < ${reconciler.minimumRuns} OR FILL(errors, 0) >= ${reconciler.maximumErrors}, 1, 0)`,
        usingMetrics: {
          runs: reconcile.metricInvocations(runOptions),
          errors: reconcile.metricErrors(runOptions),
        },
        period: reconciler.window,
        label: 'Reconciler not running or failing (1)',
      }),
      {
        threshold: 1,
        evaluationPeriods: reconciler.periods,
        missing: cloudwatch.TreatMissingData.BREACHING,
        description:
          `The reconciler (every minute) ran fewer than ${reconciler.minimumRuns} times, or failed ` +
          `${reconciler.maximumErrors} times or more, in each of ${reconciler.periods} consecutive ` +
          `${reconciler.window.toMinutes()}-minute windows: nothing finishes stranded journeys.`,
      },
    );
  }

  /** A sum of metrics as one alarm metric (throttles anywhere in a group). */
  #sum(metrics: cloudwatch.IMetric[], period: Period, label: string): cloudwatch.IMetric {
    if (metrics.length > MAX_METRICS_PER_ALARM) {
      throw new Error(`${label}: ${metrics.length} metrics, more than an alarm takes`);
    }
    const usingMetrics = Object.fromEntries(metrics.map((metric, index) => [`m${index}`, metric]));
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((key) => `FILL(${key}, 0)`)
        .join(' + '),
      usingMetrics,
      period,
      label,
    });
  }

  #throttlingAlarms(): void {
    const { window, periods } = ALARM_THRESHOLDS.throttling;
    const sustained = (id: string, metric: cloudwatch.IMetric, what: string) =>
      this.#alarm(id, metric, {
        threshold: 1,
        evaluationPeriods: periods,
        description: `${what} throttled in each of ${periods} consecutive ${window.toMinutes()}-minute windows.`,
      });
    const options = { period: window, statistic: cloudwatch.Stats.SUM };

    const functionIds = functionIdsOf(this.#props.functions);
    const routed = new Set(ROUTES.map((route) => route.function));
    // Apart, and not only because an alarm takes ten metrics: the public routes' functions are capped on
    // purpose (reserved concurrency), so their throttling under a storm is the cap working.
    const isPublic = new Set(
      ROUTES.filter((route) => route.authorization === 'none').map((route) => route.function),
    );
    const groups: Array<[string, FunctionId[], string]> = [
      [
        'HttpFunctionsThrottled',
        functionIds.filter((id) => routed.has(id) && !isPublic.has(id)),
        "Lambda functions behind the integrator's (IAM) routes",
      ],
      [
        'PublicFunctionsThrottled',
        functionIds.filter((id) => isPublic.has(id)),
        'Lambda functions behind the public routes (browser returns, webhooks)',
      ],
      [
        'WorkflowFunctionsThrottled',
        functionIds.filter((id) => !routed.has(id)),
        'Workflow, reconciler and consumer Lambda functions',
      ],
    ];
    for (const [id, members, what] of groups) {
      sustained(
        id,
        this.#sum(
          members.map((fnId) => this.#props.functions[fnId].metricThrottles(options)),
          window,
          `${what}: throttles`,
        ),
        what,
      );
    }

    // One alarm for all the state machines: they draw on the account's one StateTransition bucket.
    sustained(
      'StateTransitionsThrottled',
      this.#sum(
        this.#props.stateMachines.map(({ stateMachine }) => stateMachine.metricThrottled(options)),
        window,
        'Step Functions ExecutionThrottled',
      ),
      'Step Functions state transitions (ExecutionThrottled)',
    );

    const dynamoMetrics = [
      ...this.#props.tables.flatMap((table) => [
        table.metric('ReadThrottleEvents', options),
        table.metric('WriteThrottleEvents', options),
      ]),
      ...this.#props.indexes.flatMap(({ table, indexName }) =>
        ['ReadThrottleEvents', 'WriteThrottleEvents'].map(
          (metricName) =>
            new cloudwatch.Metric({
              namespace: 'AWS/DynamoDB',
              metricName,
              dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: indexName },
              ...options,
            }),
        ),
      ),
    ];
    sustained(
      'DynamoDbThrottled',
      this.#sum(dynamoMetrics, window, 'DynamoDB throttle events'),
      'DynamoDB reads or writes (tables and the due index)',
    );

    sustained(
      'EventDeliveriesThrottled',
      this.#sum(
        this.#props.eventRules.map(({ rule }) => this.#eventsMetric('ThrottledRules', rule, options)),
        window,
        'EventBridge throttled rules',
      ),
      'EventBridge deliveries to the rules’ targets',
    );

    sustained(
      'ApiThrottled',
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: API_THROTTLED_METRIC, ...options }),
      'HTTP API requests (429 answers, from the access log)',
    );
  }

  /** EventBridge metrics of a rule on a custom bus carry the bus's name too. */
  #eventsMetric(metricName: string, rule: events.Rule, options: cloudwatch.MetricOptions): cloudwatch.Metric {
    const busName = this.#props.eventBus.eventBusName;
    const onDefaultBus = !Token.isUnresolved(busName) && busName === 'default';
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { RuleName: rule.ruleName, ...(onDefaultBus ? {} : { EventBusName: busName }) },
      ...options,
    });
  }

  #deliveryAlarms(): void {
    const period = Duration.minutes(5);
    const options = { period, statistic: cloudwatch.Stats.SUM };
    for (const { id, rule } of this.#props.eventRules) {
      this.#alarm(
        `${id}DeliveryFailed`,
        this.#sum(
          [
            this.#eventsMetric('FailedInvocations', rule, options),
            this.#eventsMetric('InvocationsFailedToBeSentToDlq', rule, options),
          ],
          period,
          `${id}: failed deliveries`,
        ),
        {
          threshold: 1,
          kind: 'EventDeliveryFailed',
          description: `EventBridge gave up delivering an event of rule ${id} to its target (or could not park it).`,
        },
      );
    }
    for (const queue of this.#props.deadLetterQueues) {
      this.#alarm(
        `${queue.node.id}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        {
          threshold: 1,
          kind: 'DeadLetterMessages',
          description: `Dead-letter queue ${queue.node.id} holds messages: events were not handled.`,
        },
      );
    }
  }

  #errorAlarms(): void {
    const api = ALARM_THRESHOLDS.apiServerErrors;
    const apiOptions = { period: api.window, statistic: cloudwatch.Stats.SUM };
    this.#alarm(
      'ApiServerErrors',
      this.#rate(
        { serverErrors: this.#props.stage.metricServerError(apiOptions) },
        { requests: this.#props.stage.metricCount(apiOptions) },
        api.minimum,
        api.window,
        'API 5xx (% of requests)',
      ),
      {
        threshold: api.percent,
        description:
          `At least ${api.minimum} answers, and ${api.percent}% of requests, were 5xx within ` +
          `${api.window.toMinutes()} minutes.`,
      },
    );

    const fnErrors = ALARM_THRESHOLDS.functionErrors;
    const options = { period: fnErrors.window, statistic: cloudwatch.Stats.SUM };
    for (const fnId of functionIdsOf(this.#props.functions)) {
      if (ERROR_RATE_EXCLUDED.has(fnId)) continue;
      const fn = this.#props.functions[fnId];
      this.#alarm(
        `${fnId}Errors`,
        this.#rate(
          { errors: fn.metricErrors(options) },
          { invocations: fn.metricInvocations(options) },
          fnErrors.minimum,
          fnErrors.window,
          `${fnId} errors (% of invocations)`,
        ),
        {
          threshold: fnErrors.percent,
          kind: 'FunctionErrors',
          description:
            `Lambda ${fnId} failed at least ${fnErrors.minimum} times, and in ${fnErrors.percent}% of its ` +
            `invocations, within ${fnErrors.window.toMinutes()} minutes.`,
        },
      );
    }
  }

  #dashboard(): cloudwatch.Dashboard {
    const period = Duration.minutes(5);
    const flow = { flow: SIGNUP_PLUS_FLOWS[0] };
    const sum = (name: string, dimensions: Record<string, string> = flow, label?: string) =>
      this.#product(name, dimensions, period).with({ ...(label ? { label } : {}) });
    const search = (dimensionKeys: string, name: string, statistic = 'Sum') =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimensionKeys}} MetricName="${name}" service="${this.#props.serviceName}"', '${statistic}', ${period.toSeconds()})`,
        period,
        label: '',
      });
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      options: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period, ...options });
    const { functions, stateMachines, stage } = this.#props;
    const functionList = Object.entries(functions);
    const fnOptions = { period, statistic: cloudwatch.Stats.SUM };

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '## Signup+ onboarding\nBusiness figures first (journeys per 5 minutes, by flow), then health. ' +
          'Every alarm is explained in docs/deploy.md § Alarms.',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph(
        'Journeys, by flow',
        SIGNUP_PLUS_FLOWS.flatMap((each) =>
          (['started', 'completed', 'failed', 'expired', 'erased'] as const).map((what) =>
            sum(JourneyMetrics[what], { flow: each }, `${each} ${what}`),
          ),
        ),
      ),
      graph(
        'Failed, by side (ours pages, user and bank never do)',
        [search('service,flow,side', JourneyMetrics.failed)],
        {
          stacked: true,
        },
      ),
      graph('Failed and expired, by reason', [
        search('service,flow,reason', JourneyMetrics.failed),
        search('service,flow,reason', JourneyMetrics.expired),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Time to ready (POST /onboardings to ready), ms',
        SIGNUP_PLUS_FLOWS.flatMap((each) =>
          [50, 99].map((percentile) =>
            this.#product(
              JourneyMetrics.timeToReady,
              { flow: each },
              period,
              cloudwatch.Stats.p(percentile),
            ).with({
              label: `${each} p${percentile}`,
            }),
          ),
        ),
      ),
      graph('Account choice rate (% of onboardings started)', [
        new cloudwatch.MathExpression({
          expression: 'IF(FILL(started, 0) > 0, 100 * FILL(choices, 0) / started, 0)',
          usingMetrics: {
            started: sum(JourneyMetrics.started),
            choices: sum(JourneyMetrics.accountChoiceRequired),
          },
          period,
          label: 'account choice required',
        }),
      ]),
      graph('Journeys the reconciler finished past their deadline, by action', [
        search('service,action', JourneyMetrics.recovered),
        sum(JourneyMetrics.reconcileFailures, {}, 'reconcile failures'),
      ]),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      graph('API requests and errors', [
        stage.metricCount({ period, statistic: cloudwatch.Stats.SUM, label: 'requests' }),
        stage.metricClientError({ period, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
        stage.metricServerError({ period, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: API_THROTTLED_METRIC,
          ...fnOptions,
          label: '429',
        }),
      ]),
      graph('API latency, ms', [
        stage.metricLatency({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
        stage.metricLatency({ period, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
      ]),
      ...stateMachines.map(({ id, stateMachine }) =>
        graph(`Executions (${id} flow)`, [
          stateMachine.metricStarted({ ...fnOptions, label: 'started' }),
          stateMachine.metricSucceeded({ ...fnOptions, label: 'succeeded' }),
          stateMachine.metricFailed({ ...fnOptions, label: 'failed' }),
          stateMachine.metricTimedOut({ ...fnOptions, label: 'timed out' }),
          stateMachine.metricThrottled({ ...fnOptions, label: 'throttled' }),
        ]),
      ),
    );
    dashboard.addWidgets(
      graph(
        'Lambda errors',
        functionList.map(([id, fn]) => fn.metricErrors({ ...fnOptions, label: id })),
      ),
      graph(
        'Lambda throttles',
        functionList.map(([id, fn]) => fn.metricThrottles({ ...fnOptions, label: id })),
      ),
      graph(
        'Lambda concurrency (max)',
        functionList.map(([id, fn]) =>
          fn.metric('ConcurrentExecutions', { period, statistic: cloudwatch.Stats.MAXIMUM, label: id }),
        ),
      ),
    );
    dashboard.addWidgets(
      graph(
        'DynamoDB throttle events',
        this.#props.tables.flatMap((table) => [
          table.metric('ReadThrottleEvents', { ...fnOptions, label: `${table.node.id} read` }),
          table.metric('WriteThrottleEvents', { ...fnOptions, label: `${table.node.id} write` }),
        ]),
      ),
      graph('Event deliveries (failed) and dead-letter queues', [
        ...this.#props.eventRules.map(({ id, rule }) =>
          this.#eventsMetric('FailedInvocations', rule, { ...fnOptions, label: `${id} failed` }),
        ),
        ...this.#props.deadLetterQueues.map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: queue.node.id,
          }),
        ),
      ]),
      graph('TrueLayer failures (journeys, every flow)', [
        this.#product(JourneyMetrics.failed, { reason: 'truelayer_unavailable' }, period).with({
          label: 'truelayer_unavailable',
        }),
        this.#product(JourneyMetrics.failed, { side: 'truelayer' }, period).with({
          label: 'TrueLayer side',
        }),
        this.#product(JourneyMetrics.ended, {}, period).with({ label: 'journeys ended' }),
      ]),
    );
    return dashboard;
  }
}
