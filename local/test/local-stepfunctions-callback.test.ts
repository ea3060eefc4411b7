import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStepFunctions, startLocalStepFunctions } from '../stepfunctions/index.ts';
import { eventually, fixture, sfnClient } from './fixtures/stepfunctions/harness.ts';

interface ApprovalRequest {
  taskToken: string;
  executionName: string;
  request?: string;
}

class UpstreamDown extends Error {
  override name = 'UpstreamDown';
}

let sfn: LocalStepFunctions;
let client: SFNClient;
/** What the callback Lambda received, by execution name. */
const requests = new Map<string, ApprovalRequest>();

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    stateMachines: [{ name: 'callback', definition: fixture('callback') }],
    lambdas: {
      async requestApproval(event) {
        const request = event as ApprovalRequest;
        if (request.request === 'explode') throw new UpstreamDown('approval service is down');
        requests.set(request.executionName, request);
      },
    },
  });
  client = sfnClient(sfn.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await sfn?.close();
});

async function start(machine: string, name: string, input: object): Promise<string> {
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn(machine),
      name,
      input: JSON.stringify(input),
    }),
  );
  return executionArn ?? '';
}

/** Starts the callback machine and waits until its Lambda has received the task token. */
async function startWaiting(
  name: string,
  timeoutSeconds = 300,
): Promise<{ executionArn: string; token: string }> {
  const executionArn = await start('callback', name, { request: `request of ${name}`, timeoutSeconds });
  const { taskToken } = await eventually(() => requests.get(name));
  return { executionArn, token: taskToken };
}

async function finished(executionArn: string) {
  await sfn.waitForExecution(executionArn);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  return { ...described, result: JSON.parse(described.output ?? 'null') as Record<string, unknown> };
}

describe('.waitForTaskToken', () => {
  it('passes the token and $$.Execution.Name to the Lambda and resumes on SendTaskSuccess', async () => {
    const { executionArn, token } = await startWaiting('approve-1');
    expect(requests.get('approve-1')).toEqual({
      taskToken: token,
      executionName: 'approve-1',
      request: 'request of approve-1',
    });
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const described = await finished(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.result).toMatchObject({ approval: { approved: true }, outcome: 'approved' });

    const history = sfn.history(executionArn);
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = history[2]?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      timeoutInSeconds: 300,
    });
    expect(JSON.parse(scheduled?.parameters ?? 'null')).toMatchObject({ Payload: { taskToken: token } });
    expect(JSON.parse(history[4]?.taskSubmittedEventDetails?.output ?? 'null')).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: null,
      StatusCode: 200,
    });
    expect(history[5]?.taskSucceededEventDetails?.output).toBe('{"approved":true}');

    // The task is closed: answering again is TaskTimedOut, as on AWS.
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":false}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('gives every waiting Task its own token', async () => {
    const first = await startWaiting('token-a');
    const second = await startWaiting('token-b');
    expect(first.token).not.toBe(second.token);
    await client.send(new SendTaskSuccessCommand({ taskToken: second.token, output: '"b"' }));
    expect((await finished(second.executionArn)).result).toMatchObject({ approval: 'b' });
    expect(
      (await client.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status,
    ).toBe('RUNNING');
    await client.send(new SendTaskSuccessCommand({ taskToken: first.token, output: '"a"' }));
    expect((await finished(first.executionArn)).result).toMatchObject({ approval: 'a' });
  });

  it('fails the Task with the Lambda error when the function itself fails', async () => {
    const executionArn = await start('callback', 'explode-1', { request: 'explode', timeoutSeconds: 300 });
    const described = await finished(executionArn);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('UpstreamDown');
    expect(JSON.parse(described.cause ?? 'null')).toEqual({
      errorType: 'UpstreamDown',
      errorMessage: 'approval service is down',
      trace: [],
    });
  });

  it('lets exactly one of two concurrent SendTaskSuccess calls win', async () => {
    const { executionArn, token } = await startWaiting('race-1');
    const results = await Promise.allSettled([
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"first"' })),
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"second"' })),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ name: 'TaskTimedOut' });
    const winner = results[0]?.status === 'fulfilled' ? 'first' : 'second';
    expect((await finished(executionArn)).result).toMatchObject({ approval: winner });
  });

  it('times out after TimeoutSecondsPath (read from the state input) with States.Timeout, then rejects the token', async () => {
    const { executionArn, token } = await startWaiting('timeout-1', 1);
    const described = await finished(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.result).toMatchObject({ outcome: 'timed-out', error: { Error: 'States.Timeout' } });
    const history = sfn.history(executionArn);
    expect(history.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.timeoutInSeconds).toBe(
      1,
    );
    expect(history.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
    });
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('rejects malformed tokens, unknown tokens and invalid output', async () => {
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidToken',
    });
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(128), output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });

    const { executionArn, token } = await startWaiting('invalid-output-1');
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{nope' })),
    ).rejects.toMatchObject({
      name: 'InvalidOutput',
    });
    // A rejected answer leaves the task waiting.
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":1}' }));
    expect((await finished(executionArn)).result).toMatchObject({ approval: { ok: 1 } });
  });

  it('closes the token of a waiting Task when the execution is stopped', async () => {
    const { executionArn, token } = await startWaiting('stop-1');
    await client.send(new StopExecutionCommand({ executionArn }));
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('ABORTED');
    expect(described.error).toBeUndefined();
    expect(sfn.history(executionArn).at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: {},
    });
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });
});

describe('close()', () => {
  it('aborts running executions and closes their tokens', async () => {
    const local = await startLocalStepFunctions({
      stateMachines: [{ name: 'callback', definition: fixture('callback') }],
      lambdas: { requestApproval: async () => undefined },
    });
    const localClient = sfnClient(local.endpoint);
    try {
      const { executionArn } = await localClient.send(
        new StartExecutionCommand({
          stateMachineArn: local.stateMachineArn('callback'),
          input: '{"request":"r","timeoutSeconds":300}',
        }),
      );
      await eventually(() => local.history(executionArn ?? '').find((e) => e.type === 'TaskSubmitted'));
      await local.close();
      expect(local.executions().find((e) => e.executionArn === executionArn)?.status).toBe('ABORTED');
      await expect(fetch(local.endpoint)).rejects.toThrow();
    } finally {
      localClient.destroy();
      await local.close();
    }
  });
});
