import * as z from 'zod/mini';
import { onboardingIdSchema } from '../../contract/onboarding-requests.ts';

/**
 * Payloads the state machine hands to each task. They carry references and
 * non-personal fields only: Step Functions keeps every state's input and
 * output in its execution history.
 */
export const stepInputSchema = z.object({ onboarding_id: onboardingIdSchema });

/** How long a multi-account journey waits for the user's choice (from the execution's input). */
const choiceTimeout = z.number().check(z.int(), z.positive());

export const linkAccountsInputSchema = z.extend(stepInputSchema, {
  account_choice_timeout_seconds: choiceTimeout,
});

export const accountChoiceWaitInputSchema = z.extend(stepInputSchema, {
  task_token: z.string().check(z.minLength(1), z.maxLength(2048)),
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

/**
 * What LinkAccounts tells the state machine's Choice: the journey has ended
 * (completed, or failed with a reason it recorded itself), it waits for the
 * user's choice (for `wait_seconds`), or a choice is already recorded (a
 * journey resumed by the reconciler). Every field the ASL reads is always
 * present, so no JSONPath can miss (a missing path is States.Runtime, which
 * no Catch catches).
 */
export const linkAccountsResultSchema = z.object({
  next: z.enum(['end', 'choose', 'chosen']),
  wait_seconds: z.number().check(z.int(), z.positive()),
});
export type LinkAccountsResult = z.infer<typeof linkAccountsResultSchema>;

/**
 * What CheckPayment tells the payment workflow's Choice: the journey has
 * ended, or look at the payment again in `wait_seconds`. Both fields are
 * always present, for the same reason as LinkAccounts'.
 */
export const checkPaymentResultSchema = z.object({
  next: z.enum(['end', 'wait']),
  wait_seconds: z.number().check(z.int(), z.positive()),
});
export type CheckPaymentResult = z.infer<typeof checkPaymentResultSchema>;

/**
 * What FollowConnection tells the connection workflow's Choice: the journey
 * has ended, look again in `wait_seconds` (the connection is not authorised
 * yet, or Signup+ is still reading the account), or wait up to
 * `wait_seconds` for the user's choice of account.
 */
export const followConnectionResultSchema = z.object({
  next: z.enum(['end', 'wait', 'choose']),
  wait_seconds: z.number().check(z.int(), z.positive()),
});
export type FollowConnectionResult = z.infer<typeof followConnectionResultSchema>;

/** A looping step's answer that the journey has ended (the Choice ignores `wait_seconds` then). */
export const END_STEP = { next: 'end', wait_seconds: 1 } as const;

/** A looping step's answer to look again in `seconds`: a whole number, at least one (a Wait's unit). */
export const waitStep = (seconds: number) => ({
  next: 'wait' as const,
  wait_seconds: Math.max(1, Math.ceil(seconds)),
});
