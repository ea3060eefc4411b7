import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AwsLocation, executionRoleArn, stateMachineArn } from './arn.ts';
import { type FailStateInfo, parseDefinition, prepareDefinition, type TaskStateInfo } from './definition.ts';
import { isJsonObject } from './json.ts';
import { resolveLambda } from './lambda.ts';
import { isValidName } from './names.ts';
import { classifyResource, type TaskResource } from './resources.ts';
import type { LambdaFunction, StateMachineConfig } from './types.ts';

/** A Task state with its resource resolved to what serves it locally. */
export interface CompiledTask {
  info: TaskStateInfo;
  resource: TaskResource;
}

/** A state machine checked at start-up and ready to run executions. */
export interface CompiledStateMachine {
  name: string;
  arn: string;
  roleArn: string;
  /** The definition as given (JSON text), for DescribeStateMachine. */
  definition: string;
  creationDate: Date;
  engine: StateMachine;
  /** Task states by name (names are unique: the engine routes Task overrides by state name). */
  tasks: Map<string, CompiledTask>;
  retryStateNames: string[];
  failStates: Map<string, FailStateInfo>;
}

/** What the served state machines may use. */
export interface CompileContext {
  location: AwsLocation;
  lambdas: Record<string, LambdaFunction>;
}

const TASK_TOKEN_PATH = '$$.Task.Token';
const SUPPORTED = [
  'arn:aws:lambda:<region>:<account>:function:<name>',
  'arn:aws:states:::lambda:invoke[.waitForTaskToken]',
].join(', ');

/**
 * Validates a state machine and prepares it for the engine. Everything that would only fail once an
 * execution reaches the state (unsupported resource, unknown function, callback Task
 * that never passes its token on) fails here instead, so a misconfigured local stack fails loudly at start.
 */
export function compileStateMachine(
  config: StateMachineConfig,
  context: CompileContext,
): CompiledStateMachine {
  const where = `State machine '${config.name}'`;
  if (!isValidName(config.name)) throw new Error(`${where}: invalid state machine name`);
  const definition = parseDefinition(config.definition);
  const prepared = prepareDefinition(definition);
  // The product's state machine has no Parallel or Map state and no heartbeat; the local runtime
  // does not model them, so a definition that needs them is refused here rather than run wrongly.
  const states = isJsonObject(definition['States']) ? definition['States'] : {};
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const type = state['Type'];
    if (type === 'Parallel' || type === 'Map')
      throw new Error(`${where}, state '${name}': ${type} states are not supported locally`);
    if ('HeartbeatSeconds' in state || 'HeartbeatSecondsPath' in state)
      throw new Error(`${where}, state '${name}': heartbeats are not supported locally`);
  }
  const tasks = new Map<string, CompiledTask>();
  for (const info of prepared.tasks) {
    if (tasks.has(info.name)) throw new Error(`${where}: more than one Task state is named '${info.name}'`);
    tasks.set(info.name, compileTask(info, context, `${where}, state '${info.name}'`));
  }
  let engine: StateMachine;
  try {
    // The engine's validator (asl-validator) checks the definition, its JSONPaths and its ARNs.
    engine = new StateMachine(prepared.engineDefinition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  return {
    name: config.name,
    arn: stateMachineArn(context.location, config.name),
    roleArn: executionRoleArn(context.location, config.name),
    definition: typeof config.definition === 'string' ? config.definition : JSON.stringify(definition),
    creationDate: new Date(),
    engine,
    tasks,
    retryStateNames: prepared.retryStateNames,
    failStates: prepared.failStates,
  };
}

function compileTask(info: TaskStateInfo, context: CompileContext, where: string): CompiledTask {
  const resource = classifyResource(info.resource);
  if (!resource) {
    throw new Error(
      `${where}: Resource '${info.resource}' is not supported locally (supported: ${SUPPORTED})`,
    );
  }
  const parameters = isJsonObject(info.parameters) ? info.parameters : undefined;
  const passesToken = JSON.stringify(info.parameters ?? null).includes(TASK_TOKEN_PATH);
  switch (resource.kind) {
    case 'lambda-function': {
      // Checked here, found again per invocation (by its key, which fault rules are matched on).
      if (!resolveLambda(context.lambdas, resource.functionArn))
        throw new Error(`${where}: no local Lambda function for '${resource.functionArn}'`);
      break;
    }
    case 'lambda-invoke': {
      const functionName = parameters?.['FunctionName'];
      if (typeof functionName === 'string' && !resolveLambda(context.lambdas, functionName)) {
        throw new Error(`${where}: no local Lambda function for '${functionName}'`);
      }
      if (functionName === undefined && typeof parameters?.['FunctionName.$'] !== 'string') {
        throw new Error(`${where}: lambda:invoke needs Parameters.FunctionName`);
      }
      break;
    }
  }
  if ('callback' in resource && resource.callback && !passesToken) {
    throw new Error(`${where}: a .waitForTaskToken Task must pass ${TASK_TOKEN_PATH} in its Parameters`);
  }
  return { info, resource };
}
