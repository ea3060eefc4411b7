import { isJsonObject, type JsonObject, type JsonValue, toJsonValue } from './json.ts';
import { HEARTBEAT_TIMEOUT, STATES_TIMEOUT } from './task-failure.ts';

/**
 * Longest timer Node can arm: `setTimeout` treats anything above 2^31-1 ms as 1 ms (TimeoutOverflowWarning),
 * so AWS's default Task timeout of 99999999 s would fire at once. Durations are capped here (~24.8 days).
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

// Hidden Parameters keys through which a Task's handler learns values that ASL resolves against the
// state input: the engine only shows handlers (and resolves TimeoutSecondsPath against) the input
// *after* Parameters, while AWS resolves TimeoutSecondsPath/HeartbeatSecondsPath against the state input.
const HIDDEN_INPUT = '__lsfInput';
const HIDDEN_TIMEOUT = '__lsfTimeoutSeconds';
const HIDDEN_HEARTBEAT = '__lsfHeartbeatSeconds';

/** What the engine-facing copy of a definition needs to tell the handlers about one Task state. */
export interface TaskStateInfo {
  name: string;
  resource: string;
  /** The Task's `Parameters` template as written, for start-up checks. */
  parameters: JsonValue | undefined;
  /** `TimeoutSeconds` as written (absent when the Task relies on the default or on `TimeoutSecondsPath`). */
  timeoutSeconds?: number;
  /** `HeartbeatSeconds` as written. */
  heartbeatSeconds?: number;
}

/** How a `Fail` state reports itself: AWS omits error/cause that the state does not define. */
export interface FailStateInfo {
  definesError: boolean;
  definesCause: boolean;
}

/** A definition checked and rewritten for aws-local-stepfunctions, with the facts the runtime needs. */
export interface PreparedDefinition {
  /** Deep copy of the definition, adjusted so the engine behaves like AWS (see {@link prepareDefinition}). */
  engineDefinition: JsonObject;
  tasks: TaskStateInfo[];
  /** Names of all states (at any depth) that have a `Retry` field. */
  retryStateNames: string[];
  failStates: Map<string, FailStateInfo>;
}

/** Parses an ASL definition given as JSON text or object into a private JSON copy. */
export function parseDefinition(definition: string | object): JsonObject {
  let value: JsonValue;
  if (typeof definition === 'string') {
    try {
      value = JSON.parse(definition) as JsonValue;
    } catch (error) {
      throw new Error(`State machine definition is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    value = toJsonValue(definition);
  }
  if (!isJsonObject(value)) throw new Error('State machine definition must be a JSON object');
  return value;
}

/**
 * Visits every state of `definition`, including states nested in Parallel `Branches` and Map
 * `Iterator`/`ItemProcessor`: the engine runs those as nested machines with the same overrides.
 */
export function forEachState(definition: JsonObject, visit: (name: string, state: JsonObject) => void): void {
  const states = definition['States'];
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    visit(name, state);
    const branches = state['Branches'];
    if (Array.isArray(branches)) {
      for (const branch of branches) if (isJsonObject(branch)) forEachState(branch, visit);
    }
    for (const key of ['Iterator', 'ItemProcessor']) {
      const processor = state[key];
      if (isJsonObject(processor)) forEachState(processor, visit);
    }
  }
}

/**
 * Returns a deep copy of `definition` rewritten so the engine behaves like AWS, plus the facts the
 * runtime needs. Rewrites:
 * - Tasks without `TimeoutSeconds`/`TimeoutSecondsPath` get the AWS default (99999999 s) instead of the
 *   engine's 60 s, capped at {@link MAX_TIMER_SECONDS} like every other duration;
 * - `TimeoutSecondsPath`/`HeartbeatSecondsPath` are resolved through hidden Parameters keys, so they are
 *   read from the state input as on AWS (the engine would read them from the Parameters output);
 * - every `ErrorEquals` naming `States.Timeout` also names `States.HeartbeatTimeout`, because on AWS a
 *   heartbeat timeout is a kind of `States.Timeout` while the engine matches error names exactly.
 */
export function prepareDefinition(definition: JsonObject): PreparedDefinition {
  const engineDefinition = parseDefinition(definition);
  const tasks: TaskStateInfo[] = [];
  const retryStateNames: string[] = [];
  const failStates = new Map<string, FailStateInfo>();

  capSeconds(engineDefinition, 'TimeoutSeconds');
  forEachState(engineDefinition, (name, state) => {
    if (Array.isArray(state['Retry'])) retryStateNames.push(name);
    for (const field of ['Retry', 'Catch']) {
      const handlers = state[field];
      if (Array.isArray(handlers)) handlers.forEach(addHeartbeatTimeoutToErrorEquals);
    }
    switch (state['Type']) {
      case 'Task':
        tasks.push(describeTask(name, state));
        prepareTask(state);
        break;
      case 'Fail':
        failStates.set(name, {
          definesError: 'Error' in state || 'ErrorPath' in state,
          definesCause: 'Cause' in state || 'CausePath' in state,
        });
        break;
      case 'Wait':
        capSeconds(state, 'Seconds');
        break;
    }
  });
  return { engineDefinition, tasks, retryStateNames, failStates };
}

function describeTask(name: string, state: JsonObject): TaskStateInfo {
  const info: TaskStateInfo = {
    name,
    resource: typeof state['Resource'] === 'string' ? state['Resource'] : '',
    parameters: state['Parameters'],
  };
  if (typeof state['TimeoutSeconds'] === 'number') info.timeoutSeconds = state['TimeoutSeconds'];
  if (typeof state['HeartbeatSeconds'] === 'number') info.heartbeatSeconds = state['HeartbeatSeconds'];
  return info;
}

function prepareTask(state: JsonObject): void {
  const hidden: JsonObject = {};
  const timeoutPath = state['TimeoutSecondsPath'];
  if (typeof timeoutPath === 'string') {
    hidden[`${HIDDEN_TIMEOUT}.$`] = timeoutPath;
    state['TimeoutSecondsPath'] = `$.${HIDDEN_TIMEOUT}`;
  } else if (typeof state['TimeoutSeconds'] === 'number') {
    capSeconds(state, 'TimeoutSeconds');
  } else {
    state['TimeoutSeconds'] = MAX_TIMER_SECONDS;
  }
  const heartbeatPath = state['HeartbeatSecondsPath'];
  if (typeof heartbeatPath === 'string') {
    hidden[`${HIDDEN_HEARTBEAT}.$`] = heartbeatPath;
    delete state['HeartbeatSecondsPath'];
  }
  if (Object.keys(hidden).length === 0) return;
  const parameters = state['Parameters'];
  // Without Parameters the handler would receive the effective input itself: wrap it so the hidden keys
  // can travel alongside, and unwrap it in readTaskInput.
  state['Parameters'] = isJsonObject(parameters)
    ? { ...parameters, ...hidden }
    : { [`${HIDDEN_INPUT}.$`]: '$', ...hidden };
}

function addHeartbeatTimeoutToErrorEquals(handler: JsonValue): void {
  if (!isJsonObject(handler)) return;
  const errors = handler['ErrorEquals'];
  if (Array.isArray(errors) && errors.includes(STATES_TIMEOUT) && !errors.includes(HEARTBEAT_TIMEOUT)) {
    errors.push(HEARTBEAT_TIMEOUT);
  }
}

function capSeconds(target: JsonObject, field: string): void {
  const value = target[field];
  if (typeof value === 'number' && value > MAX_TIMER_SECONDS) target[field] = MAX_TIMER_SECONDS;
}

/** A Task's input as the handler receives it, split into the real input and the hidden values. */
export interface TaskInput {
  /** The input the Task's resource is called with (the Parameters output, or the effective input). */
  input: JsonValue;
  /** `TimeoutSecondsPath` resolved against the state input, when the Task has one. */
  timeoutSeconds?: JsonValue;
  /** `HeartbeatSecondsPath` resolved against the state input, when the Task has one. */
  heartbeatSeconds?: JsonValue;
}

/** Splits what the engine hands a Task handler into the real input and the hidden values of {@link prepareDefinition}. */
export function readTaskInput(engineInput: JsonValue): TaskInput {
  if (!isJsonObject(engineInput) || !(HIDDEN_TIMEOUT in engineInput || HIDDEN_HEARTBEAT in engineInput)) {
    return { input: engineInput };
  }
  const {
    [HIDDEN_INPUT]: wrapped,
    [HIDDEN_TIMEOUT]: timeoutSeconds,
    [HIDDEN_HEARTBEAT]: heartbeatSeconds,
    ...rest
  } = engineInput;
  const result: TaskInput = { input: HIDDEN_INPUT in engineInput && wrapped !== undefined ? wrapped : rest };
  if (timeoutSeconds !== undefined) result.timeoutSeconds = timeoutSeconds;
  if (heartbeatSeconds !== undefined) result.heartbeatSeconds = heartbeatSeconds;
  return result;
}
