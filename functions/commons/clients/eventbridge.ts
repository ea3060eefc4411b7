import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE locally. */
export const eventBridgeClient = new EventBridgeClient({});
