import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_USERS_PATH,
  loadSandboxUsers,
  type SandboxUser,
  SandboxUsersFileError,
} from '../truelayer-sim/index.ts';
import {
  authLink,
  getAccounts,
  sandboxAuthorize,
  startSim,
  userToken,
} from './fixtures/truelayer-sim/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'truelayer-sim-users-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeUsers(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const ALICE: SandboxUser = {
  username: 'alice',
  identity: {
    title: 'Dr',
    first_name: 'Alice',
    last_name: 'Liddell',
    date_of_birth: '1992-05-04',
    address: { address_line1: '7 Rabbit Hole', city: 'Oxford', zip: 'OX1 1AA', country: 'GB' },
  },
  accounts: [
    {
      account_id: 'acc-alice-1',
      display_name: 'CURRENT',
      account_type: 'CURRENT',
      currency: 'GBP',
      account_number: '11112222',
      sort_code: '20-00-00',
      provider_id: 'ob-barclays',
    },
  ],
};

describe('built-in users', () => {
  const users = loadSandboxUsers(BUILT_IN_USERS_PATH);
  const byName = (name: string) => users.find((u) => u.username === name);

  it('has john with one UK current account', () => {
    const john = byName('john');
    expect(john?.accounts).toHaveLength(1);
    expect(john?.accounts[0]).toMatchObject({
      currency: 'GBP',
      account_type: 'CURRENT',
      provider_id: 'ob-monzo',
    });
    expect(john?.accounts[0]?.sort_code).toMatch(/^\d\d-\d\d-\d\d$/);
    expect(john?.accounts[0]?.iban).toMatch(/^GB\d\d/);
  });

  it("has jane with exactly the documented example's three accounts, each with its own IBAN", () => {
    const jane = byName('jane');
    expect(jane?.accounts.map((a) => [a.account_id, a.display_name, a.account_number, a.sort_code])).toEqual([
      ['acc-aa360adff0f1574e1', 'TRANSACTION ACCOUNT 1', '10000000', '01-21-31'],
      ['acc-8232b085624e6babf', 'TRANSACTION ACCOUNT 2', '30000000', '01-21-31'],
      ['acc-469b2c2bcaea10969', 'TRANSACTION ACCOUNT 3', '50000000', '01-21-31'],
    ]);
    const ibans = new Set(jane?.accounts.map((a) => a.iban));
    expect(ibans.size).toBe(3);
    expect(jane?.accounts.every((a) => a.currency === 'GBP' && a.account_type === 'CURRENT')).toBe(true);
  });

  it('has no Finnish user or bank: the data flow is UK only, Finland’s Signup+ is a payments flow', () => {
    expect(
      users.filter(
        (u) => u.identity?.address.country !== 'GB' || u.accounts.some((a) => a.currency !== 'GBP'),
      ),
    ).toEqual([]);
    expect(JSON.stringify(users)).not.toMatch(/fi-op|"FI"/);
  });

  it('has Signup+’s error users and TrueLayer’s error.<code> mock users, with passwords', () => {
    expect(byName('error.user_data_not_found')?.signup_plus_error).toMatchObject({ status: 422 });
    expect(byName('error.joint_account')?.signup_plus_error).toMatchObject({ status: 422 });
    expect(byName('error.wrong_credentials')?.login_fails).toBe(true);
    for (const code of [
      'account_permanently_locked',
      'account_temporarily_locked',
      'internal_error',
      'provider_error',
      'user_input_required',
      'wrong_credentials',
    ]) {
      expect(byName(`error.${code}`)?.password, code).toBe('error');
    }
    expect(byName('john')?.password).toBe('doe');
  });

  it('carries IBANs with valid check digits', () => {
    for (const account of users.flatMap((u) => u.accounts)) {
      if (account.iban === undefined) continue;
      const moved = `${account.iban.slice(4)}${account.iban.slice(0, 4)}`;
      const digits = moved.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
      expect(BigInt(digits) % 97n, account.iban).toBe(1n);
    }
  });
});

describe('loadSandboxUsers', () => {
  it('loads a valid file, which then replaces the built-in users', async () => {
    const path = writeUsers('valid.json', { users: [ALICE] });
    const users = loadSandboxUsers(path);
    expect(users).toEqual([ALICE]);

    const sim = await startSim({ users });
    try {
      expect(sim.users.map((u) => u.username)).toEqual(['alice']);
      const page = await (await fetch(authLink(sim, { providers: 'uk-cs-mock' }))).text();
      expect(page).toContain('Share your data');
      const john = await sandboxAuthorize(sim, {
        auth_link: authLink(sim),
        user: 'john',
        decision: 'approve',
      });
      expect(john.status).toBe(400);
      const { access_token } = await userToken(sim, 'alice');
      const body = (await (await getAccounts(sim, access_token)).json()) as { first_name: string };
      expect(body.first_name).toBe('Alice');
    } finally {
      await sim.close();
    }
  });

  it('says clearly when the file is missing or not JSON', () => {
    expect(() => loadSandboxUsers(join(dir, 'absent.json'))).toThrow(/cannot be read/);
    const notJson = writeUsers('broken.json', '{"users": [');
    expect(() => loadSandboxUsers(notJson)).toThrow(SandboxUsersFileError);
    expect(() => loadSandboxUsers(notJson)).toThrow(
      new RegExp(`${notJson.replaceAll('.', '\\.')} is not valid JSON`),
    );
  });

  it('lists every schema problem with its path', () => {
    const path = writeUsers('bad.json', {
      users: [
        {
          ...ALICE,
          identity: { ...ALICE.identity, date_of_birth: '04/05/1992' },
          accounts: [{ ...ALICE.accounts[0], sort_code: '200000' }],
        },
        { ...ALICE, nickname: 'dup' },
      ],
    });
    let message = '';
    try {
      loadSandboxUsers(path);
    } catch (error) {
      expect(error).toBeInstanceOf(SandboxUsersFileError);
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain(`Sandbox users file ${path} is invalid`);
    expect(message).toContain('users[0].identity.date_of_birth');
    expect(message).toContain('users[0].accounts[0].sort_code: expected NN-NN-NN');
    expect(message).toContain('users[1]');
    expect(message).toContain('nickname');
  });

  it('refuses duplicate usernames, duplicate account ids and an empty list', () => {
    const dupes = writeUsers('dupes.json', { users: [ALICE, ALICE] });
    expect(() => loadSandboxUsers(dupes)).toThrow(/duplicate username "alice"/);
    expect(() => loadSandboxUsers(dupes)).toThrow(/duplicate account_id "acc-alice-1"/);
    expect(() => loadSandboxUsers(writeUsers('empty.json', { users: [] }))).toThrow(/users/);
    expect(() => loadSandboxUsers(writeUsers('array.json', [ALICE]))).toThrow(/invalid/);
  });

  it('requires an account unless the user is configured to fail', () => {
    const path = writeUsers('no-accounts.json', { users: [{ ...ALICE, accounts: [] }] });
    expect(() => loadSandboxUsers(path)).toThrow(/users\[0\]\.accounts: needs at least one account/);
  });

  it('validates users passed directly as an option too', async () => {
    await expect(startSim({ users: [ALICE, ALICE] })).rejects.toThrow(/options\.users is invalid/);
  });
});
