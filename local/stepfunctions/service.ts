import { randomUUID } from 'node:crypto';
import { type AwsLocation, executionArn, isStatesArn } from './arn.ts';
import { ServiceError } from './errors.ts';
import { Execution } from './execution.ts';
import { tryParseJson } from './json.ts';
import type { CompiledStateMachine } from './machine.ts';
import { assertValidExecutionName } from './names.ts';
import { TaskTokenRegistry } from './task-tokens.ts';
import type { HistoryEvent, LambdaFunction, StepFunctionsFaults, TaskTimers } from './types.ts';

/** Everything the service runs executions with. */
export interface ServiceOptions {
  location: AwsLocation;
  machines: CompiledStateMachine[];
  lambdas: Record<string, LambdaFunction>;
  retryIntervalMs: number | undefined;
  onHistoryEvent: ((executionArn: string, event: HistoryEvent) => void) | undefined;
  faults: StepFunctionsFaults | undefined;
  timers: TaskTimers;
}

/**
 * The Step Functions API semantics, independent of HTTP: state machines, executions (kept in memory for
 * the life of the process, like AWS keeps them for 90 days) and task tokens. Failures throw
 * {@link ServiceError} with the AWS error code.
 */
export class StepFunctionsService {
  readonly #options: ServiceOptions;
  readonly #machines = new Map<string, CompiledStateMachine>();
  /** All executions by ARN, in start order. */
  readonly #executions = new Map<string, Execution>();
  readonly #tokens: TaskTokenRegistry;

  constructor(options: ServiceOptions) {
    this.#options = options;
    this.#tokens = new TaskTokenRegistry();
    for (const machine of options.machines) {
      if (this.#machines.has(machine.arn)) throw new Error(`Two state machines are named '${machine.name}'`);
      this.#machines.set(machine.arn, machine);
    }
  }

  /** All executions, oldest first. */
  get executions(): Execution[] {
    return [...this.#executions.values()];
  }

  /**
   * StartExecution, idempotent as on AWS (Standard workflows): the same name while the execution is
   * still running with the identical input string returns that execution; a different input, or any
   * input once it has closed, is `ExecutionAlreadyExists`. A missing name becomes a UUID; a missing
   * input is `{}`.
   */
  startExecution(stateMachineArn: string, name: string | undefined, input: string | undefined): Execution {
    const machine = this.#machine(stateMachineArn);
    const executionName = name ?? randomUUID();
    assertValidExecutionName(executionName);
    const executionInput = input ?? '{}';
    if (!tryParseJson(executionInput)) {
      throw new ServiceError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not valid JSON',
      );
    }
    const arn = executionArn(this.#options.location, machine.name, executionName);
    const existing = this.#executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === executionInput) return existing;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution = new Execution(machine, arn, executionName, executionInput, {
      location: this.#options.location,
      tokens: this.#tokens,
      lambdas: this.#options.lambdas,
      retryIntervalMs: this.#options.retryIntervalMs,
      onHistoryEvent: this.#options.onHistoryEvent,
      timers: this.#options.timers,
      faults: this.#options.faults,
    });
    this.#executions.set(arn, execution);
    return execution;
  }

  /** The execution with this ARN: `InvalidArn` if malformed, `ExecutionDoesNotExist` if unknown. */
  execution(arn: string): Execution {
    if (!isStatesArn(arn, 'execution')) throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = this.#executions.get(arn);
    if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** ListExecutions: the machine's executions, newest first. */
  listExecutions(stateMachineArn: string): Execution[] {
    const machine = this.#machine(stateMachineArn);
    return this.executions.filter((e) => e.machine === machine).reverse();
  }

  /** StopExecution: ends a running execution as ABORTED (a no-op on a closed one); resolves with its stop date. */
  async stopExecution(arn: string, error: string | undefined, cause: string | undefined): Promise<Date> {
    const execution = this.execution(arn);
    await execution.stop(error, cause);
    return execution.stopDate ?? new Date();
  }

  /** SendTaskSuccess: `output` must be JSON (`InvalidOutput`); token errors as in {@link TaskTokenRegistry}. */
  sendTaskSuccess(token: string, output: string): void {
    const parsed = tryParseJson(output);
    if (!parsed) throw new ServiceError('InvalidOutput', 'Invalid Output: not valid JSON');
    this.#tokens.succeed(token, parsed.value);
  }

  /**
   * The execution an API request is about, by its `taskToken` or `executionArn`, as the texts that tie
   * it to a journey (its name and input); empty when there is none.
   */
  relatedTexts(request: unknown): string[] {
    if (typeof request !== 'object' || request === null) return [];
    let arn: string | undefined;
    if ('taskToken' in request && typeof request.taskToken === 'string')
      arn = this.#tokens.executionOf(request.taskToken);
    else if ('executionArn' in request && typeof request.executionArn === 'string')
      arn = request.executionArn;
    const execution = arn === undefined ? undefined : this.#executions.get(arn);
    return execution ? [execution.name, execution.input] : [];
  }

  /** Aborts every running execution and waits until they have all ended. */
  async close(): Promise<void> {
    await Promise.all(this.executions.map((execution) => execution.stop()));
  }

  #machine(arn: string): CompiledStateMachine {
    if (!isStatesArn(arn, 'stateMachine')) throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.#machines.get(arn);
    if (!machine)
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }
}
