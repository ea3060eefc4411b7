import { ServiceError } from './errors.ts';

// Characters Step Functions forbids in state machine and execution names (limits-overview: whitespace,
// brackets, wildcards, punctuation and control characters); as AWS's Step Functions API reference documents for `name`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is forbidden
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** Maximum length, in characters, of a state machine or execution name. */
export const MAX_NAME_LENGTH = 80;

/** Whether `name` is a valid Step Functions state machine or execution name: 1–80 allowed characters. */
export function isValidName(name: string): boolean {
  const length = [...name].length;
  return length >= 1 && length <= MAX_NAME_LENGTH && !FORBIDDEN.test(name);
}

/** Throws `InvalidName` unless `name` is a valid execution name. */
export function assertValidExecutionName(name: string): void {
  if (!isValidName(name)) {
    throw new ServiceError(
      'InvalidName',
      `Invalid Name: '${name}' (1 to ${MAX_NAME_LENGTH} characters, no whitespace, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : /)`,
    );
  }
}
