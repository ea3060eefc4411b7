import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import type { WORKFLOW_OF_FLOW, WORKFLOWS } from '../contract/manifest.ts';
import type { OnboardingFlow } from '../contract/onboarding-requests.ts';

/*
 * The manifest names the workflow each flow runs on (WORKFLOW_OF_FLOW) and the
 * variable each workflow's machine ARN comes in (WORKFLOWS[id].arnSetting);
 * the names are repeated here as types checked against it, so that a
 * function's bundle does not carry the manifest.
 */
const ARN_SETTINGS: {
  [F in OnboardingFlow]: (typeof WORKFLOWS)[(typeof WORKFLOW_OF_FLOW)[F]]['arnSetting'];
} = {
  data: 'STATE_MACHINE_ARN',
  payment: 'PAYMENT_STATE_MACHINE_ARN',
  mandate: 'PAYMENT_STATE_MACHINE_ARN',
  connection: 'CONNECTION_STATE_MACHINE_ARN',
};

const arn = z.string().check(z.minLength(1));
const config = readEnv(
  z.object({ STATE_MACHINE_ARN: arn, PAYMENT_STATE_MACHINE_ARN: arn, CONNECTION_STATE_MACHINE_ARN: arn }),
);

/** The state machine that runs a flow's journeys (each function that starts or describes one gets every ARN). */
export const stateMachineArnOf = (flow: OnboardingFlow): string => config[ARN_SETTINGS[flow]];
