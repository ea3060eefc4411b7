import { taskHandler } from '../commons/task-handler.ts';
import { exchangeCode } from '../onboarding/workflow/exchange-code.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { now, repository } from '../wiring/repository.ts';
import { exchangeAuthorizationCode, tokenDependencies } from '../wiring/truelayer.ts';

const tokenDeps = tokenDependencies();

/** Workflow step ExchangeCode. */
export const handler = taskHandler(stepInputSchema, async (input) => {
  await exchangeCode(input.onboarding_id, {
    repository,
    now,
    exchangeCode: (code) => exchangeAuthorizationCode(tokenDeps, code),
  });
  return { onboarding_id: input.onboarding_id };
});
