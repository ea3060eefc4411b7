import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from '../tracer.ts';
import { SDK_CLIENT_TIMEOUTS } from './timeouts.ts';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE locally. Traced. */
export const eventBridgeClient = tracer.captureAWSv3Client(
  new EventBridgeClient({ requestHandler: SDK_CLIENT_TIMEOUTS.control }),
);
