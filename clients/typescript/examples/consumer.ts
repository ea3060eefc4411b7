/**
 * Subscribing: a Lambda function behind an EventBridge rule on the product's bus (see
 * docs/recipes/cross-account-consumer.md), reading each event with the product's own schemas.
 * EventBridge delivers at least once: remember `detail.event_id` and skip what you have seen.
 */
import { parseOnboardingEvent } from '@signupplus/client';

export interface ReadyCustomer {
  onboardingId: string;
  name: string;
  account: { sort_code?: string | undefined; account_number?: string | undefined; iban?: string | undefined };
}

export function makeHandler(seen: Set<string>, onReady: (customer: ReadyCustomer) => Promise<void>) {
  return async (event: unknown): Promise<void> => {
    const parsed = parseOnboardingEvent(event);
    if (parsed === undefined || seen.has(parsed.detail.event_id)) return;
    if (parsed.detailType === 'Onboarding Ready For Payment') {
      const { user, account, onboarding_id } = parsed.detail;
      await onReady({
        onboardingId: onboarding_id,
        name: `${user.first_name} ${user.last_name}`,
        account: { sort_code: account.sort_code, account_number: account.account_number, iban: account.iban },
      });
    }
    seen.add(parsed.detail.event_id);
  };
}
