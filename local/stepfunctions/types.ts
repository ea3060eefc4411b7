import type { HistoryEventType, HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import type { AwsFaultKind } from '../aws-faults.ts';

/**
 * A local stand-in for a Lambda function: receives the invocation payload (a private JSON copy) and
 * returns the result. A thrown error surfaces in the state machine exactly like a Lambda function error:
 * error name = the thrown error's `name`, cause = `{"errorType","errorMessage","trace":[]}` as a JSON string.
 */
export type LambdaFunction = (event: unknown) => Promise<unknown>;

/** The status of an execution, as DescribeExecution reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/**
 * One execution history event, in the shape of the AWS SDK's `HistoryEvent` (same detail objects, e.g.
 * `taskFailedEventDetails`, with `input`/`output`/`parameters` as JSON strings), except that the
 * bookkeeping fields are always present. Events are frozen: they are shared, never copied.
 */
export type HistoryEvent = Omit<SdkHistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'> & {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: HistoryEventType;
};

/** A snapshot of one execution, with everything DescribeExecution and GetExecutionHistory report. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** The execution input, as the JSON string it was started with. */
  input: string;
  /** The execution output as a JSON string, once SUCCEEDED. */
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

/** A state machine to serve: its ARN is derived from `name`, region and account. */
export interface StateMachineConfig {
  name: string;
  /** The ASL definition, as JSON text or as an object (already substituted: no `${...}` placeholders). */
  definition: string | object;
}

/** A fault a Lambda invocation by a Task meets (see `lambdaFaultOutcome` in lambda.ts). */
export interface LambdaFault {
  fault: AwsFaultKind;
  /** The function's configured timeout, for the message of a `timeout` fault. */
  timeoutSeconds: number;
}

/**
 * Fault injection hooks (the local runtime binds them to local/aws-faults.ts). `subjects` lazily yields
 * the texts that tie the call to a journey: the request body, plus the name and input of the execution a
 * task token or execution ARN belongs to; for a Lambda invocation, its payload.
 */
export interface StepFunctionsFaults {
  /** Consulted for each API request before it is carried out. */
  api?: (operation: string, subjects: () => readonly string[]) => AwsFaultKind | undefined;
  /** Consulted before a Task invokes a function; `functionKey` is its key in `lambdas`. */
  lambda?: (functionKey: string, subjects: () => readonly string[]) => LambdaFault | undefined;
}

/** Options of {@link startLocalStepFunctions}. */
export interface LocalStepFunctionsOptions {
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Port to bind; default `0` (an ephemeral port, see {@link LocalStepFunctions.endpoint}). */
  port?: number;
  /** Region used in ARNs; default `eu-west-2`. */
  region?: string;
  /** Account used in ARNs; default `000000000000`. */
  accountId?: string;
  stateMachines: StateMachineConfig[];
  /** Local Lambda functions, keyed by function name and/or full function ARN. */
  lambdas: Record<string, LambdaFunction>;
  /** When set, every `Retry` pause lasts this many milliseconds instead of the ASL's own backoff (tests). */
  retryIntervalMs?: number;
  /** Called synchronously for every history event as it is recorded (terminal progress, live UI). */
  onHistoryEvent?: (executionArn: string, event: HistoryEvent) => void;
  /** Injected faults: API calls answered as AWS would fail them, Lambda invocations failing as Lambda would. */
  faults?: StepFunctionsFaults;
  /**
   * Where Task timeouts are timed; default Node's timers. A clock that can jump (see
   * local/clock.ts) ends a waiting Task as soon as its timeout is past.
   */
  timers?: TaskTimers;
}

/** Arms a one-shot timer and returns what cancels it. */
export interface TaskTimers {
  setTimeout(callback: () => void, ms: number): () => void;
}

/** A running local Step Functions service. */
export interface LocalStepFunctions {
  /** Base URL for SDK clients, e.g. `http://127.0.0.1:PORT` (use as `endpoint` or `AWS_ENDPOINT_URL_SFN`). */
  endpoint: string;
  /** The ARN of the served state machine called `name`; throws if there is none. */
  stateMachineArn(name: string): string;
  /** Snapshots of all executions, oldest first. */
  executions(): ExecutionRecord[];
  /** The full history of an execution; throws if the execution is unknown. */
  history(executionArn: string): HistoryEvent[];
  /** Resolves with the execution's snapshot once it is no longer RUNNING; rejects at the deadline (default 30 s). */
  waitForExecution(executionArn: string, opts?: { timeoutMs?: number }): Promise<ExecutionRecord>;
  /** Aborts running executions and closes the HTTP server. */
  close(): Promise<void>;
}
