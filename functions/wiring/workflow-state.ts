import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { sfnClient } from '../commons/clients/sfn.ts';
import { readEnv } from '../commons/env.ts';
import type { WorkflowState } from '../onboarding/choose-account.ts';

const { STATE_MACHINE_ARN } = readEnv(z.object({ STATE_MACHINE_ARN: z.string().check(z.minLength(1)) }));

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name>, the ARN Step Functions gives an execution. */
export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Whether the onboarding's execution (named after it) runs, has ended, or was never started. */
export async function workflowState(onboardingId: string): Promise<WorkflowState> {
  try {
    const { status } = await sfnClient.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(STATE_MACHINE_ARN, onboardingId) }),
    );
    return status === 'RUNNING' || status === 'PENDING_REDRIVE' ? 'running' : 'ended';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return 'not_found';
    throw error;
  }
}
