import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SDK_CLIENT_TIMEOUTS } from './timeouts.ts';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE locally. */
export const eventBridgeClient = new EventBridgeClient({ requestHandler: SDK_CLIENT_TIMEOUTS.control });
