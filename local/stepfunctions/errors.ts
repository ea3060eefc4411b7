/**
 * An error answered to a Step Functions API caller: HTTP 400 with `{ "__type": code, "message": ... }`,
 * which the AWS SDK turns into an exception whose `name` is `code` (e.g. `ExecutionAlreadyExists`).
 */
export class ServiceError extends Error {
  /** The AWS error code, e.g. `ExecutionDoesNotExist`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}
