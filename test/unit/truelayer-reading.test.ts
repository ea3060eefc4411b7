/**
 * Reading TrueLayer tolerantly (functions/truelayer/schemas.ts, tolerant.ts):
 * absent, null and empty are one thing; the essentials of a user who is ready
 * for payment are a first and last name and a way to pay the account.
 */
import { describe, expect, it } from 'vitest';
import {
  multipleAccountsSchema,
  readSignupPlusIdentity,
  saysMultipleAccounts,
} from '../../functions/truelayer/schemas.ts';

const FULL = {
  title: 'Mr',
  first_name: 'Joe',
  last_name: 'Blogs',
  date_of_birth: '2000-06-20',
  address: {
    address_line1: 'Flat 1a',
    address_line2: 'Angels Court, Foxtrot Street',
    city: 'Stockport',
    state: 'Edgeley',
    zip: 'SK3 9LQ',
    country_code: 'GB',
  },
  account_details: {
    sort_code: '04-01-02',
    account_number: '41921234',
    iban: 'GB71MONZ04435141923452',
    provider_id: 'ob-monzo',
  },
};

/** The same answer with every optional field absent, null or empty in turn. */
const absentAs = (value: null | '' | undefined) => {
  const put = <T extends Record<string, unknown>>(object: T, keys: string[]) =>
    Object.fromEntries(
      Object.entries(object).flatMap(([key, item]) =>
        keys.includes(key) ? (value === undefined ? [] : [[key, value]]) : [[key, item]],
      ),
    );
  return {
    ...put(FULL, ['title', 'date_of_birth']),
    national_identification_number: value,
    sex: value,
    address: put(FULL.address, ['address_line2', 'state', 'zip']),
    account_details: put(FULL.account_details, ['iban', 'provider_id']),
  };
};

describe('reading a Signup+ identity', () => {
  it('reads the guide’s full example, country_code kept as country', () => {
    const reading = readSignupPlusIdentity(FULL);

    expect(reading).toEqual({
      kind: 'identity',
      ignored: [],
      identity: {
        ...FULL,
        address: { ...FULL.address, country_code: undefined, country: 'GB' },
      },
    });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
  ] as const)('reads optional fields that are %s as absent, and leaves them out', (_label, value) => {
    const reading = readSignupPlusIdentity(absentAs(value));

    expect(reading.kind).toBe('identity');
    if (reading.kind !== 'identity') return;
    const kept = JSON.parse(JSON.stringify(reading.identity));
    expect(kept).toEqual({
      first_name: 'Joe',
      last_name: 'Blogs',
      address: {
        address_line1: 'Flat 1a',
        city: 'Stockport',
        country: 'GB',
      },
      account_details: { sort_code: '04-01-02', account_number: '41921234' },
    });
  });

  it('trims text, upper-cases the country and drops an address with nothing in it', () => {
    const reading = readSignupPlusIdentity({
      ...FULL,
      first_name: '  Joe ',
      address: { address_line1: ' ', city: null, country: 'gb' },
    });
    const none = readSignupPlusIdentity({ ...FULL, address: { address_line1: '', city: null } });

    expect(reading).toMatchObject({ identity: { first_name: 'Joe', address: { country: 'GB' } } });
    expect(none).toMatchObject({ kind: 'identity', identity: { address: undefined } });
  });

  it('keeps the date of a date-time and leaves out, by name only, a date of birth or country it cannot use', () => {
    const dateTime = readSignupPlusIdentity({ ...FULL, date_of_birth: '2000-06-20T00:00:00Z' });
    const unusable = readSignupPlusIdentity({
      ...FULL,
      date_of_birth: '20/06/2000',
      address: { ...FULL.address, country_code: 'United Kingdom' },
    });
    const impossible = readSignupPlusIdentity({ ...FULL, date_of_birth: '2001-02-29' });

    expect(dateTime).toMatchObject({ identity: { date_of_birth: '2000-06-20' } });
    expect(unusable).toMatchObject({ kind: 'identity', ignored: ['date_of_birth', 'address.country'] });
    expect(unusable.kind === 'identity' && unusable.identity.date_of_birth).toBeUndefined();
    expect(impossible).toMatchObject({ ignored: ['date_of_birth'] });
  });

  it.each([
    ['an IBAN alone', { iban: 'GB33BUKB20201555555555' }],
    ['a sort code and account number alone', { sort_code: '04-01-02', account_number: '41921234' }],
  ])('takes %s as a way to pay', (_label, accountDetails) => {
    expect(readSignupPlusIdentity({ ...FULL, account_details: accountDetails }).kind).toBe('identity');
  });

  it.each([
    ['no first name', { first_name: null }, ['first_name']],
    ['a blank last name', { last_name: '  ' }, ['last_name']],
    [
      'a sort code without a number',
      { account_details: { sort_code: '04-01-02', iban: '' } },
      ['account_details.account_number'],
    ],
    [
      'a number without a sort code',
      { account_details: { account_number: '41921234' } },
      ['account_details.sort_code'],
    ],
    [
      'no account details',
      { account_details: null },
      ['account_details.iban | account_details.sort_code + account_number'],
    ],
    [
      'nothing at all',
      { first_name: undefined, last_name: undefined, account_details: {} },
      ['first_name', 'last_name', 'account_details.iban | account_details.sort_code + account_number'],
    ],
  ])('names what is missing when the answer has %s, and nothing else', (_label, change, missing) => {
    const reading = readSignupPlusIdentity({ ...FULL, ...change });

    expect(reading).toEqual({ kind: 'incomplete', missing });
    expect(JSON.stringify(reading)).not.toMatch(/Joe|Blogs|41921234/);
  });

  it.each([
    ['a number for a name', { first_name: 7 }],
    ['a string for the address', { address: 'unknown' }],
    ['a list for the account details', { account_details: [] }],
  ])('calls an answer with %s unreadable: a broken shape is not an absence', (_label, change) => {
    expect(readSignupPlusIdentity({ ...FULL, ...change })).toEqual({ kind: 'unreadable' });
  });

  it.each([null, [], 'text', 42])('calls %j unreadable', (body) => {
    expect(readSignupPlusIdentity(body)).toEqual({ kind: 'unreadable' });
  });
});

describe('reading the multi-account answer', () => {
  const listed = {
    result: 'multiple_accounts_linked',
    detail: 'Multiple valid accounts linked, please resend the request specifying an account_id.',
    links: null,
    accounts: [
      {
        account_id: 'acc-1',
        currency: 'GBP',
        account_type: 'CURRENT',
        display_name: 'TRANSACTION ACCOUNT 1',
      },
      {
        account_id: 'acc-2',
        currency: null,
        account_type: '',
        display_name: null,
        account_number: '30000000',
      },
      { account_id: 'acc-3', iban: 'GB33BUKB20201555555555' },
      { account_id: null, display_name: 'no id: cannot be asked for' },
      null,
    ],
  };

  it('is recognised by its result, whatever else the body says', () => {
    expect(saysMultipleAccounts(listed)).toBe(true);
    expect(saysMultipleAccounts({ ...listed, result: ' Multiple_Accounts_Linked ' })).toBe(true);
    expect(saysMultipleAccounts({ title: 'Multiple accounts', status: 409 })).toBe(false);
    expect(saysMultipleAccounts(FULL)).toBe(false);
  });

  it('keeps the accounts that have an id, naming the ones TrueLayer left unnamed', () => {
    const parsed = multipleAccountsSchema.parse(listed);

    expect(parsed.accounts).toEqual([
      expect.objectContaining({
        account_id: 'acc-1',
        display_name: 'TRANSACTION ACCOUNT 1',
        currency: 'GBP',
      }),
      expect.objectContaining({
        account_id: 'acc-2',
        display_name: 'Account ending 0000',
        account_type: 'UNKNOWN',
        currency: 'UNKNOWN',
      }),
      expect.objectContaining({ account_id: 'acc-3', display_name: 'Account ending 5555' }),
    ]);
  });
});
