import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { sfnClient } from '../commons/clients/sfn.ts';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';
import type { OnboardingFlow } from '../contract/onboarding-requests.ts';
import { stateMachineArnOf } from './workflow-arns.ts';

const config = readEnv(
  z.object({
    // The wait for a choice must end before the access token does (TrueLayer: one hour).
    ACCOUNT_CHOICE_TIMEOUT_SECONDS: z.pipe(positiveIntFromEnv(900), z.number().check(z.maximum(3300))),
  }),
);

/**
 * Starts the onboarding's execution on its flow's state machine, named after
 * the onboarding: Step Functions then refuses a second run, and an identical
 * request while the first runs returns it. The input is built in a fixed key
 * order so that duplicates are byte-identical.
 */
export async function startWorkflow(onboardingId: string, flow: OnboardingFlow = 'data'): Promise<void> {
  const input = JSON.stringify(
    flow === 'data' || flow === 'connection'
      ? { onboarding_id: onboardingId, account_choice_timeout_seconds: config.ACCOUNT_CHOICE_TIMEOUT_SECONDS }
      : { onboarding_id: onboardingId },
  );
  try {
    await sfnClient.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArnOf(flow), name: onboardingId, input }),
    );
  } catch (error) {
    // Already started (and perhaps finished) by the first of duplicate callbacks.
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
}
