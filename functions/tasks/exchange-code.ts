import { taskHandler } from '../commons/task-handler.ts';
import { exchangeCode } from '../onboarding/workflow/exchange-code.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { exchangeCodeAtTrueLayer } from '../wiring/code-exchange.ts';
import { now, repository } from '../wiring/repository.ts';

/** Workflow step ExchangeCode. */
export const handler = taskHandler(stepInputSchema, async (input) => {
  await exchangeCode(input.onboarding_id, {
    repository,
    now,
    exchangeCode: exchangeCodeAtTrueLayer,
  });
  return { onboarding_id: input.onboarding_id };
});
