import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { integrationError, localClientConfig, sdkResponseToJson } from './aws-clients.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import type { DynamoDbAction } from './resources.ts';
import { TaskFailure } from './task-failure.ts';

/** Runs one optimized DynamoDB integration call (`arn:aws:states:::dynamodb:<action>`). */
export type DynamoDbIntegration = (action: DynamoDbAction, parameters: JsonValue) => Promise<JsonValue>;

/**
 * Creates the DynamoDB integration against `endpoint`. Like Step Functions, it takes the low-level API
 * request (AttributeValue JSON such as `{ "S": "x" }`, binary as base64) as Parameters and returns the API
 * response without `$metadata`; service errors become `DynamoDB.<ExceptionName>` Task failures.
 */
export function createDynamoDbIntegration(endpoint: string, region: string): DynamoDbIntegration {
  const client = new DynamoDBClient(localClientConfig(endpoint, region));
  return async (action, parameters) => {
    if (!isJsonObject(parameters)) {
      throw new TaskFailure('States.Runtime', `The Parameters of dynamodb:${action} must be a JSON object`);
    }
    // Parameters are passed through unchecked, as Step Functions does: DynamoDB validates them.
    const input = decodeBinaryAttributes(parameters);
    try {
      switch (action) {
        case 'getItem':
          return sdkResponseToJson(await client.send(new GetItemCommand(input as GetItemCommandInput)));
        case 'putItem':
          return sdkResponseToJson(await client.send(new PutItemCommand(input as PutItemCommandInput)));
        case 'updateItem':
          return sdkResponseToJson(await client.send(new UpdateItemCommand(input as UpdateItemCommandInput)));
        case 'deleteItem':
          return sdkResponseToJson(await client.send(new DeleteItemCommand(input as DeleteItemCommandInput)));
      }
    } catch (error) {
      throw integrationError('DynamoDB', 'AmazonDynamoDBv2', error);
    }
  };
}

/** Turns base64 `B`/`BS` attribute values into the bytes the SDK expects (ASL can only carry strings). */
function decodeBinaryAttributes(value: JsonValue): unknown {
  if (Array.isArray(value)) return value.map(decodeBinaryAttributes);
  if (!isJsonObject(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  const b = value['B'];
  if (only === 'B' && typeof b === 'string') return { B: Buffer.from(b, 'base64') };
  const bs = value['BS'];
  if (only === 'BS' && Array.isArray(bs) && bs.every((item) => typeof item === 'string')) {
    return { BS: bs.map((item) => Buffer.from(String(item), 'base64')) };
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, decodeBinaryAttributes(inner)]),
  );
}
