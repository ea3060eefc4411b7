import { randomBytes } from 'node:crypto';
import { ServiceError } from './errors.ts';
import type { JsonValue } from './json.ts';
import { TaskFailure } from './task-failure.ts';

const TOKEN_BYTES = 96;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{128}$/;

interface PendingTask {
  readonly executionArn: string;
  open: boolean;
  resolve(output: JsonValue): void;
  reject(failure: TaskFailure): void;
}

/** A callback Task waiting for its token: `result` settles on SendTaskSuccess (or when the Task is abandoned). */
export interface IssuedToken {
  token: string;
  result: Promise<JsonValue>;
}

/**
 * The task tokens of `.waitForTaskToken` Tasks. Each waiting Task gets its own token; once the Task is
 * answered, times out or its execution ends, the token is closed for good and every later use answers
 * `TaskTimedOut` (tokens are kept for the life of the process, like the rest of the history).
 * Everything here is synchronous, so of two concurrent answers exactly one wins.
 */
export class TaskTokenRegistry {
  readonly #tasks = new Map<string, PendingTask>();

  /** A fresh random token (also the shape of the per-execution `$$.Task.Token` placeholder). */
  static mint(): string {
    return randomBytes(TOKEN_BYTES).toString('base64url');
  }

  /** Opens a token for a Task that waits. */
  issue(executionArn: string): IssuedToken {
    const token = TaskTokenRegistry.mint();
    const { promise, resolve, reject } = Promise.withResolvers<JsonValue>();
    this.#tasks.set(token, { executionArn, open: true, resolve, reject });
    return { token, result: promise };
  }

  /** The execution that issued `token`, if this registry issued it. */
  executionOf(token: string): string | undefined {
    return this.#tasks.get(token)?.executionArn;
  }

  /** SendTaskSuccess: resumes the Task with `output`. */
  succeed(token: string, output: JsonValue): void {
    const task = this.#openTask(token);
    this.#close(task);
    task.resolve(output);
  }

  /** Closes a token the engine gave up on (Task timeout, or the state failed while waiting). */
  expire(token: string): void {
    const task = this.#tasks.get(token);
    if (task?.open) this.#closeAbandoned(task);
  }

  /** Closes every open token of an execution that has ended. */
  expireExecution(executionArn: string): void {
    for (const task of this.#tasks.values()) {
      if (task.open && task.executionArn === executionArn) this.#closeAbandoned(task);
    }
  }

  /**
   * The open task behind `token`, or the API error for it. A token this service could not have issued is
   * `InvalidToken`; a well-formed one it never issued is `TaskDoesNotExist`; a closed one is `TaskTimedOut`.
   */
  #openTask(token: string): PendingTask {
    if (!TOKEN_SHAPE.test(token)) throw new ServiceError('InvalidToken', 'Invalid token');
    const task = this.#tasks.get(token);
    if (!task) throw new ServiceError('TaskDoesNotExist', 'Task does not exist');
    if (!task.open)
      throw new ServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return task;
  }

  #closeAbandoned(task: PendingTask): void {
    this.#close(task);
    // Nobody waits on the result any more; settle it so the handler (and its timers) can finish.
    task.reject(new TaskFailure('States.Runtime', 'The task is no longer waiting for its token'));
  }

  #close(task: PendingTask): void {
    task.open = false;
  }
}
