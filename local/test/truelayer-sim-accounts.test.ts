import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  CLIENT,
  getAccounts,
  problemOf as problemEnvelope,
  startSim,
  tokenRequest,
  userToken,
} from './fixtures/truelayer-sim/helpers.ts';

let clock = Date.parse('2026-03-01T09:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  sim = await startSim({ now: () => clock });
});

afterAll(async () => {
  await sim.close();
});

/** The problem envelope, and Signup+'s own catalogue of types (D:signup-errors); the 404/405 of unknown routes use the general one. */
async function problemOf(res: Response, status: number) {
  const body = await problemEnvelope(res, status);
  expect(body.type).toMatch(/^https:\/\/docs\.truelayer\.com\/docs\/(signup-errors|error-types)#[a-z-]+$/);
  return body;
}

const JANE_ACCOUNTS = ['acc-aa360adff0f1574e1', 'acc-8232b085624e6babf', 'acc-469b2c2bcaea10969'];

describe('GET /signup-plus/accounts', () => {
  it('names the bank the user logged in to, whatever bank the users file gives the account', async () => {
    const { access_token } = await userToken(sim, 'john', { provider_id: 'mock' });

    const body: unknown = await (await getAccounts(sim, access_token)).json();

    expect(body).toMatchObject({ account_details: { provider_id: 'mock', account_number: '12345678' } });
  });

  it("returns john's identity with his only account's details", async () => {
    const { access_token } = await userToken(sim, 'john');
    const res = await getAccounts(sim, access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tl-correlation-id')).toBeTruthy();
    expect(res.headers.get('tl-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toEqual({
      title: 'Mr',
      first_name: 'John',
      last_name: 'Doe',
      date_of_birth: '1985-04-12',
      address: {
        address_line1: 'Flat 2',
        address_line2: '14 Sandbox Street',
        city: 'London',
        zip: 'EC1A 1BB',
        country: 'GB',
      },
      account_details: {
        sort_code: '04-00-04',
        account_number: '12345678',
        iban: 'GB62MONZ04000412345678',
        provider_id: 'ob-monzo',
      },
    });
  });

  it('asks jane to choose an account, exactly as the documented example', async () => {
    const { access_token } = await userToken(sim, 'jane');
    const res = await getAccounts(sim, access_token);
    expect(res.status).toBe(200);
    const text = await res.text();
    const expected = {
      result: 'multiple_accounts_linked',
      detail: 'Multiple valid accounts linked, please resend the request specifying an account_id.',
      links: Object.fromEntries(JANE_ACCOUNTS.map((id) => [id, `/${id}`])),
      accounts: JANE_ACCOUNTS.map((account_id, i) => ({
        account_id,
        currency: 'GBP',
        account_type: 'CURRENT',
        display_name: `TRANSACTION ACCOUNT ${i + 1}`,
        account_number: ['10000000', '30000000', '50000000'][i],
        sort_code: '01-21-31',
      })),
    };
    // Same keys in the same order as the seed, not just deep-equal.
    expect(text).toBe(JSON.stringify(expected));
  });

  it("returns jane's second account when asked by account_id", async () => {
    const { access_token } = await userToken(sim, 'jane');
    const res = await getAccounts(sim, access_token, 'acc-8232b085624e6babf');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { first_name: string; account_details: Record<string, string> };
    expect(body.first_name).toBe('Jane');
    expect(body.account_details).toEqual({
      sort_code: '01-21-31',
      account_number: '30000000',
      iban: 'GB69MOCK01213130000000',
      provider_id: 'mock',
    });
  });

  it('refuses an unknown account_id and another user’s account_id alike', async () => {
    const jane = await userToken(sim, 'jane');
    const john = await userToken(sim, 'john');
    const johnsAccount = sim.users.find((u) => u.username === 'john')?.accounts[0]?.account_id ?? '';

    const unknown = await problemOf(await getAccounts(sim, jane.access_token, 'acc-does-not-exist'), 400);
    expect(unknown.title).toBe('Invalid Parameters');
    expect(unknown.type).toBe('https://docs.truelayer.com/docs/signup-errors#invalid-parameters');
    expect(unknown.errors?.['account_id']?.length).toBe(1);

    const foreign = await problemOf(await getAccounts(sim, jane.access_token, johnsAccount), 400);
    expect(foreign.errors?.['account_id']).toEqual(unknown.errors?.['account_id']);
    const reverse = await getAccounts(sim, john.access_token, JANE_ACCOUNTS[0]);
    expect(reverse.status).toBe(400);
    expect(await reverse.text()).not.toContain('Jane');

    expect((await getAccounts(sim, john.access_token, '')).status).toBe(400);
  });

  it('returns an IBAN-only account for ivy, leaving the absent sort code and number out', async () => {
    const { access_token } = await userToken(sim, 'ivy');
    const body = (await (await getAccounts(sim, access_token)).json()) as Record<string, unknown>;
    expect(body['account_details']).toEqual({ iban: 'GB33BUKB20201555555555', provider_id: 'ob-barclays' });
    expect(body).not.toHaveProperty('national_identification_number');
  });

  it('serves pat’s raw answer verbatim: nulls and empty strings for what the bank did not share', async () => {
    const { access_token } = await userToken(sim, 'pat');
    const body = (await (await getAccounts(sim, access_token)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ title: null, date_of_birth: '', address: null });
    expect(body['account_details']).toEqual({
      sort_code: '01-21-31',
      account_number: '60000000',
      iban: '',
      provider_id: null,
    });
  });

  it.each([
    ['error.user_data_not_found', 422, 'User Data Not Found', 'user-data-not-found'],
    ['error.joint_account', 422, 'Joint Accounts Not Supported', 'joint-accounts-not-supported'],
    ['error.provider_not_supported', 400, 'Provider not supported', 'provider-not-supported'],
    ['error.user_input_required', 400, 'Invalid State', 'invalid-state'],
    ['error.provider_error', 502, 'Provider Error', 'provider-error'],
  ])('answers %s with TrueLayer’s documented problem (%i %s)', async (user, status, title, slug) => {
    const { access_token } = await userToken(sim, user);
    const problem = await problemOf(await getAccounts(sim, access_token), status);
    expect(problem).toMatchObject({ title, type: `https://docs.truelayer.com/docs/signup-errors#${slug}` });
    // The error applies to every call, account_id or not.
    const account = sim.users.find((u) => u.username === user)?.accounts[0]?.account_id ?? '';
    expect((await getAccounts(sim, access_token, account)).status).toBe(status);
  });

  it('answers 401 Unauthorized (Signup+’s title) for a missing, malformed, unknown or expired token', async () => {
    const missing = await problemOf(await getAccounts(sim), 401);
    expect(missing).toMatchObject({
      type: 'https://docs.truelayer.com/docs/signup-errors#unauthorized',
      title: 'Unauthorized',
      status: 401,
    });
    const basic = await fetch(`${sim.apiUrl}/signup-plus/accounts`, {
      headers: { authorization: 'Basic abc' },
    });
    await problemOf(basic, 401);
    await problemOf(await getAccounts(sim, 'not-a-token'), 401);

    const { access_token } = await userToken(sim, 'john');
    clock += 3600 * 1000;
    const expired = await problemOf(await getAccounts(sim, access_token), 401);
    expect(expired.detail).toContain('expired');
  });

  it('answers 403 Forbidden without the signupplus scope or with a client token', async () => {
    const dataOnly = await userToken(sim, 'john', { scope: 'info accounts' });
    const noScope = await problemOf(await getAccounts(sim, dataOnly.access_token), 403);
    expect(noScope.title).toBe('Forbidden');

    const res = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: CLIENT.client_id,
      client_secret: CLIENT.client_secret,
      scope: 'signupplus',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const clientToken = await problemOf(await getAccounts(sim, access_token), 403);
    expect(clientToken.detail).toContain('user access token');
  });

  it('answers unknown paths and methods with problems', async () => {
    await problemOf(await fetch(`${sim.apiUrl}/signup-plus/nothing`), 404);
    const post = await fetch(`${sim.apiUrl}/signup-plus/accounts`, { method: 'POST' });
    await problemOf(post, 405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});
