/** Scopes an auth link may request (Data v1 permissions plus Signup+). */
export const AUTH_LINK_SCOPES: ReadonlySet<string> = new Set([
  'info',
  'accounts',
  'balance',
  'transactions',
  'cards',
  'direct_debits',
  'standing_orders',
  'offline_access',
  'signupplus',
]);

/**
 * Scopes a client_credentials token may carry: Data v3, Payments v3, Signup+, and the mandates'
 * (D:create-a-payment-mandate: `recurring_payments:sweeping` or `recurring_payments:commercial`).
 */
export const CLIENT_CREDENTIALS_SCOPES: ReadonlySet<string> = new Set([
  'data',
  'payments',
  'signupplus',
  'recurring_payments:sweeping',
  'recurring_payments:commercial',
]);

/** What each link scope shares, worded for the consent screen. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  info: 'Your name, address, email and phone number as your bank holds them',
  accounts: 'Your account names, numbers and sort codes',
  balance: 'Your account balances',
  transactions: 'Your transactions',
  cards: 'Your card details and card transactions',
  direct_debits: 'Your direct debits',
  standing_orders: 'Your standing orders',
  offline_access: 'Continued access while you are not using the app (up to 90 days)',
  signupplus:
    'Your name, date of birth and address, and the details of the chosen account (sort code, account number, IBAN), to fill in a sign-up form',
};

/** Splits a space-separated list (scopes, providers), dropping empty parts and repeats. */
export function splitSpaceList(value: string): string[] {
  return [...new Set(value.split(/\s+/).filter((part) => part.length > 0))];
}
