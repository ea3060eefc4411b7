import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';

// aws-local-stepfunctions exports its classes but not every type they use; derive the ones needed here.

/** One event of the engine's `eventLogs` stream (StateEntered, StateFailed, MapIterationStarted, ...). */
export type EngineEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** The engine's per-state Task override: receives the Task input (after Parameters), returns its result. */
export type TaskHandler = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>[string];

/** The JSON value type the engine uses for inputs and results. */
export type EngineJson = Parameters<TaskHandler>[0];
