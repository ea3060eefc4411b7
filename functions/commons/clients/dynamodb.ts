import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../tracer.ts';
import { SDK_CLIENT_TIMEOUTS } from './timeouts.ts';

/**
 * Built once per execution environment. The endpoint comes from the SDK's own
 * resolution (AWS_ENDPOINT_URL_DYNAMODB locally), never from our code. Each
 * call is an X-Ray subsegment (operation and table name only).
 */
export const documentClient = DynamoDBDocumentClient.from(
  tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler: SDK_CLIENT_TIMEOUTS.dynamodb })),
  { marshallOptions: { removeUndefinedValues: true } },
);
