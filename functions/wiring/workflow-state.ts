import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { sfnClient } from '../commons/clients/sfn.ts';
import type { OnboardingFlow } from '../contract/onboarding-requests.ts';
import type { WorkflowState } from '../onboarding/choose-account.ts';
import { stateMachineArnOf } from './workflow-arns.ts';

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name>, the ARN Step Functions gives an execution. */
export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Whether the onboarding's execution (named after it, on its flow's machine) runs, has ended, or was never started. */
export async function workflowState(
  onboardingId: string,
  flow: OnboardingFlow = 'data',
): Promise<WorkflowState> {
  try {
    const { status } = await sfnClient.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArnOf(flow), onboardingId) }),
    );
    return status === 'RUNNING' || status === 'PENDING_REDRIVE' ? 'running' : 'ended';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return 'not_found';
    throw error;
  }
}
