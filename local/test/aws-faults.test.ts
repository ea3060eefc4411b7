/**
 * AWS fault injection in the local runtime (local/aws-faults.ts): every service and fault as a real SDK v3
 * client sees it (one attempt, a short request timeout, so the raw fault shows), the HTTP interface on the
 * API port, journey scoping, `times`, and Lambda faults as Retry/Catch see them.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestJson } from '../../test/helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  startJourney,
  waitForStatus,
} from '../../test/helpers/journey.ts';
import { AwsFaults, InvalidFaultRuleError } from '../aws-faults.ts';
import { type LocalStack, startLocalStack } from '../stack.ts';
import { type LocalStepFunctions, startLocalStepFunctions } from '../stepfunctions/index.ts';

const CLIENT = {
  region: 'eu-west-2',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  // One attempt, so each test sees the raw fault rather than the SDK's retry of it. The SDK only
  // warns at requestTimeout unless throwOnRequestTimeout is set.
  maxAttempts: 1,
  requestHandler: { requestTimeout: 500, throwOnRequestTimeout: true },
} as const;

let stack: LocalStack;
let dynamodb: DynamoDBClient;
let sfn: SFNClient;
let events: EventBridgeClient;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  dynamodb = new DynamoDBClient({ ...CLIENT, endpoint: stack.urls.dynamodb });
  sfn = new SFNClient({ ...CLIENT, endpoint: stack.urls.stepfunctions });
  events = new EventBridgeClient({ ...CLIENT, endpoint: stack.urls.eventbridge });
  secrets = new SecretsManagerClient({ ...CLIENT, endpoint: stack.urls.secretsmanager });
});

afterEach(() => {
  stack.faults.clear();
});

afterAll(async () => {
  for (const client of [dynamodb, sfn, events, secrets]) client?.destroy();
  await stack?.close();
});

/** The error `call` rejects with (fails the test if it resolves). */
async function failureOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

const TIMED_OUT = { name: 'TimeoutError', code: 'ETIMEDOUT' };
// The SDK names a reset connection TimeoutError too, and retries it.
const RESET = { name: 'TimeoutError', code: 'ECONNRESET' };

const item = (journey: string, suffix = randomUUID()) => ({
  pk: { S: `FAULTTEST#${journey}` },
  sk: { S: suffix },
});
const putItem = (journey: string, key = item(journey), conditional = false) =>
  dynamodb.send(
    new PutItemCommand({
      TableName: stack.tables.onboardings,
      Item: { ...key, note: { S: 'written' } },
      ...(conditional ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
    }),
  );
const getItem = (key: ReturnType<typeof item>) =>
  dynamodb.send(new GetItemCommand({ TableName: stack.tables.onboardings, Key: key, ConsistentRead: true }));

const faultsUrl = () => `${stack.urls.api}/_local/aws-faults`;
const listedSchema = z.object({
  rules: z.array(
    z
      .object({
        id: z.string(),
        service: z.string(),
        fault: z.string(),
        times: z.number(),
        remaining: z.number(),
        fired: z.number(),
      })
      .loose(),
  ),
});

describe('the fault rules on the API port', () => {
  it('adds a rule (201 with its id), lists it with what fired and what remains, and clears on DELETE', async () => {
    const journey = randomUUID();
    const added = await requestJson('POST', faultsUrl(), {
      service: 'dynamodb',
      operation: 'PutItem',
      fault: 'error',
      times: 2,
      match: { onboarding_id: journey },
    });
    expect(added.status).toBe(201);
    const { id } = z.object({ id: z.string().min(1) }).parse(added.body);

    await failureOf(putItem(journey));
    const listed = await requestJson('GET', faultsUrl());

    expect(listed.status).toBe(200);
    expect(listedSchema.parse(listed.body).rules).toEqual([
      {
        id,
        service: 'dynamodb',
        operation: 'PutItem',
        fault: 'error',
        times: 2,
        remaining: 1,
        fired: 1,
        match: { onboarding_id: journey },
      },
    ]);
    const deleted = await requestJson('DELETE', faultsUrl());
    expect(deleted.status).toBe(204);
    expect(listedSchema.parse((await requestJson('GET', faultsUrl())).body).rules).toEqual([]);
    await expect(putItem(journey)).resolves.toBeDefined();
  });

  it('answers 400 problem+json naming each field that is wrong', async () => {
    const wrong = await requestJson('POST', faultsUrl(), { service: 'dynamo', fault: 'explode', times: 0 });
    const typo = await requestJson('POST', faultsUrl(), {
      service: 'dynamodb',
      operation: 'updateItem',
      fault: 'throttle',
    });
    const notJson = await requestJson('POST', faultsUrl(), '{ not json');

    for (const answer of [wrong, typo, notJson]) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    const fields = (body: unknown) =>
      z
        .object({ detail: z.string(), errors: z.array(z.object({ field: z.string(), message: z.string() })) })
        .parse(body)
        .errors.map((problem) => problem.field);
    expect(fields(wrong.body).sort()).toEqual(['fault', 'service', 'times']);
    expect(fields(typo.body)).toEqual(['operation']);
    expect(fields(notJson.body)).toEqual(['(body)']);
    expect(() =>
      stack.faults.add({ service: 'lambda', operation: 'NoSuchFunction', fault: 'error' }),
    ).toThrow(InvalidFaultRuleError);
    expect(stack.faults.list()).toEqual([]);
  });

  it('tries rules in the order added, honours times, and never fires a rule on another journey', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const first = stack.faults.add({
      service: 'dynamodb',
      operation: 'PutItem',
      fault: 'error',
      match: { onboarding_id: a },
    });
    const second = stack.faults.add({
      service: 'dynamodb',
      operation: 'PutItem',
      fault: 'throttle',
      times: 2,
    });
    // Still waiting for its call at the end, so spent rules are not merely skipped because nothing is armed.
    const pending = stack.faults.add({ service: 'dynamodb', operation: 'DeleteItem', fault: 'error' });

    const outcomes = [];
    for (const journey of [b, a, b, a]) {
      outcomes.push(
        await putItem(journey).then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }

    // b never meets the rule scoped to a; a meets it first although the later rule matches too.
    expect(outcomes).toEqual([
      'ProvisionedThroughputExceededException',
      'InternalServerError',
      'ProvisionedThroughputExceededException',
      'ok',
    ]);
    expect(stack.faults.list().map((rule) => [rule.id, rule.fired, rule.remaining])).toEqual([
      [first, 1, 0],
      [second, 2, 0],
      [pending, 0, 1],
    ]);
  });
});

describe('DynamoDB faults', () => {
  it('throttle: ProvisionedThroughputExceededException with a read or write throttling reason', async () => {
    const journey = randomUUID();
    const key = item(journey);
    stack.faults.add({ service: 'dynamodb', operation: 'UpdateItem', fault: 'throttle' });
    stack.faults.add({ service: 'dynamodb', operation: 'GetItem', fault: 'throttle' });

    const write = await failureOf(
      dynamodb.send(
        new UpdateItemCommand({
          TableName: stack.tables.onboardings,
          Key: key,
          UpdateExpression: 'SET note = :note',
          ExpressionAttributeValues: { ':note': { S: 'x' } },
        }),
      ),
    );
    const read = await failureOf(getItem(key));

    const table = `arn:aws:dynamodb:eu-west-2:000000000000:table/${stack.tables.onboardings}`;
    expect(write).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/^Throughput exceeds the current capacity of your table or index\./),
      ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: table }],
    });
    expect(read).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      ThrottlingReasons: [{ reason: 'TableReadKeyRangeThroughputExceeded', resource: table }],
    });
    expect((await getItem(key)).Item).toBeUndefined();
  });

  it('error: InternalServerError (500), nothing written', async () => {
    const key = item(randomUUID());
    stack.faults.add({ service: 'dynamodb', fault: 'error' });

    const error = await failureOf(putItem('', key));

    expect(error).toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    expect((await getItem(key)).Item).toBeUndefined();
  });

  it('timeout: no answer until the client gives up, nothing written', async () => {
    const key = item(randomUUID());
    stack.faults.add({ service: 'dynamodb', operation: 'PutItem', fault: 'timeout' });

    expect(await failureOf(putItem('', key))).toMatchObject(TIMED_OUT);
    expect((await getItem(key)).Item).toBeUndefined();
  });

  it('lost_answer: a conditional PutItem is written, its answer reset; the retry then fails its condition', async () => {
    const journey = randomUUID();
    const key = item(journey);
    stack.faults.add({
      service: 'dynamodb',
      operation: 'PutItem',
      fault: 'lost_answer',
      match: { onboarding_id: journey },
    });

    const lost = await failureOf(putItem(journey, key, true));
    const retried = await failureOf(putItem(journey, key, true));

    expect(lost).toMatchObject(RESET);
    expect((await getItem(key)).Item).toMatchObject({ note: { S: 'written' } });
    expect(retried).toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});

/** Two journeys of jane's, each waiting for an account choice (a token, an execution named after it). */
async function waitingJourneys(count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { onboardingId } = await startJourney(stack, 'jane');
      await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);
      const execution = stack.stepFunctions.executions().find((record) => record.name === onboardingId);
      const scheduled = execution?.history.find(
        (event) =>
          event.type === 'TaskScheduled' &&
          event.taskScheduledEventDetails?.parameters?.includes('task_token'),
      );
      const token = z
        .object({ Payload: z.object({ task_token: z.string() }) })
        .parse(JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}')).Payload.task_token;
      return { onboardingId, executionArn: execution?.executionArn ?? '', token };
    }),
  );
}

describe('Step Functions faults', () => {
  it('throttle, error, timeout: ThrottlingException (400), InternalFailure (500), no answer', async () => {
    const executionArn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${randomUUID()}`;
    stack.faults.add({ service: 'sfn', operation: 'DescribeExecution', fault: 'throttle' });
    stack.faults.add({ service: 'sfn', operation: 'DescribeExecution', fault: 'error' });
    stack.faults.add({ service: 'sfn', operation: 'DescribeExecution', fault: 'timeout' });
    const describe = () => failureOf(sfn.send(new DescribeExecutionCommand({ executionArn })));

    expect(await describe()).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await describe()).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    expect(await describe()).toMatchObject(TIMED_OUT);
    // Carried out again once the rules are spent: the execution really does not exist.
    expect(await describe()).toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('matches a task token to the journey whose execution issued it', async () => {
    const [a, b] = await waitingJourneys(2);
    if (!a || !b) throw new Error('two journeys expected');
    stack.faults.add({
      service: 'sfn',
      operation: 'SendTaskSuccess',
      fault: 'throttle',
      times: 5,
      match: { onboarding_id: a.onboardingId },
    });
    // Output that is not JSON is refused by the service itself and leaves the Task waiting, so the
    // answer tells a call that reached Step Functions (InvalidOutput) from one the rule stopped.
    const notJson = (taskToken: string) => new SendTaskSuccessCommand({ taskToken, output: 'not json' });

    expect(await failureOf(sfn.send(notJson(b.token)))).toMatchObject({ name: 'InvalidOutput' });
    expect(await failureOf(sfn.send(notJson(a.token)))).toMatchObject({ name: 'ThrottlingException' });
    expect(stack.faults.list()[0]?.fired).toBe(1);
  });

  it('lost_answer: StopExecution stops the execution, the caller gets a reset', async () => {
    const [journey] = await waitingJourneys(1);
    if (!journey) throw new Error('a journey expected');
    stack.faults.add({
      service: 'sfn',
      fault: 'lost_answer',
      match: { onboarding_id: journey.onboardingId },
    });

    const lost = await failureOf(sfn.send(new StopExecutionCommand({ executionArn: journey.executionArn })));

    expect(lost).toMatchObject(RESET);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: journey.executionArn }));
    expect(described.status).toBe('ABORTED');
  });
});

const BUS_ENTRY = (journey: string): PutEventsRequestEntry => ({
  EventBusName: 'signupplus-onboarding',
  // No rule of the stack matches this source: nothing is delivered.
  Source: 'test.aws-faults',
  DetailType: 'Fault Probe',
  Detail: JSON.stringify({ onboarding_id: journey }),
});

describe('EventBridge faults', () => {
  it('throttle: a partial failure refusing only the entries of the journey, in request order', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    stack.faults.add({
      service: 'eventbridge',
      operation: 'PutEvents',
      fault: 'throttle',
      match: { onboarding_id: a },
    });

    const answer = await events.send(
      new PutEventsCommand({ Entries: [BUS_ENTRY(a), BUS_ENTRY(b), BUS_ENTRY(a)] }),
    );

    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries).toEqual([
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
      { EventId: expect.any(String) },
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
    ]);
    expect(stack.events(a)).toEqual([]);
    expect(stack.events(b)).toHaveLength(1);
  });

  it('error and timeout: InternalException (500) or no answer, nothing accepted', async () => {
    const journey = randomUUID();
    stack.faults.add({ service: 'eventbridge', fault: 'error' });
    stack.faults.add({ service: 'eventbridge', fault: 'timeout' });

    const error = await failureOf(events.send(new PutEventsCommand({ Entries: [BUS_ENTRY(journey)] })));
    const timedOut = await failureOf(events.send(new PutEventsCommand({ Entries: [BUS_ENTRY(journey)] })));

    expect(error).toMatchObject({
      name: 'InternalException',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    expect(timedOut).toMatchObject(TIMED_OUT);
    expect(stack.events(journey)).toEqual([]);
  });

  it('lost_answer: the event is accepted, the caller gets a reset', async () => {
    const journey = randomUUID();
    stack.faults.add({ service: 'eventbridge', fault: 'lost_answer', match: { onboarding_id: journey } });

    expect(
      await failureOf(events.send(new PutEventsCommand({ Entries: [BUS_ENTRY(journey)] }))),
    ).toMatchObject(RESET);
    expect(stack.events(journey)).toHaveLength(1);
  });
});

describe('Secrets Manager faults', () => {
  it('throttle, error, timeout, lost_answer on GetSecretValue', async () => {
    for (const fault of ['throttle', 'error', 'timeout', 'lost_answer'] as const)
      stack.faults.add({ service: 'secretsmanager', operation: 'GetSecretValue', fault });
    const get = () =>
      failureOf(secrets.send(new GetSecretValueCommand({ SecretId: 'signupplus/truelayer-client-secret' })));

    expect(await get()).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(await get()).toMatchObject({ name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } });
    expect(await get()).toMatchObject(TIMED_OUT);
    expect(await get()).toMatchObject(RESET);
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: 'signupplus/truelayer-client-secret' })),
    ).resolves.toMatchObject({ SecretString: expect.any(String) });
  });
});

describe('Lambda faults in the onboarding state machine', () => {
  it('throttles LinkAccounts of one journey only: its Retry sees Lambda.TooManyRequestsException', async () => {
    const created = await createOnboarding(stack);
    const other = await createOnboarding(stack);
    stack.faults.add({
      service: 'lambda',
      operation: 'LinkAccounts',
      fault: 'throttle',
      match: { onboarding_id: created.onboarding_id },
    });

    for (const journey of [created, other])
      await followRedirect(await authorize(stack, journey.auth_link, 'john'));
    await Promise.all(
      [created, other].map((journey) => waitForStatus(stack, journey.onboarding_id, ['completed'])),
    );

    const failures = (id: string) =>
      stack.stepFunctions
        .executions()
        .find((record) => record.name === id)
        ?.history.filter((event) => event.type === 'TaskFailed')
        .map((event) => event.taskFailedEventDetails);
    expect(failures(created.onboarding_id)).toEqual([
      {
        resourceType: 'lambda',
        resource: 'invoke',
        error: 'Lambda.TooManyRequestsException',
        cause: expect.stringMatching(
          /^Rate Exceeded\. \(Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
        ),
      },
    ]);
    expect(failures(other.onboarding_id)).toEqual([]);
    expect(stack.faults.list()[0]?.fired).toBe(1);
  });
});

describe('Lambda faults in a Task', () => {
  // A tiny machine: the Catch tells which error name Retry/Catch matched.
  const definition = {
    StartAt: 'Call',
    States: {
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'probe', 'Payload.$': '$' },
        Catch: [
          {
            ErrorEquals: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.Unknown'],
            ResultPath: '$.caught',
            Next: 'Caught',
          },
        ],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  };
  const registry = new AwsFaults();
  let local: LocalStepFunctions;
  let client: SFNClient;
  let ran: string[] = [];

  beforeAll(async () => {
    local = await startLocalStepFunctions({
      stateMachines: [{ name: 'probe', definition }],
      lambdas: {
        async probe(event) {
          ran.push(z.object({ journey: z.string() }).parse(event).journey);
          return { ran: true };
        },
      },
      faults: {
        lambda: (key, subjects) => {
          const applied = registry.take({ service: 'lambda', operation: key, subjects });
          return applied && { fault: applied.fault, timeoutSeconds: 3 };
        },
      },
    });
    client = new SFNClient({ ...CLIENT, endpoint: local.endpoint });
  });

  afterAll(async () => {
    client?.destroy();
    await local?.close();
  });

  async function run(fault: 'throttle' | 'error' | 'timeout' | 'lost_answer') {
    ran = [];
    const journey = randomUUID();
    registry.add({ service: 'lambda', operation: 'probe', fault, match: { onboarding_id: journey } });
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: local.stateMachineArn('probe'),
        input: JSON.stringify({ journey }),
      }),
    );
    const record = await local.waitForExecution(executionArn ?? '');
    const failed = record.history.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails;
    const output = z
      .object({ caught: z.object({ Error: z.string(), Cause: z.string() }) })
      .parse(JSON.parse(record.output ?? '{}'));
    return { ran, failed, caught: output.caught };
  }

  it('throttle: the function does not run; Lambda.TooManyRequestsException (429)', async () => {
    const { ran, failed, caught } = await run('throttle');

    expect(ran).toEqual([]);
    expect(caught.Error).toBe('Lambda.TooManyRequestsException');
    expect(failed).toMatchObject({ error: 'Lambda.TooManyRequestsException', cause: caught.Cause });
    expect(caught.Cause).toMatch(
      /^Rate Exceeded\. \(Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException;/,
    );
  });

  it('error: the function does not run; Lambda.ServiceException (500)', async () => {
    const { ran, caught } = await run('error');

    expect(ran).toEqual([]);
    expect(caught.Error).toBe('Lambda.ServiceException');
    expect(caught.Cause).toMatch(
      /\(Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
    );
  });

  it('timeout: the function runs to its end; Lambda.Unknown with the timeout message', async () => {
    const { ran, caught } = await run('timeout');

    expect(ran).toHaveLength(1);
    expect(caught.Error).toBe('Lambda.Unknown');
    expect(JSON.parse(caught.Cause)).toEqual({
      errorMessage: expect.stringMatching(/^[0-9a-f-]{36} Task timed out after 3\.00 seconds$/),
    });
  });

  it('lost_answer: the function runs to its end; Lambda.ServiceException', async () => {
    const { ran, caught } = await run('lost_answer');

    expect(ran).toHaveLength(1);
    expect(caught.Error).toBe('Lambda.ServiceException');
    expect(caught.Cause).toMatch(/Status Code: 500; Error Code: ServiceException;/);
  });
});
