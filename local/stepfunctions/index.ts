/**
 * A local AWS Step Functions service: runs ASL state machines with aws-local-stepfunctions behind an HTTP
 * server that speaks the Step Functions JSON protocol, so unmodified `@aws-sdk/client-sfn` clients can
 * use it (through `AWS_ENDPOINT_URL_SFN` or an explicit `endpoint`). See README.md in this folder.
 */
import { stateMachineArn as buildStateMachineArn } from './arn.ts';
import { compileStateMachine } from './machine.ts';
import { startApiServer } from './server.ts';
import { StepFunctionsService } from './service.ts';
import type { ExecutionRecord, LocalStepFunctions, LocalStepFunctionsOptions, TaskTimers } from './types.ts';

export type {
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  LambdaFault,
  LambdaFunction,
  LocalStepFunctions,
  LocalStepFunctionsOptions,
  StateMachineConfig,
  StepFunctionsFaults,
  TaskTimers,
} from './types.ts';

const DEFAULT_WAIT_MS = 30_000;

const NODE_TIMERS: TaskTimers = {
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * Starts the service. Every state machine is validated first (definition, Task resources, local
 * functions): a misconfiguration rejects here rather than in the middle of an
 * execution.
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const location = { region: options.region ?? 'eu-west-2', accountId: options.accountId ?? '000000000000' };
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(location.region))
    throw new Error(`Invalid region '${location.region}'`);
  if (!/^\d{12}$/.test(location.accountId)) throw new Error(`Invalid account id '${location.accountId}'`);
  const retryIntervalMs = options.retryIntervalMs;
  if (retryIntervalMs !== undefined && !(Number.isFinite(retryIntervalMs) && retryIntervalMs >= 0)) {
    throw new Error(`Invalid retryIntervalMs ${retryIntervalMs}`);
  }
  const machines = options.stateMachines.map((config) =>
    compileStateMachine(config, { location, lambdas: options.lambdas }),
  );
  const service = new StepFunctionsService({
    location,
    machines,
    lambdas: options.lambdas,
    retryIntervalMs,
    onHistoryEvent: options.onHistoryEvent,
    faults: options.faults,
    timers: options.timers ?? NODE_TIMERS,
  });
  const server = await startApiServer(
    service,
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    options.faults?.api,
  );
  let closing: Promise<void> | undefined;

  return {
    endpoint: server.endpoint,
    stateMachineArn(name) {
      const arn = buildStateMachineArn(location, name);
      if (!machines.some((machine) => machine.arn === arn))
        throw new Error(`No state machine named '${name}'`);
      return arn;
    },
    executions: () => service.executions.map((execution) => execution.snapshot()),
    history: (executionArn) => [...service.execution(executionArn).history],
    async waitForExecution(executionArn, opts) {
      const execution = service.execution(executionArn);
      const timeoutMs = opts?.timeoutMs ?? DEFAULT_WAIT_MS;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`Execution ${executionArn} still ${execution.status} after ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([execution.finished, deadline]);
      } finally {
        clearTimeout(timer);
      }
      return execution.snapshot() satisfies ExecutionRecord;
    },
    close() {
      closing ??= (async () => {
        await service.close();
        await server.close();
      })();
      return closing;
    },
  };
}
