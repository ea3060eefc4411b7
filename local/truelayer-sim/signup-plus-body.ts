import type { SandboxAccount, SandboxUser } from './users.ts';

/** Bank details attached to a Signup+ identity. */
export interface AccountDetails {
  sort_code?: string;
  account_number?: string;
  iban?: string;
  provider_id: string;
}

/** One account in the `multiple_accounts_linked` answer. */
export interface AccountSummary {
  account_id: string;
  currency: string;
  account_type: string;
  display_name: string;
  account_number?: string;
  sort_code?: string;
}

/** The user's identity plus the chosen account's details, in the field order of TrueLayer's examples. */
export function identityBody(user: SandboxUser, account: SandboxAccount): Record<string, unknown> {
  const { identity } = user;
  // Spread-with-condition keeps absent fields out of the JSON instead of sending nulls.
  const accountDetails: AccountDetails = {
    ...(account.sort_code === undefined ? {} : { sort_code: account.sort_code }),
    ...(account.account_number === undefined ? {} : { account_number: account.account_number }),
    ...(account.iban === undefined ? {} : { iban: account.iban }),
    provider_id: account.provider_id,
  };
  return {
    ...(identity.title === undefined ? {} : { title: identity.title }),
    first_name: identity.first_name,
    last_name: identity.last_name,
    date_of_birth: identity.date_of_birth,
    address: { ...identity.address },
    ...(identity.national_identification_number === undefined
      ? {}
      : { national_identification_number: identity.national_identification_number }),
    ...(identity.sex === undefined ? {} : { sex: identity.sex }),
    account_details: accountDetails,
  };
}

/** The answer when several accounts qualify and no account_id was given (shape from TrueLayer's docs). */
export function multipleAccountsBody(accounts: readonly SandboxAccount[]): Record<string, unknown> {
  return {
    result: 'multiple_accounts_linked',
    detail: 'Multiple valid accounts linked, please resend the request specifying an account_id.',
    links: Object.fromEntries(accounts.map((a) => [a.account_id, `/${a.account_id}`])),
    accounts: accounts.map((a) => {
      const summary: AccountSummary = {
        account_id: a.account_id,
        currency: a.currency,
        account_type: a.account_type,
        display_name: a.display_name,
      };
      if (a.account_number !== undefined) summary.account_number = a.account_number;
      if (a.sort_code !== undefined) summary.sort_code = a.sort_code;
      return summary;
    }),
  };
}
