import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Powertools Tracer per process. It traces only inside Lambda with
 * active tracing (off in the local runtime and in tests, where there is no
 * AWS_EXECUTION_ENV). Outgoing HTTP is not patched globally: the AWS SDK
 * clients are captured one by one (clients/), and TrueLayer calls are traced
 * by tracing.ts with what is safe to record, never the query string, a
 * header or a body.
 */
export const tracer = new Tracer({ captureHTTPsRequests: false });
