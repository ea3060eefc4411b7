/**
 * A failed Task, shaped for aws-local-stepfunctions: the engine matches `Retry`/`Catch` `ErrorEquals`
 * against the thrown error's `name` and puts `{ Error: name, Cause: message }` in the `Catch` output,
 * so the Step Functions error name goes in `name` and the cause in `message`.
 * An absent cause is carried as the empty string (the engine has no other slot for it) and reported
 * as absent in the history and DescribeExecution.
 */
export class TaskFailure extends Error {
  constructor(error: string, cause?: string) {
    super(cause ?? '');
    this.name = error;
  }
}

/** The error name Step Functions reports for a Task (or execution) that ran out of time. */
export const STATES_TIMEOUT = 'States.Timeout';
