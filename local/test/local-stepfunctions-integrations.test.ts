import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStepFunctions, startLocalStepFunctions } from '../stepfunctions/index.ts';
import {
  CLIENT_CONFIG,
  closeServer,
  eventually,
  type FakeEventBridge,
  fixture,
  listen,
  sfnClient,
  startFakeEventBridge,
} from './fixtures/stepfunctions/harness.ts';

// dynalite ships no type declarations; type the one call used here.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

let sfn: LocalStepFunctions;
let client: SFNClient;
let dynamoServer: Server;
let dynamo: DynamoDBClient;
let eventBridge: FakeEventBridge;

beforeAll(async () => {
  dynamoServer = dynalite({ createTableMs: 0 });
  const dynamoEndpoint = await listen(dynamoServer);
  dynamo = new DynamoDBClient({ ...CLIENT_CONFIG, endpoint: dynamoEndpoint });
  await dynamo.send(
    new CreateTableCommand({
      TableName: 'Items',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  eventBridge = await startFakeEventBridge();
  sfn = await startLocalStepFunctions({
    stateMachines: ['dynamodb', 'events', 'events-callback'].map((name) => ({
      name,
      definition: fixture(name),
    })),
    lambdas: {},
    endpoints: { dynamodb: dynamoEndpoint, eventbridge: eventBridge.endpoint },
  });
  client = sfnClient(sfn.endpoint);
});

afterAll(async () => {
  client?.destroy();
  dynamo?.destroy();
  await sfn?.close();
  await eventBridge?.close();
  if (dynamoServer) await closeServer(dynamoServer);
});

async function run(machine: string, input: object, name?: string) {
  const { executionArn = '' } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn(machine),
      input: JSON.stringify(input),
      name,
    }),
  );
  await sfn.waitForExecution(executionArn);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  return {
    ...described,
    executionArn,
    result: JSON.parse(described.output ?? 'null') as Record<string, unknown>,
  };
}

describe('dynamodb integration', () => {
  it('puts and gets an item with low-level AttributeValue JSON', async () => {
    const described = await run('dynamodb', { id: 'user-1', payload: 'hello' });
    expect(described.status).toBe('SUCCEEDED');
    expect(described.result).toEqual({
      id: 'user-1',
      payload: 'hello',
      // PutItem answers nothing but $metadata, which Step Functions drops.
      put: {},
      get: { Item: { pk: { S: 'user-1' }, payload: { S: 'hello' }, count: { N: '1' } } },
    });
    const stored = await dynamo.send(
      new GetItemCommand({ TableName: 'Items', Key: { pk: { S: 'user-1' } } }),
    );
    expect(stored.Item?.['payload']).toEqual({ S: 'hello' });
    const scheduled = sfn.history(described.executionArn).find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'dynamodb',
      resource: 'putItem',
    });
  });

  it('raises DynamoDB.<Exception> for service errors, so ASL can catch a failed condition', async () => {
    await run('dynamodb', { id: 'user-2', payload: 'first' });
    const described = await run('dynamodb', { id: 'user-2', payload: 'second' });
    expect(described.status).toBe('SUCCEEDED');
    const error = described.result['error'] as { Error: string; Cause: string };
    expect(described.result['duplicate']).toBe(true);
    expect(error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(error.Cause).toMatch(
      /\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException;/,
    );
    const stored = await dynamo.send(
      new GetItemCommand({ TableName: 'Items', Key: { pk: { S: 'user-2' } } }),
    );
    expect(stored.Item?.['payload']).toEqual({ S: 'first' });
  });
});

describe('events integration', () => {
  it('puts events with a serialized Detail and the execution in Resources', async () => {
    const described = await run('events', { id: 'evt-1', detailType: 'user.created' }, 'publish-1');
    expect(described.status).toBe('SUCCEEDED');
    expect(described.result['put']).toEqual({
      Entries: [{ EventId: expect.any(String) }],
      FailedEntryCount: 0,
    });
    const entry = eventBridge.entries.find((e) => e.Detail?.includes('evt-1'));
    expect(entry).toMatchObject({
      EventBusName: 'onboarding',
      Source: 'local.test',
      DetailType: 'user.created',
    });
    expect(JSON.parse(entry?.Detail ?? 'null')).toEqual({ id: 'evt-1', executionName: 'publish-1' });
    expect(entry?.Resources).toEqual([described.executionArn, sfn.stateMachineArn('events')]);
  });

  it('fails the Task with EventBridge.FailedEntry when an entry is rejected', async () => {
    const described = await run('events', { id: 'evt-2', detailType: 'fail' });
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('EventBridge.FailedEntry');
    expect(JSON.parse(described.cause ?? 'null')).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure' }],
    });
    expect(
      sfn.history(described.executionArn).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails,
    ).toMatchObject({
      resourceType: 'events',
      resource: 'putEvents',
      error: 'EventBridge.FailedEntry',
    });
  });

  it('waits for the token carried by the event with .waitForTaskToken', async () => {
    const { executionArn = '' } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: sfn.stateMachineArn('events-callback'),
        input: '{"id":"evt-3"}',
      }),
    );
    const entry = await eventually(() => eventBridge.entries.find((e) => e.Detail?.includes('evt-3')));
    const { taskToken } = JSON.parse(entry.Detail ?? '{}') as { taskToken: string };
    await eventually(() => sfn.history(executionArn).find((e) => e.type === 'TaskSubmitted'));
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await client.send(new SendTaskSuccessCommand({ taskToken, output: '{"approved":"by event consumer"}' }));
    const record = await sfn.waitForExecution(executionArn);
    expect(record.status).toBe('SUCCEEDED');
    expect(JSON.parse(record.output ?? 'null')).toEqual({ approved: 'by event consumer' });
  });
});
