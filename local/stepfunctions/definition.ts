import { isJsonObject, type JsonObject, type JsonValue, toJsonValue } from './json.ts';

/**
 * Longest timer Node can arm: `setTimeout` treats anything above 2^31-1 ms as 1 ms (TimeoutOverflowWarning),
 * so AWS's default Task timeout of 99999999 s would fire at once. Durations are capped here (~24.8 days).
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

// Hidden Parameters keys through which a Task's handler learns values that ASL resolves against the
// state input: the engine only shows handlers (and resolves TimeoutSecondsPath against) the input
// *after* Parameters, while AWS resolves TimeoutSecondsPath against the state input.
const HIDDEN_INPUT = '__lsfInput';
const HIDDEN_TIMEOUT = '__lsfTimeoutSeconds';

/** What the engine-facing copy of a definition needs to tell the handlers about one Task state. */
export interface TaskStateInfo {
  name: string;
  resource: string;
  /** The Task's `Parameters` template as written, for start-up checks. */
  parameters: JsonValue | undefined;
  /** `TimeoutSeconds` as written (absent when the Task relies on the default or on `TimeoutSecondsPath`). */
  timeoutSeconds?: number;
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

/** Visits every top-level state of `definition` (Parallel and Map, which nest states, are refused at compile). */
export function forEachState(definition: JsonObject, visit: (name: string, state: JsonObject) => void): void {
  const states = definition['States'];
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (isJsonObject(state)) visit(name, state);
  }
}

/**
 * Returns a deep copy of `definition` rewritten so the engine behaves like AWS, plus the facts the
 * runtime needs. Rewrites:
 * - Tasks without `TimeoutSeconds`/`TimeoutSecondsPath` get the AWS default (99999999 s) instead of the
 *   engine's 60 s, capped at {@link MAX_TIMER_SECONDS} like every other duration;
 * - `TimeoutSecondsPath` is resolved through a hidden Parameters key, so it is read from the state
 *   input as on AWS (the engine would read it from the Parameters output).
 */
export function prepareDefinition(definition: JsonObject): PreparedDefinition {
  const engineDefinition = parseDefinition(definition);
  const tasks: TaskStateInfo[] = [];
  const retryStateNames: string[] = [];
  const failStates = new Map<string, FailStateInfo>();

  capSeconds(engineDefinition, 'TimeoutSeconds');
  forEachState(engineDefinition, (name, state) => {
    if (Array.isArray(state['Retry'])) retryStateNames.push(name);
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
  if (Object.keys(hidden).length === 0) return;
  const parameters = state['Parameters'];
  // Without Parameters the handler would receive the effective input itself: wrap it so the hidden keys
  // can travel alongside, and unwrap it in readTaskInput.
  state['Parameters'] = isJsonObject(parameters)
    ? { ...parameters, ...hidden }
    : { [`${HIDDEN_INPUT}.$`]: '$', ...hidden };
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
}

/** Splits what the engine hands a Task handler into the real input and the hidden values of {@link prepareDefinition}. */
export function readTaskInput(engineInput: JsonValue): TaskInput {
  if (!isJsonObject(engineInput) || !(HIDDEN_TIMEOUT in engineInput)) {
    return { input: engineInput };
  }
  const { [HIDDEN_INPUT]: wrapped, [HIDDEN_TIMEOUT]: timeoutSeconds, ...rest } = engineInput;
  const result: TaskInput = { input: HIDDEN_INPUT in engineInput && wrapped !== undefined ? wrapped : rest };
  if (timeoutSeconds !== undefined) result.timeoutSeconds = timeoutSeconds;
  return result;
}
