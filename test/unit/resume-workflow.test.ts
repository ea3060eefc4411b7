import { SFNServiceException, TaskTimedOut } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { sfnClient } from '../../functions/commons/clients/sfn.ts';
import { resumeWorkflow } from '../../functions/wiring/resume-workflow.ts';

const NAME = 'unit-test-answer';

/** Step Functions answering SendTaskSuccess with `error`, before anything else of the SDK's (initialize step). */
function answerWith(error: Error) {
  sfnClient.middlewareStack.add(
    () => async () => {
      throw error;
    },
    { step: 'initialize', name: NAME },
  );
}

afterEach(() => {
  sfnClient.middlewareStack.remove(NAME);
});

describe('resumeWorkflow', () => {
  it('reports a closed task when the token timed out or was answered', async () => {
    answerWith(new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } }));

    await expect(resumeWorkflow('token', { account_id: 'a' })).resolves.toBe('task_closed');
  });

  it('throws a throttle or refusal: Step Functions did not act on it', async () => {
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
    answerWith(throttled);

    await expect(resumeWorkflow('token', { account_id: 'a' })).rejects.toBe(throttled);
  });

  it('reports unconfirmed when the call may have taken effect: a 5xx, a dropped or lost answer', async () => {
    answerWith(
      new SFNServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'boom',
      }),
    );
    await expect(resumeWorkflow('token', { account_id: 'a' })).resolves.toBe('unconfirmed');
    sfnClient.middlewareStack.remove(NAME);

    answerWith(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(resumeWorkflow('token', { account_id: 'a' })).resolves.toBe('unconfirmed');
  });
});
