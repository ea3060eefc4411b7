import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../tracer.ts';
import { SDK_CLIENT_TIMEOUTS } from './timeouts.ts';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_SFN locally. Traced. */
export const sfnClient = tracer.captureAWSv3Client(
  new SFNClient({ requestHandler: SDK_CLIENT_TIMEOUTS.control }),
);
