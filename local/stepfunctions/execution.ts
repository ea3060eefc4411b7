import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { AwsLocation } from './arn.ts';
import { MAX_TIMER_SECONDS, readTaskInput } from './definition.ts';
import type { EngineEvent, EngineJson, TaskHandler } from './engine.ts';
import { causeText, HistoryRecorder, MAX_HISTORY_EVENTS, type TaskInvocation } from './history.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { invokeLambda, lambdaNotFound, resolveLambdaKey } from './lambda.ts';
import type { CompiledStateMachine, CompiledTask } from './machine.ts';
import { integrationName } from './resources.ts';
import { STATES_TIMEOUT, TaskFailure } from './task-failure.ts';
import { type IssuedToken, TaskTokenRegistry } from './task-tokens.ts';
import type {
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  LambdaFunction,
  StepFunctionsFaults,
  TaskTimers,
} from './types.ts';

/** What executions share: the task tokens, the local functions and the service integrations. */
export interface ExecutionEnvironment {
  location: AwsLocation;
  tokens: TaskTokenRegistry;
  lambdas: Record<string, LambdaFunction>;
  retryIntervalMs: number | undefined;
  onHistoryEvent: ((executionArn: string, event: HistoryEvent) => void) | undefined;
  faults: StepFunctionsFaults | undefined;
  /** Times each Task's timeout (as well as the engine, whose own timer only Node's clock moves). */
  timers: TaskTimers;
}

/** How an execution ended, as DescribeExecution reports it. */
interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * One execution of a state machine: runs it on aws-local-stepfunctions with the Task states routed to
 * local implementations, records its history, and settles its status like AWS does.
 */
export class Execution {
  readonly arn: string;
  readonly name: string;
  readonly machine: CompiledStateMachine;
  readonly startDate: Date;
  /** The execution input as given to StartExecution (compared verbatim for idempotent starts). */
  readonly input: string;
  /** Settles once the execution has ended and its terminal event is recorded; never rejects. */
  readonly finished: Promise<void>;
  #status: ExecutionStatus = 'RUNNING';
  #stopDate: Date | undefined;
  #outcome: Outcome | undefined;
  readonly #env: ExecutionEnvironment;
  readonly #history: HistoryRecorder;
  /** `$$.Task.Token` of this execution; replaced by a fresh token per waiting Task (see #issueToken). */
  readonly #tokenPlaceholder = TaskTokenRegistry.mint();
  #abortRun: () => void = () => {};
  /** Set as soon as the run is aborted, before the engine has wound down and the status is final. */
  #aborted = false;
  #stopRequest: { error?: string; cause?: string } | undefined;
  #forcedFailure: { error: string; cause: string } | undefined;
  #lastFailState: { name: string; error: string; cause: unknown } | undefined;

  constructor(
    machine: CompiledStateMachine,
    arn: string,
    name: string,
    input: string,
    env: ExecutionEnvironment,
  ) {
    this.machine = machine;
    this.arn = arn;
    this.name = name;
    this.input = input;
    this.#env = env;
    this.startDate = new Date();
    this.#history = new HistoryRecorder({
      region: env.location.region,
      onEvent: (event) => this.#publish(event),
      expireToken: (token) => env.tokens.expire(token),
      limitReached: () => {
        this.#forcedFailure = {
          error: 'States.Runtime',
          cause: `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`,
        };
        this.#abort();
      },
    });
    this.#history.executionStarted(input, machine.roleArn);
    this.finished = this.#run(JSON.parse(input) as JsonValue);
  }

  /** Current status. */
  get status(): ExecutionStatus {
    return this.#status;
  }

  /** When the execution ended, once it has. */
  get stopDate(): Date | undefined {
    return this.#stopDate;
  }

  /** The history recorded so far (frozen events, shared). */
  get history(): readonly HistoryEvent[] {
    return this.#history.events;
  }

  /** A snapshot for callers outside the service. */
  snapshot(): ExecutionRecord {
    return {
      executionArn: this.arn,
      stateMachineArn: this.machine.arn,
      stateMachineName: this.machine.name,
      name: this.name,
      status: this.#status,
      startDate: this.startDate,
      input: this.input,
      ...(this.#stopDate ? { stopDate: this.#stopDate } : {}),
      ...definedFields(this.#outcome),
      history: [...this.#history.events],
    };
  }

  /** StopExecution: aborts the execution (ABORTED with the caller's error and cause) and waits until it has ended. */
  async stop(error?: string, cause?: string): Promise<void> {
    // Only the first stop counts: a later one (e.g. close() during StopExecution) keeps its error and cause.
    if (this.#status === 'RUNNING' && !this.#aborted) {
      this.#stopRequest = {
        ...(error === undefined ? {} : { error }),
        ...(cause === undefined ? {} : { cause }),
      };
      this.#abort();
    }
    await this.finished;
  }

  async #run(input: JsonValue): Promise<void> {
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, task] of this.machine.tasks) {
      handlers[stateName] = (engineInput) =>
        this.#runTask(task, engineInput as JsonValue) as Promise<EngineJson>;
    }
    const retryIntervalMs = this.#env.retryIntervalMs;
    const run = this.machine.engine.run(input as EngineJson, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(retryIntervalMs === undefined
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                this.machine.retryStateNames.map((n) => [n, retryIntervalMs]),
              ),
            }),
      },
      context: {
        Execution: {
          Id: this.arn,
          Name: this.name,
          RoleArn: this.machine.roleArn,
          Input: input as EngineJson,
          StartTime: this.startDate.toISOString(),
        },
        StateMachine: { Id: this.machine.arn, Name: this.machine.name },
        Task: { Token: this.#tokenPlaceholder },
      },
    });
    this.#abortRun = run.abort;
    const consumed = (async () => {
      for await (const event of run.eventLogs) this.#onEngineEvent(event);
    })();
    // Wait for the event stream too: it ends with the engine's terminal event, so the history is complete.
    const [result] = await Promise.allSettled([run.result, consumed]);
    this.#finish(
      result.status === 'fulfilled'
        ? { ok: true, value: result.value }
        : { ok: false, reason: result.reason },
    );
  }

  #abort(): void {
    this.#aborted = true;
    this.#abortRun();
  }

  #onEngineEvent(event: EngineEvent): void {
    if (event.type === 'StateFailed' && event.state.type === 'Fail') {
      this.#lastFailState = { name: event.state.name, error: event.Error, cause: event.Cause };
    }
    this.#history.engineEvent(event);
  }

  #finish(result: { ok: true; value: unknown } | { ok: false; reason: unknown }): void {
    const outcome = this.#outcomeOf(result);
    const at = new Date();
    this.#outcome = outcome;
    this.#status = outcome.status;
    this.#stopDate = at;
    // Tokens of Tasks still waiting must answer TaskTimedOut from now on.
    this.#env.tokens.expireExecution(this.arn);
    const eventType = {
      SUCCEEDED: 'ExecutionSucceeded',
      FAILED: 'ExecutionFailed',
      ABORTED: 'ExecutionAborted',
      TIMED_OUT: 'ExecutionTimedOut',
    } as const;
    this.#history.executionEnded(eventType[outcome.status], outcome, at);
  }

  #outcomeOf(result: { ok: true; value: unknown } | { ok: false; reason: unknown }): Outcome {
    if (this.#forcedFailure) return { status: 'FAILED', ...this.#forcedFailure };
    if (result.ok) return { status: 'SUCCEEDED', output: JSON.stringify(result.value ?? null) };
    const reason = result.reason;
    if (reason instanceof ExecutionAbortedError) return { status: 'ABORTED', ...this.#stopRequest };
    // AWS records a machine-level timeout with error States.Timeout and no cause.
    if (reason instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: STATES_TIMEOUT };
    if (reason instanceof ExecutionError) return { status: 'FAILED', ...this.#failureOf(reason.cause) };
    return {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: reason instanceof Error ? reason.message : String(reason),
    };
  }

  /** The error and cause AWS reports for the error that failed the execution. */
  #failureOf(error: unknown): { error?: string; cause?: string } {
    if (!(error instanceof Error)) return { error: 'States.Runtime', cause: String(error) };
    if (error.name === STATES_TIMEOUT) return { error: STATES_TIMEOUT };
    const cause = causeText(error.message);
    const fail = this.#lastFailState;
    const failInfo = fail ? this.machine.failStates.get(fail.name) : undefined;
    if (fail && failInfo && fail.error === error.name && fail.cause === error.message) {
      // A Fail state: AWS reports only the Error/Cause it defines (the engine fills in defaults).
      return {
        ...(failInfo.definesError ? { error: error.name } : {}),
        ...(failInfo.definesCause && cause !== undefined ? { cause } : {}),
      };
    }
    // An error without a name is reported without one, as AWS does.
    return { ...(error.name ? { error: error.name } : {}), ...(cause === undefined ? {} : { cause }) };
  }

  /** The handler of one Task state: calls the resource, reporting the call to the history. */
  #runTask(task: CompiledTask, engineInput: JsonValue): Promise<JsonValue> {
    const promise = this.#startTask(task, engineInput);
    // The engine stops listening when it gives up on a Task (timeout, abort); a later rejection is expected.
    promise.catch(() => {});
    return promise;
  }

  async #startTask(task: CompiledTask, engineInput: JsonValue): Promise<JsonValue> {
    if (this.#status !== 'RUNNING' || this.#aborted) {
      // The engine may still step after an abort; nothing may run on behalf of an ended execution.
      throw new TaskFailure('States.Runtime', 'The execution has ended');
    }
    const { input: rawInput, timeoutSeconds } = readTaskInput(engineInput);
    const resource = task.resource;
    const callback = 'callback' in resource && resource.callback;
    const issued = callback ? this.#env.tokens.issue(this.arn) : undefined;
    const input = issued ? replaceInStrings(rawInput, this.#tokenPlaceholder, issued.token) : rawInput;
    const names =
      resource.kind === 'lambda-function'
        ? { resourceType: 'lambda', resource: resource.functionArn }
        : integrationName(task.info.resource);
    const timeoutInSeconds = typeof timeoutSeconds === 'number' ? timeoutSeconds : task.info.timeoutSeconds;
    const invocation: TaskInvocation = {
      stateName: task.info.name,
      family: resource.kind === 'lambda-function' ? 'lambda' : 'task',
      ...names,
      input,
      ...(timeoutInSeconds === undefined ? {} : { timeoutInSeconds }),
      ...(issued ? { token: issued.token } : {}),
      outcome: { status: 'running' },
    };
    this.#history.taskInvoked(invocation);
    try {
      const output = await this.#withinTimeout(
        this.#callResource(task, input, invocation, issued),
        timeoutInSeconds,
      );
      invocation.outcome = { status: 'succeeded', output };
      return output;
    } catch (error) {
      invocation.outcome = { status: 'failed' };
      if (issued) this.#env.tokens.expire(issued.token);
      throw error;
    }
  }

  async #callResource(
    task: CompiledTask,
    input: JsonValue,
    invocation: TaskInvocation,
    issued: IssuedToken | undefined,
  ): Promise<JsonValue> {
    const resource = task.resource;
    switch (resource.kind) {
      case 'lambda-function':
        return this.#invoke(resource.functionArn, input);
      case 'lambda-invoke': {
        const call = this.#invokeForIntegration(input);
        return issued ? this.#waitForToken(issued, call, invocation) : call;
      }
    }
  }

  /**
   * Fails the Task with States.Timeout once its timeout has passed on the stack's clock. The engine arms
   * the same timeout on Node's timers; with the system clock both fire together, with a clock that was
   * moved forward this one fires first.
   */
  #withinTimeout(call: Promise<JsonValue>, seconds: number | undefined): Promise<JsonValue> {
    if (!(typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 1)) return call;
    return new Promise((resolve, reject) => {
      const cancel = this.#env.timers.setTimeout(
        () => reject(new TaskFailure(STATES_TIMEOUT)),
        Math.min(seconds, MAX_TIMER_SECONDS) * 1000,
      );
      call.then(resolve, reject).finally(cancel);
    });
  }

  /** `lambda:invoke`: Parameters `{ FunctionName, Payload }`, result shaped like Lambda's Invoke response. */
  async #invokeForIntegration(parameters: JsonValue): Promise<JsonValue> {
    const functionName = isJsonObject(parameters) ? parameters['FunctionName'] : undefined;
    if (typeof functionName !== 'string') {
      throw new TaskFailure('States.Runtime', 'lambda:invoke needs a string FunctionName');
    }
    // Lambda hands an empty payload to the function as {}.
    const payload =
      isJsonObject(parameters) && parameters['Payload'] !== undefined ? parameters['Payload'] : {};
    return {
      ExecutedVersion: '$LATEST',
      Payload: await this.#invoke(functionName, payload),
      StatusCode: 200,
    };
  }

  /** Invokes a local function as the Lambda service would, meeting any fault injected for it. */
  #invoke(functionName: string, payload: JsonValue): Promise<JsonValue> {
    const key = resolveLambdaKey(this.#env.lambdas, functionName);
    const lambda = key === undefined ? undefined : this.#env.lambdas[key];
    if (key === undefined || lambda === undefined) throw lambdaNotFound(functionName);
    const fault = this.#env.faults?.lambda?.(key, () => [JSON.stringify(payload)]);
    return invokeLambda(lambda, payload, fault);
  }

  /**
   * A `.waitForTaskToken` Task: the resource call only hands the token out (its response is recorded as
   * TaskSubmitted); the Task's result is what SendTaskSuccess sends, and a failing call fails the Task.
   */
  #waitForToken(
    issued: IssuedToken,
    call: Promise<JsonValue>,
    invocation: TaskInvocation,
  ): Promise<JsonValue> {
    return new Promise((resolve, reject) => {
      issued.result.then(resolve, reject);
      call.then(
        (response) => this.#history.taskSubmitted(invocation, response),
        // Settle first: closing the token also settles issued.result, which must lose.
        (error: unknown) => {
          reject(error);
          this.#env.tokens.expire(issued.token);
        },
      );
    });
  }

  #publish(event: HistoryEvent): void {
    const listener = this.#env.onHistoryEvent;
    if (!listener) return;
    try {
      listener(this.arn, event);
    } catch (error) {
      // A broken listener must not break the execution it observes.
      console.error('local-stepfunctions: onHistoryEvent listener threw', error);
    }
  }
}

/** Replaces every occurrence of `search` inside the strings of `value` (not in keys). */
function replaceInStrings(value: JsonValue, search: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.replaceAll(search, replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, search, replacement));
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceInStrings(v, search, replacement)]),
    );
  }
  return value;
}

function definedFields(outcome: Outcome | undefined): { output?: string; error?: string; cause?: string } {
  if (!outcome) return {};
  const { output, error, cause } = outcome;
  return {
    ...(output === undefined ? {} : { output }),
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
  };
}
