import { SFNClient } from '@aws-sdk/client-sfn';

/** Built once per execution environment; the endpoint comes from AWS_ENDPOINT_URL_SFN locally. */
export const sfnClient = new SFNClient({});
