import type * as z from 'zod/mini';
import type { FieldProblem } from './errors.ts';
import './zod-messages.ts';

/** What a problem with the whole body (or the whole of what was checked) is named. */
export const WHOLE_BODY = '(body)';

/**
 * Turns zod issues into field problems named the way callers wrote them
 * (snake_case paths under `prefix`). An unknown field is one problem of its
 * own, named by its full path, so that every route reports it the same way.
 */
export function fieldProblems(error: z.core.$ZodError, prefix?: string): FieldProblem[] {
  const name = (path: readonly PropertyKey[]) =>
    [prefix, path.map(String).join('.')].filter(Boolean).join('.') || WHOLE_BODY;
  return error.issues.flatMap((issue): FieldProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: name([...issue.path, key]), message: 'is not a known field' }))
      : [{ field: name(issue.path), message: issue.message }],
  );
}
