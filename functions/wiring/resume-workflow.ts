import {
  SendTaskSuccessCommand,
  SFNServiceException,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '../commons/clients/sfn.ts';
import type { ResumeOutcome } from '../onboarding/choose-account.ts';

/**
 * Answers the waiting task with the user's choice. The token alone names the
 * execution, so this needs no configuration; a token whose task already ended
 * (timed out, or answered by a concurrent choice) reports `task_closed`.
 * A failure that may have taken effect (a 5xx, a timeout, a dropped answer)
 * reports `unconfirmed`; only a throttle or a refusal, which Step Functions
 * did not act on, is thrown.
 */
export async function resumeWorkflow(
  taskToken: string,
  output: { account_id: string },
): Promise<ResumeOutcome> {
  try {
    await sfnClient.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    return 'resumed';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) return 'task_closed';
    // A client fault (throttled, refused) was answered before Step Functions acted on it.
    if (error instanceof SFNServiceException && error.$fault === 'client') throw error;
    return 'unconfirmed';
  }
}
