import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HistoryEvent,
  type LambdaFunction,
  type LocalStepFunctions,
  startLocalStepFunctions,
} from '../stepfunctions/index.ts';
import { CLIENT_CONFIG, eventually, fixture, gate, sfnClient } from './fixtures/stepfunctions/harness.ts';

const DOUBLE_ARN = 'arn:aws:lambda:eu-west-2:000000000000:function:double';

let sfn: LocalStepFunctions;
let client: SFNClient;
const streamed: Array<{ executionArn: string; event: HistoryEvent }> = [];
const holdCalls: unknown[] = [];
let holdGate = gate();

const lambdas: Record<string, LambdaFunction> = {
  async greet(event) {
    const { name, executionName } = event as { name: string; executionName: string };
    return { message: `hello ${name}`, executionName };
  },
  // Registered by full ARN: the direct-ARN Task resolves it, and lambda:invoke by bare name does too.
  [DOUBLE_ARN]: async (event) => ({ value: (event as { value: number }).value * 2 }),
  async hold(event) {
    holdCalls.push(event);
    await holdGate.promise;
    return { held: event };
  },
};

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    stateMachines: ['basic', 'hold', 'fail', 'loop'].map((name) => ({
      name,
      definition: fixture(name),
    })),
    lambdas,
    onHistoryEvent: (executionArn, event) => streamed.push({ executionArn, event }),
  });
  client = sfnClient(sfn.endpoint);
});

afterAll(async () => {
  holdGate.open();
  client?.destroy();
  await sfn?.close();
});

async function start(machine: string, input: unknown, name?: string): Promise<string> {
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn(machine),
      input: JSON.stringify(input),
      name,
    }),
  );
  if (!executionArn) throw new Error('no executionArn');
  return executionArn;
}

async function run(machine: string, input: unknown, name?: string) {
  const executionArn = await start(machine, input, name);
  await sfn.waitForExecution(executionArn);
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe('StartExecution and DescribeExecution', () => {
  it('runs lambda:invoke, a direct Lambda ARN and a Choice, and reports the AWS shapes', async () => {
    const before = Date.now();
    const described = await run('basic', { name: 'Ada', value: 7 }, 'basic-big');
    expect(described).toMatchObject({
      executionArn: 'arn:aws:states:eu-west-2:000000000000:execution:basic:basic-big',
      stateMachineArn: 'arn:aws:states:eu-west-2:000000000000:stateMachine:basic',
      name: 'basic-big',
      status: 'SUCCEEDED',
      input: '{"name":"Ada","value":7}',
    });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.startDate?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Infinity);
    expect(described.error).toBeUndefined();
    expect(JSON.parse(described.output ?? 'null')).toEqual({
      name: 'Ada',
      value: 7,
      // The optimized integration wraps the function's return value like Lambda's Invoke response.
      greeting: {
        ExecutedVersion: '$LATEST',
        Payload: { message: 'hello Ada', executionName: 'basic-big' },
        StatusCode: 200,
      },
      // A direct function ARN returns the function's value itself.
      doubled: { value: 14 },
      size: 'big',
    });
  });

  it('takes the Choice default branch', async () => {
    const described = await run('basic', { name: 'Bo', value: 2 });
    expect(JSON.parse(described.output ?? 'null')).toMatchObject({ doubled: { value: 4 }, size: 'small' });
  });

  it('generates a UUID name when none is given', async () => {
    const executionArn = await start('basic', { name: 'x', value: 1 });
    expect(executionArn).toMatch(
      /:execution:basic:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect((await sfn.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('rejects invalid names, inputs, and unknown state machines or executions with AWS error codes', async () => {
    const stateMachineArn = sfn.stateMachineArn('basic');
    for (const name of ['has space', 'a/b', 'x'.repeat(81), '', 'semi;colon', 'tab\tname']) {
      await expect(client.send(new StartExecutionCommand({ stateMachineArn, name }))).rejects.toMatchObject({
        name: 'InvalidName',
      });
    }
    await expect(
      client.send(
        new StartExecutionCommand({ stateMachineArn, name: 'n'.repeat(80), input: '{"name":"a","value":1}' }),
      ),
    ).resolves.toMatchObject({ executionArn: expect.stringContaining('n'.repeat(80)) });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn, input: '{not json' })),
    ).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await expect(
      client.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:eu-west-2:000000000000:stateMachine:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:eu-west-2:000000000000:execution:basic:missing',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(
      client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('is reachable through AWS_ENDPOINT_URL_SFN', async () => {
    process.env['AWS_ENDPOINT_URL_SFN'] = sfn.endpoint;
    const envClient = new SFNClient(CLIENT_CONFIG);
    try {
      const listed = await envClient.send(
        new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn('basic') }),
      );
      expect(listed.executions?.length).toBeGreaterThan(0);
    } finally {
      envClient.destroy();
      delete process.env['AWS_ENDPOINT_URL_SFN'];
    }
  });
});

describe('idempotent StartExecution', () => {
  it('returns the running execution for the same name and input, and ExecutionAlreadyExists otherwise', async () => {
    holdGate = gate();
    const stateMachineArn = sfn.stateMachineArn('hold');
    const request = { stateMachineArn, name: 'idempotent-1', input: '{"order":1}' };
    const first = await client.send(new StartExecutionCommand(request));
    await eventually(() => (holdCalls.length === 1 ? true : undefined));
    const second = await client.send(new StartExecutionCommand(request));
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate?.getTime()).toBe(first.startDate?.getTime());

    await expect(
      client.send(new StartExecutionCommand({ ...request, input: '{"order":2}' })),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    // Inputs are compared as given, not as parsed JSON.
    await expect(
      client.send(new StartExecutionCommand({ ...request, input: '{ "order": 1 }' })),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });

    holdGate.open();
    const record = await sfn.waitForExecution(first.executionArn ?? '');
    expect(record.status).toBe('SUCCEEDED');
    expect(holdCalls).toEqual([{ order: 1 }]);
    await expect(client.send(new StartExecutionCommand(request))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    expect(holdCalls).toHaveLength(1);
  });
});

describe('StopExecution', () => {
  it('aborts a running execution with the given error and cause', async () => {
    holdGate = gate();
    const executionArn = await start('hold', { order: 'stop-me' }, 'to-stop');
    await eventually(() =>
      holdCalls.some((call) => JSON.stringify(call).includes('stop-me')) ? true : undefined,
    );
    const { stopDate } = await client.send(
      new StopExecutionCommand({ executionArn, error: 'Operator.Stop', cause: 'stopped by the test' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'ABORTED',
      error: 'Operator.Stop',
      cause: 'stopped by the test',
    });
    expect(described.stopDate?.getTime()).toBe(stopDate?.getTime());
    expect(described.output).toBeUndefined();
    const last = sfn.history(executionArn).at(-1);
    expect(last).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator.Stop', cause: 'stopped by the test' },
    });
    // The function finishing later changes nothing.
    holdGate.open();
    expect((await sfn.waitForExecution(executionArn)).status).toBe('ABORTED');
  });
});

describe('Fail states and runaway executions', () => {
  it('reports the Error and Cause a Fail state defines', async () => {
    const described = await run('fail', { kind: 'defined' });
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'Onboarding.Rejected',
      cause: 'applicant rejected',
    });
  });

  it('reports no error or cause for a Fail state that defines none', async () => {
    const described = await run('fail', { kind: 'bare' });
    expect(described.status).toBe('FAILED');
    expect(described.error).toBeUndefined();
    expect(described.cause).toBeUndefined();
  });

  it('fails an execution at the 25,000-event history limit with States.Runtime', async () => {
    const executionArn = await start('loop', {});
    const record = await sfn.waitForExecution(executionArn, { timeoutMs: 20_000 });
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(record.cause).toContain('maximum number of history events (25000)');
    expect(record.history).toHaveLength(25_000);
    expect(record.history.at(-1)?.type).toBe('ExecutionFailed');
  });
});

describe('GetExecutionHistory', () => {
  it('maps the run to AWS history events', async () => {
    const { executionArn } = await run('basic', { name: 'Hi', value: 1 }, 'history-shape');
    const { events = [] } = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    for (const event of events) expect(event.timestamp).toBeInstanceOf(Date);
    const [started, entered, scheduled, taskStarted, succeeded] = events;
    expect(started?.executionStartedEventDetails).toEqual({
      input: '{"name":"Hi","value":1}',
      inputDetails: { truncated: false },
      roleArn: 'arn:aws:iam::000000000000:role/local-stepfunctions/basic',
    });
    expect(entered?.stateEnteredEventDetails).toEqual({
      name: 'Greet',
      input: '{"name":"Hi","value":1}',
      inputDetails: { truncated: false },
    });
    expect(scheduled?.taskScheduledEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'eu-west-2',
      parameters: '{"FunctionName":"greet","Payload":{"name":"Hi","executionName":"history-shape"}}',
    });
    expect(taskStarted?.taskStartedEventDetails).toEqual({ resourceType: 'lambda', resource: 'invoke' });
    expect(JSON.parse(succeeded?.taskSucceededEventDetails?.output ?? 'null')).toMatchObject({
      StatusCode: 200,
    });
    expect(events[7]?.lambdaFunctionScheduledEventDetails).toEqual({
      resource: DOUBLE_ARN,
      input: '{"value":1}',
      inputDetails: { truncated: false },
    });
    expect(events[9]?.lambdaFunctionSucceededEventDetails?.output).toBe('{"value":2}');
    expect(events.at(-1)?.executionSucceededEventDetails?.output).toBe(
      JSON.stringify({
        ...JSON.parse(started?.executionStartedEventDetails?.input ?? '{}'),
        ...JSON.parse(events.at(-2)?.stateExitedEventDetails?.output ?? '{}'),
      }),
    );
  });

  it('omits execution data when includeExecutionData is false', async () => {
    const executionArn =
      (await run('basic', { name: 'Secret', value: 1 }, 'history-no-data')).executionArn ?? '';
    const { events = [] } = await client.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );
    expect(events).toHaveLength(16);
    expect(JSON.stringify(events)).not.toContain('Secret');
    expect(events[0]?.executionStartedEventDetails).toEqual({
      inputDetails: { truncated: false },
      roleArn: 'arn:aws:iam::000000000000:role/local-stepfunctions/basic',
    });
    expect(events[1]?.stateEnteredEventDetails).toEqual({
      name: 'Greet',
      inputDetails: { truncated: false },
    });
  });
});

describe('ListExecutions', () => {
  it('lists a state machine’s executions newest first', async () => {
    const stateMachineArn = sfn.stateMachineArn('fail');
    await run('fail', { kind: 'defined' }, 'list-failed');
    const succeeded = await run('fail', { kind: 'none' }, 'list-succeeded');
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    const names = all.executions?.map((e) => e.name) ?? [];
    expect(names.indexOf('list-succeeded')).toBeLessThan(names.indexOf('list-failed'));
    expect(all.executions?.find((e) => e.name === 'list-succeeded')).toEqual({
      executionArn: succeeded.executionArn,
      stateMachineArn,
      name: 'list-succeeded',
      status: 'SUCCEEDED',
      startDate: succeeded.startDate,
      stopDate: succeeded.stopDate,
    });
    // Other state machines' executions are not listed.
    expect(all.executions?.every((e) => e.stateMachineArn === stateMachineArn)).toBe(true);
  });
});

describe('protocol', () => {
  it('answers unknown operations, the ones the product does not use among them, with UnknownOperationException', async () => {
    for (const operation of [
      'CreateStateMachine',
      'SendTaskFailure',
      'SendTaskHeartbeat',
      'DescribeStateMachine',
      'ListStateMachines',
    ]) {
      const response = await fetch(sfn.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': `AWSStepFunctions.${operation}`,
        },
        body: '{}',
      });
      expect(response.status, operation).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(await response.json(), operation).toMatchObject({ __type: 'UnknownOperationException' });
    }
    await expect(
      client.send(
        new CreateStateMachineCommand({
          name: 'x',
          definition: '{}',
          roleArn: 'arn:aws:iam::000000000000:role/x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('answers malformed requests with ValidationException', async () => {
    const response = await fetch(sfn.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'AWSStepFunctions.DescribeExecution',
      },
      body: '{"executionArn": 42}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'ValidationException' });
  });
});

describe('onHistoryEvent', () => {
  it('streams every history event, in order, as it is recorded', async () => {
    const executionArn = await start('basic', { name: 'Live', value: 1 }, 'streamed');
    await sfn.waitForExecution(executionArn);
    const live = streamed.filter((entry) => entry.executionArn === executionArn).map((entry) => entry.event);
    expect(live).toEqual(sfn.history(executionArn));
    expect(live.map((e) => e.id)).toEqual(live.map((_, i) => i + 1));
    expect(live.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('exposes executions in memory', () => {
    const record = sfn.executions().find((e) => e.name === 'streamed');
    expect(record).toMatchObject({
      stateMachineName: 'basic',
      status: 'SUCCEEDED',
      input: '{"name":"Live","value":1}',
    });
    expect(record?.history.length).toBeGreaterThan(0);
  });
});

describe('start-up validation', () => {
  const minimal = (resource: string, extra: object = {}) =>
    JSON.stringify({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: resource, End: true, ...extra } },
    });

  it('rejects unsupported resources (DynamoDB and EventBridge Tasks among them), unknown functions and token-less callbacks', async () => {
    const cases: Array<[string, RegExp]> = [
      [minimal('arn:aws:states:::sqs:sendMessage'), /not supported locally/],
      [minimal('arn:aws:lambda:eu-west-2:000000000000:function:ghost'), /no local Lambda function/],
      [
        minimal('arn:aws:states:::lambda:invoke', { Parameters: { FunctionName: 'ghost' } }),
        /no local Lambda function/,
      ],
      [
        minimal('arn:aws:states:::dynamodb:putItem', { Parameters: { TableName: 't' } }),
        /not supported locally/,
      ],
      [
        minimal('arn:aws:states:::events:putEvents', { Parameters: { Entries: [] } }),
        /not supported locally/,
      ],
      [
        minimal('arn:aws:states:::lambda:invoke.waitForTaskToken', { Parameters: { FunctionName: 'greet' } }),
        /must pass \$\$\.Task\.Token/,
      ],
      [
        minimal('arn:aws:states:::lambda:invoke.waitForTaskToken', {
          Parameters: { FunctionName: 'greet', 'token.$': '$$.Task.Token' },
          HeartbeatSeconds: 5,
        }),
        /heartbeats are not supported locally/,
      ],
      [
        '{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"End":true}}}',
        /Parallel states are not supported/,
      ],
      [
        '{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{},"End":true}}}',
        /Map states are not supported/,
      ],
      ['{"StartAt":"Missing","States":{}}', /definition is invalid/],
      ['not json', /not valid JSON/],
    ];
    for (const [definition, message] of cases) {
      await expect(
        startLocalStepFunctions({ stateMachines: [{ name: 'bad', definition }], lambdas }),
      ).rejects.toThrow(message);
    }
  });
});
