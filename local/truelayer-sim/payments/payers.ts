import { finnishNationalId } from '../finland/national-id.ts';
import type { ProblemInit } from '../problems.ts';
import type { SandboxAccount, SandboxIdentity } from '../users.ts';
import type { MockPaymentProviderId } from './request.ts';

/** Who Signup+ says someone is, and the account it names. */
export interface PayerIdentity {
  identity: SandboxIdentity;
  account: SandboxAccount;
}

/** Someone who pays in the sandbox: who Signup+ says they are and the accounts they pay from. */
export interface Payer {
  identity: SandboxIdentity;
  /** Paying through the UK mock bank (sort code, account number and IBAN). */
  gb: SandboxAccount;
  /** Paying through the Finnish mock bank (IBAN only). */
  fi: SandboxAccount;
  /**
   * Who the payer of a euro payment turns out to be once they identify at their Finnish bank
   * (Signup+ in Finland): a Finnish person, no title, with a national identification number and
   * sex, and the same IBAN at the bank they identified with (`fi-op`), no sort code.
   */
  finland: PayerIdentity;
}

/** The bank the simulator's Finnish payers identify with (OP, as TrueLayer's Finnish examples name it). */
export const FINNISH_IDENTITY_PROVIDER = 'fi-op';

/** A Finnish payer: the national identification number follows from the date of birth. */
function finn(person: {
  first_name: string;
  last_name: string;
  date_of_birth: string;
  sex: 'M' | 'F';
  /** The individual number of the identity code (900–999; odd for men, even for women). */
  individual: number;
  address: { address_line1: string; city: string; zip: string };
}): SandboxIdentity {
  const { individual, address, ...rest } = person;
  return {
    ...rest,
    national_identification_number: finnishNationalId(person.date_of_birth, individual),
    address: { ...address, country: 'FI' },
  };
}

/**
 * The names are TrueLayer's (D:signup-sandbox, by amount band); the docs give nothing else about
 * them, so dates of birth, addresses and accounts are the simulator's own (IBAN check digits valid).
 * The Finnish people are entirely the simulator's: TrueLayer names no Finnish sandbox users.
 */
function payer(
  identity: SandboxIdentity,
  slot: { accountNumber: string; gbIban: string; fiIban: string },
  finnish: SandboxIdentity,
): Payer {
  const base = { display_name: 'CURRENT ACCOUNT', account_type: 'CURRENT' };
  return {
    identity,
    finland: {
      identity: finnish,
      account: {
        ...base,
        account_id: `acc-id-fi-${slot.accountNumber}`,
        currency: 'EUR',
        iban: slot.fiIban,
        provider_id: FINNISH_IDENTITY_PROVIDER,
      },
    },
    gb: {
      ...base,
      account_id: `acc-pay-gb-${slot.accountNumber}`,
      currency: 'GBP',
      sort_code: '04-00-04',
      account_number: slot.accountNumber,
      iban: slot.gbIban,
      provider_id: 'mock-payments-gb-redirect',
    },
    fi: {
      ...base,
      account_id: `acc-pay-fi-${slot.accountNumber}`,
      currency: 'EUR',
      iban: slot.fiIban,
      provider_id: 'mock-payments-fi-redirect',
    },
  };
}

const ukAddress = (line1: string, city: string, zip: string) => ({
  address_line1: line1,
  city,
  zip,
  country: 'GB',
});

export const TOMMIE_BURKE = payer(
  {
    first_name: 'Tommie',
    last_name: 'Burke',
    date_of_birth: '1990-02-14',
    address: ukAddress('3 Mock Lane', 'Leeds', 'LS1 4AP'),
  },
  { accountNumber: '11112222', gbIban: 'GB85MOCK04000411112222', fiIban: 'FI2112345600000785' },
  finn({
    first_name: 'Aino',
    last_name: 'Virtanen',
    date_of_birth: '1991-03-08',
    sex: 'F',
    individual: 902,
    address: { address_line1: 'Mannerheimintie 12 B 7', city: 'Helsinki', zip: '00100' },
  }),
);
export const LEON_GORDON = payer(
  {
    first_name: 'Leon',
    last_name: 'Gordon',
    date_of_birth: '1978-09-30',
    address: ukAddress('21 Sandbox Road', 'Bristol', 'BS1 5TR'),
  },
  { accountNumber: '22223333', gbIban: 'GB39MOCK04000422223333', fiIban: 'FI4612345600001111' },
  finn({
    first_name: 'Eero',
    last_name: 'Korhonen',
    date_of_birth: '1976-11-23',
    sex: 'M',
    individual: 913,
    address: { address_line1: 'Hämeenkatu 5 A 3', city: 'Tampere', zip: '33100' },
  }),
);
export const ISABELLA_ALLEN = payer(
  {
    first_name: 'Isabella',
    last_name: 'Allen',
    date_of_birth: '2001-06-07',
    address: ukAddress('8 Test Street', 'Glasgow', 'G1 2FF'),
  },
  { accountNumber: '33334444', gbIban: 'GB90MOCK04000433334444', fiIban: 'FI2212345600002222' },
  finn({
    first_name: 'Helmi',
    last_name: 'Mäkinen',
    date_of_birth: '1999-07-01',
    sex: 'F',
    individual: 924,
    address: { address_line1: 'Aurakatu 8 C 14', city: 'Turku', zip: '20100' },
  }),
);
/** The band TrueLayer reserves (2200–9999) answers a success; this is the simulator's default payer. */
export const DEFAULT_PAYER = payer(
  {
    title: 'Mr',
    first_name: 'John',
    last_name: 'Doe',
    date_of_birth: '1985-04-12',
    address: ukAddress('14 Sandbox Street', 'London', 'EC1A 1BB'),
  },
  { accountNumber: '55556666', gbIban: 'GB95MOCK04000455556666', fiIban: 'FI9512345600003333' },
  finn({
    first_name: 'Mikko',
    last_name: 'Nieminen',
    date_of_birth: '1984-05-19',
    sex: 'M',
    individual: 935,
    address: { address_line1: 'Kauppakatu 20 as. 4', city: 'Jyväskylä', zip: '40100' },
  }),
);

/** What `/signup-plus/payments` answers for a settled payment of this amount: a payer, or a problem. */
export type PayerOutcome = { kind: 'payer'; payer: Payer } | { kind: 'problem'; problem: ProblemInit };

/**
 * The sandbox's amount bands (D:signup-sandbox, FACTS §6): <1800 Tommie Burke, 1800–2099 Leon
 * Gordon, 2100–2199 Isabella Allen, 2200–9999 a success, 10000–24999 joint account, from 25000 no
 * user data (TrueLayer reserves ≥35000 and answers not found there too).
 */
export function payerForAmount(amountInMinor: number): PayerOutcome {
  if (amountInMinor < 1800) return { kind: 'payer', payer: TOMMIE_BURKE };
  if (amountInMinor < 2100) return { kind: 'payer', payer: LEON_GORDON };
  if (amountInMinor < 2200) return { kind: 'payer', payer: ISABELLA_ALLEN };
  if (amountInMinor < 10_000) return { kind: 'payer', payer: DEFAULT_PAYER };
  if (amountInMinor < 25_000) {
    return {
      kind: 'problem',
      problem: {
        status: 422,
        title: 'Joint Accounts Not Supported',
        detail: 'Joint accounts are not supported',
      },
    };
  }
  return {
    kind: 'problem',
    problem: { status: 422, title: 'User Data Not Found', detail: 'User data not found' },
  };
}

/** The account a payer paid from at this mock bank. */
export function accountAt(payer: Payer, providerId: MockPaymentProviderId): SandboxAccount {
  return providerId === 'mock-payments-gb-redirect' ? payer.gb : payer.fi;
}
