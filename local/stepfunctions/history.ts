import type { EngineEvent } from './engine.ts';
import type { JsonValue } from './json.ts';
import { STATES_TIMEOUT } from './task-failure.ts';
import type { HistoryEvent } from './types.ts';

/** AWS caps an execution's history at 25,000 events; the last one is the ExecutionFailed it forces. */
export const MAX_HISTORY_EVENTS = 25_000;

/** One call of a Task's resource, as the Task handler reports it to the history. */
export interface TaskInvocation {
  readonly stateName: string;
  /** Direct Lambda ARNs are reported as `LambdaFunction*` events, service integrations as `Task*` events. */
  readonly family: 'lambda' | 'task';
  /** Integration type and name (`lambda`/`invoke`), or the function ARN for the `lambda` family. */
  readonly resourceType: string;
  readonly resource: string;
  readonly input: JsonValue;
  readonly timeoutInSeconds?: number;
  /** The task token, for callback Tasks: closed when the engine gives up on the Task. */
  token?: string;
  outcome: { status: 'running' } | { status: 'succeeded'; output: JsonValue } | { status: 'failed' };
}

interface TrackedInvocation {
  readonly invocation: TaskInvocation;
  index: number | undefined;
  announced: boolean;
  closed: boolean;
  pendingSubmission: { output: JsonValue; at: Date } | undefined;
}

/** What the recorder needs from the execution it records. */
export interface HistoryRecorderHooks {
  region: string;
  /** Called for each event as it is recorded. */
  onEvent(event: HistoryEvent): void;
  /** The engine abandoned a waiting callback Task (timeout): its token must stop working. */
  expireToken(token: string): void;
  /** The history is one event short of the AWS limit: the execution must now fail. */
  limitReached(): void;
}

/**
 * Builds an execution's history in the AWS shape from the engine's event stream and the Task handlers'
 * reports. Mapping (engine → AWS):
 * - StateEntered → `<Type>StateEntered` (for a Task, also the `TaskScheduled`+`TaskStarted` or
 *   `LambdaFunctionScheduled`+`LambdaFunctionStarted` of its invocation);
 * - StateRetried → the `…Scheduled`/`…Started` of the retry's invocation (AWS has no "retried" event);
 * - StateExited → `TaskSucceeded`/`LambdaFunctionSucceeded` (raw result), then `<Type>StateExited`
 *   (no exit for Fail states, as on AWS);
 * - StateFailed → `TaskFailed`/`TaskTimedOut` (or `LambdaFunction…`); other states' failures only show
 *   in the execution's terminal event, as on AWS; StateCaught → nothing;
 * - Parallel and Map states are refused when the machine is compiled (the product has none);
 * - a callback Task's resource call returning → `TaskSubmitted` with the call's response.
 * The execution's own Started/terminal events are recorded by the execution itself.
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  readonly #hooks: HistoryRecorderHooks;
  readonly #invocations: TrackedInvocation[] = [];
  #engineEventsAccepted = true;
  #sealed = false;

  constructor(hooks: HistoryRecorderHooks) {
    this.#hooks = hooks;
  }

  /** Records a Task handler's call; the engine's StateEntered/StateRetried for it announces it. */
  taskInvoked(invocation: TaskInvocation): void {
    this.#invocations.push({
      invocation,
      index: undefined,
      announced: false,
      closed: false,
      pendingSubmission: undefined,
    });
  }

  /** A callback Task's resource call returned: `TaskSubmitted`, once the Task has been announced. */
  taskSubmitted(invocation: TaskInvocation, output: JsonValue): void {
    const tracked = this.#invocations.find((candidate) => candidate.invocation === invocation);
    if (!tracked || tracked.closed) return;
    if (tracked.announced) this.#taskSubmitted(tracked, output, new Date());
    else tracked.pendingSubmission = { output, at: new Date() };
  }

  /** Maps one engine event to AWS history events (see the class comment). */
  engineEvent(event: EngineEvent): void {
    if (!this.#engineEventsAccepted) return;
    const at = new Date(event.timestamp);
    switch (event.type) {
      case 'StateEntered': {
        const { name, type, input } = event.state;
        this.#append(`${type}StateEntered`, at, { stateEnteredEventDetails: { name, ...inputData(input) } });
        if (type === 'Task') this.#announce(name, event.index, at);
        break;
      }
      case 'StateRetried':
        if (event.state.type === 'Task') this.#announce(event.state.name, event.index, at);
        break;
      case 'StateExited': {
        const { name, type, output } = event.state;
        if (type === 'Task') this.#taskExited(name, event.index, at);
        this.#append(`${type}StateExited`, at, {
          stateExitedEventDetails: { name, ...outputData(output ?? null) },
        });
        break;
      }
      case 'StateFailed': {
        const { name, type } = event.state;
        if (type === 'Task') this.#taskFailed(name, event.index, event.Error, event.Cause, at);
        break;
      }
      default:
        // Execution events are recorded by the execution itself; StateCaught has no AWS counterpart.
        break;
    }
  }

  /** `ExecutionStarted`, the first event. */
  executionStarted(input: string, roleArn: string): void {
    this.#append('ExecutionStarted', new Date(), {
      executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn },
    });
  }

  /** The execution's terminal event; nothing is recorded after it. */
  executionEnded(
    type: 'ExecutionSucceeded' | 'ExecutionFailed' | 'ExecutionAborted' | 'ExecutionTimedOut',
    details: { output?: string; error?: string; cause?: string },
    at: Date,
  ): void {
    if (this.#sealed) return;
    this.#engineEventsAccepted = false;
    const key = `${lowerFirst(type)}EventDetails`;
    if (type === 'ExecutionSucceeded') {
      this.#append(
        type,
        at,
        { [key]: { output: details.output, outputDetails: { truncated: false } } },
        true,
      );
    } else {
      this.#append(type, at, { [key]: errorDetails(details.error, details.cause) }, true);
    }
    this.#sealed = true;
  }

  #announce(stateName: string, index: number | undefined, at: Date): void {
    // The engine calls a Task's handler synchronously right after dispatching its StateEntered/StateRetried,
    // so unannounced invocations of a state are in the same order as those events.
    const tracked = this.#invocations.find((c) => !c.announced && c.invocation.stateName === stateName);
    if (!tracked) return;
    tracked.announced = true;
    tracked.index = index;
    const inv = tracked.invocation;
    if (inv.family === 'lambda') {
      this.#append('LambdaFunctionScheduled', at, {
        lambdaFunctionScheduledEventDetails: {
          resource: inv.resource,
          ...inputData(inv.input),
          ...(inv.timeoutInSeconds === undefined ? {} : { timeoutInSeconds: inv.timeoutInSeconds }),
        },
      });
      this.#append('LambdaFunctionStarted', at);
    } else {
      this.#append('TaskScheduled', at, {
        taskScheduledEventDetails: {
          resourceType: inv.resourceType,
          resource: inv.resource,
          region: this.#hooks.region,
          parameters: JSON.stringify(inv.input),
          ...(inv.timeoutInSeconds === undefined ? {} : { timeoutInSeconds: inv.timeoutInSeconds }),
        },
      });
      this.#append('TaskStarted', at, {
        taskStartedEventDetails: { resourceType: inv.resourceType, resource: inv.resource },
      });
    }
    if (tracked.pendingSubmission) {
      this.#taskSubmitted(tracked, tracked.pendingSubmission.output, tracked.pendingSubmission.at);
      tracked.pendingSubmission = undefined;
    }
  }

  #taskSubmitted(tracked: TrackedInvocation, output: JsonValue, at: Date): void {
    const inv = tracked.invocation;
    this.#append('TaskSubmitted', at, {
      taskSubmittedEventDetails: {
        resourceType: inv.resourceType,
        resource: inv.resource,
        ...outputData(output),
      },
    });
  }

  #current(stateName: string, index: number | undefined): TrackedInvocation | undefined {
    return this.#invocations.find(
      (c) => c.announced && !c.closed && c.invocation.stateName === stateName && c.index === index,
    );
  }

  #taskExited(stateName: string, index: number | undefined, at: Date): void {
    const tracked = this.#current(stateName, index);
    // No open invocation: the Task failed and was caught, its failure is already recorded.
    if (!tracked) return;
    this.#taskSucceeded(tracked, at);
  }

  #taskSucceeded(tracked: TrackedInvocation, at: Date): void {
    this.#close(tracked);
    const inv = tracked.invocation;
    if (inv.outcome.status !== 'succeeded') return;
    const data = outputData(inv.outcome.output);
    if (inv.family === 'lambda') {
      this.#append('LambdaFunctionSucceeded', at, { lambdaFunctionSucceededEventDetails: data });
    } else {
      this.#append('TaskSucceeded', at, {
        taskSucceededEventDetails: { resourceType: inv.resourceType, resource: inv.resource, ...data },
      });
    }
  }

  #taskFailed(stateName: string, index: number | undefined, error: string, cause: unknown, at: Date): void {
    const tracked = this.#current(stateName, index);
    // No invocation: the Task failed before calling its resource (e.g. a Parameters path error); AWS
    // then records only the execution's failure.
    if (!tracked) return;
    const inv = tracked.invocation;
    if (inv.outcome.status === 'succeeded') {
      // The resource answered but the result could not be processed (ResultSelector/ResultPath).
      this.#taskSucceeded(tracked, at);
      return;
    }
    this.#close(tracked);
    if (inv.outcome.status === 'running' && inv.token !== undefined) this.#hooks.expireToken(inv.token);
    const timedOut = error === STATES_TIMEOUT;
    // AWS reports timeouts without a cause.
    const details = timedOut ? { error: STATES_TIMEOUT } : errorDetails(error, causeText(cause));
    if (inv.family === 'lambda') {
      const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
      this.#append(type, at, { [`${lowerFirst(type)}EventDetails`]: details });
    } else {
      const type = timedOut ? 'TaskTimedOut' : 'TaskFailed';
      this.#append(type, at, {
        [`${lowerFirst(type)}EventDetails`]: {
          resourceType: inv.resourceType,
          resource: inv.resource,
          ...details,
        },
      });
    }
  }

  /** Done with an invocation: forget it, so long executions do not slow down the lookups. */
  #close(tracked: TrackedInvocation): void {
    tracked.closed = true;
    this.#invocations.splice(this.#invocations.indexOf(tracked), 1);
  }

  #append(type: string, timestamp: Date, details: Record<string, unknown> = {}, terminal = false): void {
    // After the limit only the terminal event may still be recorded.
    if (this.#sealed || (!terminal && !this.#engineEventsAccepted)) return;
    const id = this.events.length + 1;
    const event = deepFreeze({ id, previousEventId: id - 1, timestamp, type, ...details }) as HistoryEvent;
    this.events.push(event);
    this.#hooks.onEvent(event);
    if (this.#engineEventsAccepted && this.events.length >= MAX_HISTORY_EVENTS - 1) {
      this.#engineEventsAccepted = false;
      this.#hooks.limitReached();
    }
  }
}

/** The text AWS shows as a cause: the engine carries causes as strings; the empty string means none. */
export function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null || cause === '') return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

function errorDetails(
  error: string | undefined,
  cause: string | undefined,
): { error?: string; cause?: string } {
  return { ...(error ? { error } : {}), ...(cause === undefined ? {} : { cause }) };
}

function inputData(input: JsonValue) {
  return { input: JSON.stringify(input), inputDetails: { truncated: false } };
}

function outputData(output: JsonValue) {
  return { output: JSON.stringify(output), outputDetails: { truncated: false } };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
