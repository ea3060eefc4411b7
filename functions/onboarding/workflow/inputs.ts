import * as z from 'zod/mini';
import { onboardingIdSchema } from '../get-onboarding.ts';

/**
 * Payloads the state machine hands to each task. They carry references and
 * non-personal fields only: Step Functions keeps every state's input and
 * output in its execution history.
 */
export const stepInputSchema = z.object({ onboarding_id: onboardingIdSchema });

export const accountChoiceWaitInputSchema = z.extend(stepInputSchema, {
  task_token: z.string().check(z.minLength(1), z.maxLength(2048)),
  account_choice_timeout_seconds: z.number().check(z.int(), z.positive()),
});

export const chosenAccountInputSchema = z.extend(stepInputSchema, {
  account_id: z.string().check(z.minLength(1)),
});

export const endOnboardingInputSchema = z.extend(stepInputSchema, {
  outcome: z.enum(['failed', 'expired']),
  /**
   * What the Catch recorded when a step failed. Step Functions leaves `Cause`
   * out for some of its own errors, so only `Error` is certain.
   */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type EndOnboardingInput = z.infer<typeof endOnboardingInputSchema>;

/** What LinkAccounts returns to the state machine's Choice. */
export const linkAccountsResultSchema = z.object({
  result: z.enum(['single_account', 'multiple_accounts_linked']),
  account_count: z.number().check(z.int(), z.positive()),
});
export type LinkAccountsResult = z.infer<typeof linkAccountsResultSchema>;
