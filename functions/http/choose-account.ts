import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody, parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { accountChoiceRequestSchema, onboardingPathSchema } from '../contract/onboarding-requests.ts';
import { chooseAccount } from '../onboarding/choose-account.ts';
import { now, repository } from '../wiring/repository.ts';
import { resumeWorkflow } from '../wiring/resume-workflow.ts';
import { workflowState } from '../wiring/workflow-state.ts';

/** POST /onboardings/{id}/account-choice: resumes the workflow waiting for the user's pick. */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, onboardingPathSchema);
  const { account_id } = parseJsonBody(event, accountChoiceRequestSchema);
  const accepted = await chooseAccount(id, account_id, { repository, now, resumeWorkflow, workflowState });
  return jsonResponse(202, accepted);
});
