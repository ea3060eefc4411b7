import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { isTransientAwsError, TransientAwsError } from './aws-errors.ts';
import { runWithinDeadline } from './invocation.ts';
import { logger } from './logger.ts';
import { tracer } from './tracer.ts';

/** The state machine sent a payload this task does not understand: a deployment bug, never retried. */
export class TaskInputError extends Error {
  override readonly name = 'TaskInputError';
}

/**
 * Wraps a workflow task: the payload is parsed with the task's schema, the
 * onboarding id becomes a log key, and errors propagate with their `name`
 * intact, because the state machine's Retry and Catch rules match on it. A
 * transient AWS error goes up as TransientAwsError, the one name the Retry
 * rules list for every AWS service.
 */
export function taskHandler<S extends z.ZodMiniType<{ onboarding_id: string }>, R>(
  schema: S,
  fn: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  return middy<unknown, R>(async (event: unknown, context: Context) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success)
      throw new TaskInputError(
        `Invalid task input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    logger.appendKeys({ onboarding_id: parsed.data.onboarding_id });
    // A random id, not personal data: lets a trace be found from the journey.
    tracer.putAnnotation('onboarding_id', parsed.data.onboarding_id);
    try {
      const input = parsed.data;
      return await runWithinDeadline(context.getRemainingTimeInMillis(), () => fn(input, context));
    } catch (error) {
      logger.warn('Task failed', { error_name: error instanceof Error ? error.name : 'unknown', error });
      if (isTransientAwsError(error)) {
        throw new TransientAwsError(error instanceof Error ? error.name : 'AWS call failed', {
          cause: error,
        });
      }
      throw error;
    }
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}
