import * as z from 'zod/mini';
import { type UserIdentity, userIdentitySchema } from '../onboarding/user-identity.ts';
import { type AccountDetails, accountDetailsSchema, hasPaymentRoute } from './account-details.ts';
import { emptyToUndefined, tolerant, tolerantText } from './tolerant.ts';

/*
 * What Signup+ answers (`GET /signup-plus/accounts`), read tolerantly: every
 * field may be absent, `null` or empty, as TrueLayer's SDKs allow. The
 * essentials of a user who is ready for payment are checked after reading
 * (readSignupPlusIdentity); what the record keeps is in account-details.ts
 * and onboarding/user-identity.ts. The token and error shapes every TrueLayer
 * client reads are in common-schemas.ts.
 */

/** TrueLayer's SDK fixtures name the country `country`, the Signup+ guide writes `country_code`: either is read. */
const rawAddressSchema = z.object({
  address_line1: tolerantText,
  address_line2: tolerantText,
  city: tolerantText,
  state: tolerantText,
  zip: tolerantText,
  country: tolerantText,
  country_code: tolerantText,
});

const rawAccountDetailsSchema = z.object({
  provider_id: tolerantText,
  sort_code: tolerantText,
  account_number: tolerantText,
  iban: tolerantText,
});

/** The identity as Signup+ sends it: nothing required, only the types checked. */
const rawIdentitySchema = z.object({
  title: tolerantText,
  first_name: tolerantText,
  last_name: tolerantText,
  date_of_birth: tolerantText,
  // Finnish users carry these instead of a title (TrueLayer's SDKs).
  national_identification_number: tolerantText,
  sex: tolerantText,
  address: tolerant(rawAddressSchema),
  account_details: tolerant(rawAccountDetailsSchema),
});
type RawIdentity = z.infer<typeof rawIdentitySchema>;

/** The person and the account the ready event carries: the names and the way to pay are there. */
export type SignupPlusIdentity = UserIdentity & { account_details: AccountDetails };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;

/** `YYYY-MM-DD` of a real day, also when TrueLayer sends a date-time; anything else is not a date of birth. */
function isoDate(value: string | undefined): string | undefined {
  const match = value === undefined ? null : ISO_DATE.exec(value);
  if (!match) return undefined;
  const date = match.slice(1, 4).join('-');
  return new Date(`${date}T00:00:00Z`).toISOString().startsWith(date) ? date : undefined;
}

/** The fields the record keeps, with what was present but unusable named in `ignored` (names only). */
function normalise(raw: RawIdentity) {
  const ignored: string[] = [];
  const dateOfBirth = isoDate(raw.date_of_birth);
  if (raw.date_of_birth !== undefined && dateOfBirth === undefined) ignored.push('date_of_birth');
  const countryText = (raw.address?.country ?? raw.address?.country_code)?.toUpperCase();
  const country = countryText !== undefined && /^[A-Z]{2}$/.test(countryText) ? countryText : undefined;
  if (countryText !== undefined && country === undefined) ignored.push('address.country');
  const { country: _country, country_code: _countryCode, ...lines } = raw.address ?? {};
  return {
    ignored,
    person: {
      title: raw.title,
      first_name: raw.first_name,
      last_name: raw.last_name,
      date_of_birth: dateOfBirth,
      national_identification_number: raw.national_identification_number,
      sex: raw.sex,
      address: emptyToUndefined({ ...lines, country }),
    },
    account: emptyToUndefined({ ...raw.account_details }),
  };
}

/**
 * The essentials of a user who is ready for payment, by field name: a first
 * and a last name, and a way to pay the account (a sort code with an account
 * number, or an IBAN).
 */
function missingEssentials(normalised: ReturnType<typeof normalise>): string[] {
  const missing: string[] = [];
  if (normalised.person.first_name === undefined) missing.push('first_name');
  if (normalised.person.last_name === undefined) missing.push('last_name');
  const account = normalised.account ?? {};
  if (!hasPaymentRoute(account)) {
    if (account.sort_code !== undefined) missing.push('account_details.account_number');
    else if (account.account_number !== undefined) missing.push('account_details.sort_code');
    else missing.push('account_details.iban | account_details.sort_code + account_number');
  }
  return missing;
}

/** What the record and the event keep, checked against the stored shape. */
const readyIdentitySchema = z.extend(userIdentitySchema, { account_details: accountDetailsSchema });

/** How an identity answer reads: usable, lacking essentials (named), or not an identity at all. */
export type IdentityReading =
  | { kind: 'identity'; identity: SignupPlusIdentity; ignored: readonly string[] }
  | { kind: 'incomplete'; missing: readonly string[] }
  | { kind: 'unreadable' };

/** Reads one account's identity, as `GET /signup-plus/accounts` answers it, without failing on absent fields. */
export function readSignupPlusIdentity(body: unknown): IdentityReading {
  const raw = rawIdentitySchema.safeParse(body);
  if (!raw.success || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'unreadable' };
  }
  const normalised = normalise(raw.data);
  const missing = missingEssentials(normalised);
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const ready = readyIdentitySchema.safeParse({ ...normalised.person, account_details: normalised.account });
  if (!ready.success) return { kind: 'unreadable' };
  return { kind: 'identity', identity: ready.data, ignored: normalised.ignored };
}

/**
 * The same reading as a schema: parses to the identity the record keeps, or
 * fails when the answer lacks an essential (readSignupPlusIdentity says which).
 */
export const signupPlusIdentitySchema = z.pipe(
  rawIdentitySchema,
  z.transform((raw: RawIdentity, ctx): SignupPlusIdentity => {
    const { person, account } = normalise(raw);
    const ready = readyIdentitySchema.safeParse({ ...person, account_details: account });
    if (ready.success) return ready.data;
    for (const issue of ready.error.issues) {
      ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: raw });
    }
    return z.NEVER;
  }),
);

/** One account of the multi-account answer, as TrueLayer lists it. */
const rawLinkedAccountSchema = z.object({
  account_id: tolerantText,
  display_name: tolerantText,
  account_type: tolerantText,
  currency: tolerantText,
  account_number: tolerantText,
  sort_code: tolerantText,
  iban: tolerantText,
});

/** An account the user may choose: only `account_id` is needed to ask for it. */
export interface LinkedAccount {
  account_id: string;
  /** TrueLayer's name for the account; when absent, one made of the last digits of its number or its id. */
  display_name: string;
  /** `CURRENT` in TrueLayer's example; `UNKNOWN` when absent. */
  account_type: string;
  /** ISO 4217; `UNKNOWN` when absent. */
  currency: string;
  account_number?: string | undefined;
  sort_code?: string | undefined;
  iban?: string | undefined;
}

const UNKNOWN = 'UNKNOWN';

function linkedAccount(raw: z.infer<typeof rawLinkedAccountSchema> & { account_id: string }): LinkedAccount {
  const number = raw.account_number ?? raw.iban;
  return {
    account_id: raw.account_id,
    display_name: raw.display_name ?? (number ? `Account ending ${number.slice(-4)}` : raw.account_id),
    account_type: raw.account_type ?? UNKNOWN,
    currency: raw.currency?.toUpperCase() ?? UNKNOWN,
    account_number: raw.account_number,
    sort_code: raw.sort_code,
    iban: raw.iban,
  };
}

/**
 * The answer when the user linked several accounts and must pick one,
 * recognised by its `result` whatever the HTTP status it comes with (its
 * status is undocumented and the body reads like a problem). Accounts without
 * an id cannot be asked for and are left out.
 */
export const multipleAccountsSchema = z.pipe(
  z.object({
    result: z.pipe(
      tolerantText,
      z.string().check(z.refine((value) => value.toLowerCase() === 'multiple_accounts_linked')),
    ),
    accounts: tolerant(z.array(tolerant(rawLinkedAccountSchema))),
  }),
  z.transform(({ accounts }) => ({
    result: 'multiple_accounts_linked' as const,
    accounts: (accounts ?? []).flatMap((account) =>
      account?.account_id === undefined
        ? []
        : [linkedAccount({ ...account, account_id: account.account_id })],
    ),
  })),
);

/** Whether a body says "several accounts, pick one", before anything else is read from it. */
export function saysMultipleAccounts(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('result' in body)) return false;
  return typeof body.result === 'string' && body.result.trim().toLowerCase() === 'multiple_accounts_linked';
}
