import { SFNClient } from '@aws-sdk/client-sfn';
import { SDK_CLIENT_TIMEOUTS } from './timeouts.ts';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_SFN locally. */
export const sfnClient = new SFNClient({ requestHandler: SDK_CLIENT_TIMEOUTS.control });
