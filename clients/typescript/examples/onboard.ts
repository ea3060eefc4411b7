/**
 * From your backend: start an onboarding, send the user to the auth link, then follow the journey
 * by polling (a return page does this) until it needs an account choice or has ended.
 *
 *   const client = new SignupPlusClient({ baseUrl: process.env.SIGNUPPLUS_API_URL ?? '', region: 'eu-west-2' });
 */
import { type Onboarding, SignupPlusClient, SignupPlusGatewayError } from '@signupplus/client';

export { SignupPlusClient };

/** Step 1, when the user clicks "Sign up with your bank": keep the id with the user's session. */
export async function startSignUp(client: SignupPlusClient, customerId: string) {
  const created = await client.createOnboarding({ reference: customerId });
  return { onboardingId: created.onboarding_id, redirectUserTo: created.auth_link };
}

/**
 * Step 2, on your return page: where does the journey stand? `chooseFor` picks an account when the
 * user linked several (show `accounts` to the user and send what they pick; nothing is preselected).
 */
export async function followSignUp(
  client: SignupPlusClient,
  onboardingId: string,
  chooseFor: (accounts: NonNullable<Onboarding['accounts']>) => Promise<string>,
): Promise<Onboarding> {
  for (;;) {
    const onboarding = await client.waitForOnboarding(onboardingId, { intervalMs: 250, timeoutMs: 60_000 });
    if (onboarding.status !== 'awaiting_account_choice') return onboarding;
    const accountId = await chooseFor(onboarding.accounts ?? []);
    try {
      await client.chooseAccount(onboardingId, accountId);
    } catch (error) {
      // API Gateway throttled the call: wait as it asks, then go round again.
      if (!(error instanceof SignupPlusGatewayError) || error.status !== 429) throw error;
      await new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? 1) * 1000));
    }
  }
}
