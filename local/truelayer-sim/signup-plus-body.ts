import type { Switches } from './switches.ts';
import type { SandboxAccount, SandboxIdentity } from './users.ts';

/** How the answers write what a user does not have, and which address key they use. */
export type BodyStyle = Pick<Switches, 'absent_fields' | 'address_country_key'>;

const DEFAULT_STYLE: BodyStyle = { absent_fields: 'omit', address_country_key: 'country' };

/**
 * A field the user does not have: left out, or written as `null` or `""`
 * (switch `absent_fields`): TrueLayer's SDKs read every Signup+ field as
 * optional and nullable, so a client must take all three the same way.
 */
function optional(style: BodyStyle, key: string, value: string | undefined): Record<string, unknown> {
  if (value !== undefined) return { [key]: value };
  if (style.absent_fields === 'null') return { [key]: null };
  if (style.absent_fields === 'empty') return { [key]: '' };
  return {};
}

function addressBody(identity: SandboxIdentity, style: BodyStyle): Record<string, unknown> {
  const { address } = identity;
  return {
    address_line1: address.address_line1,
    ...optional(style, 'address_line2', address.address_line2),
    city: address.city,
    ...optional(style, 'state', address.state),
    zip: address.zip,
    [style.address_country_key]: address.country,
  };
}

/** The user's identity plus the chosen account's details, in the field order of TrueLayer's examples. */
export function identityBody(
  identity: SandboxIdentity,
  account: SandboxAccount,
  style: BodyStyle = DEFAULT_STYLE,
): Record<string, unknown> {
  return {
    ...optional(style, 'title', identity.title),
    first_name: identity.first_name,
    last_name: identity.last_name,
    date_of_birth: identity.date_of_birth,
    address: addressBody(identity, style),
    ...optional(style, 'national_identification_number', identity.national_identification_number),
    ...optional(style, 'sex', identity.sex),
    account_details: {
      ...optional(style, 'sort_code', account.sort_code),
      ...optional(style, 'account_number', account.account_number),
      ...optional(style, 'iban', account.iban),
      provider_id: account.provider_id,
    },
  };
}

/** The answer when several accounts qualify and no account_id was given (shape from TrueLayer's docs). */
export function multipleAccountsBody(
  accounts: readonly SandboxAccount[],
  style: BodyStyle = DEFAULT_STYLE,
): Record<string, unknown> {
  return {
    result: 'multiple_accounts_linked',
    detail: 'Multiple valid accounts linked, please resend the request specifying an account_id.',
    links: Object.fromEntries(accounts.map((a) => [a.account_id, `/${a.account_id}`])),
    accounts: accounts.map((a) => ({
      account_id: a.account_id,
      currency: a.currency,
      account_type: a.account_type,
      display_name: a.display_name,
      ...optional(style, 'account_number', a.account_number),
      ...optional(style, 'sort_code', a.sort_code),
    })),
  };
}
