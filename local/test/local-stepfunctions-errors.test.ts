import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStepFunctions, startLocalStepFunctions } from '../stepfunctions/index.ts';
import { fixture, sfnClient } from './fixtures/stepfunctions/harness.ts';

class FlakyError extends Error {
  override name = 'FlakyError';
}
class FatalError extends Error {
  override name = 'FatalError';
}

interface FlakyInput {
  mode?: 'flaky' | 'fatal';
  failures?: number;
  anythingFails?: boolean;
}

let sfn: LocalStepFunctions;
let client: SFNClient;
let flakyCalls = 0;

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    stateMachines: [{ name: 'retry-catch', definition: fixture('retry-catch') }],
    lambdas: {
      async flaky(event) {
        const input = event as FlakyInput;
        flakyCalls += 1;
        if (input.mode === 'fatal') throw new FatalError('cannot continue');
        if (input.mode === 'flaky' && flakyCalls <= (input.failures ?? 0))
          throw new FlakyError(`attempt ${flakyCalls}`);
        return { attempts: flakyCalls };
      },
      async anything(event) {
        if ((event as FlakyInput).anythingFails) throw new TypeError('unexpected shape');
        return 'fine';
      },
    },
    // The ASL asks for 5 s, 10 s, 20 s pauses; tests must not wait for them.
    retryIntervalMs: 0,
  });
  client = sfnClient(sfn.endpoint);
});

beforeEach(() => {
  flakyCalls = 0;
});

afterAll(async () => {
  client?.destroy();
  await sfn?.close();
});

async function run(input: FlakyInput) {
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn('retry-catch'),
      input: JSON.stringify(input),
    }),
  );
  await sfn.waitForExecution(executionArn ?? '');
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe('Lambda errors', () => {
  it('are retried when Retry names the thrown error', async () => {
    const described = await run({ mode: 'flaky', failures: 2 });
    expect(described.status).toBe('SUCCEEDED');
    expect(flakyCalls).toBe(3);
    expect(JSON.parse(described.output ?? 'null')).toMatchObject({
      flaky: { attempts: 3 },
      anything: { value: 'fine' },
    });
    const history = sfn.history(described.executionArn ?? '');
    const failures = history.filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures).toHaveLength(2);
    expect(failures[0]?.lambdaFunctionFailedEventDetails).toEqual({
      error: 'FlakyError',
      cause: JSON.stringify({ errorType: 'FlakyError', errorMessage: 'attempt 1', trace: [] }),
    });
    // Each attempt is scheduled again; the state is entered once.
    expect(history.filter((e) => e.type === 'LambdaFunctionScheduled')).toHaveLength(3);
    expect(
      history.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Flaky'),
    ).toHaveLength(1);
  });

  it('fail the execution with the Lambda error name and cause once retries are exhausted', async () => {
    const described = await run({ mode: 'flaky', failures: 100 });
    // MaxAttempts 3: the first call and three retries.
    expect(flakyCalls).toBe(4);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('FlakyError');
    expect(JSON.parse(described.cause ?? 'null')).toEqual({
      errorType: 'FlakyError',
      errorMessage: 'attempt 4',
      trace: [],
    });
    expect(sfn.history(described.executionArn ?? '').at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'FlakyError', cause: described.cause },
    });
  });

  it('are caught by name, with Error and Cause in the ResultPath', async () => {
    const described = await run({ mode: 'fatal' });
    expect(flakyCalls).toBe(1);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output ?? 'null') as {
      error: { Error: string; Cause: string };
      outcome: string;
    };
    expect(output.outcome).toBe('recovered');
    expect(output.error.Error).toBe('FatalError');
    expect(JSON.parse(output.error.Cause)).toEqual({
      errorType: 'FatalError',
      errorMessage: 'cannot continue',
      trace: [],
    });
  });

  it('are caught by States.ALL, also through lambda:invoke', async () => {
    const described = await run({ anythingFails: true });
    const output = JSON.parse(described.output ?? 'null') as {
      error: { Error: string; Cause: string };
      outcome: string;
    };
    expect(output.outcome).toBe('caught-all');
    expect(output.error.Error).toBe('TypeError');
    expect(JSON.parse(output.error.Cause)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'unexpected shape',
    });
    const failed = sfn.history(described.executionArn ?? '').find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'TypeError',
    });
  });
});
