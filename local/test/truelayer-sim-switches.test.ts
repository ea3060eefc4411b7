/**
 * The simulator's switches (local/truelayer-sim/switches.ts): for every point
 * TrueLayer leaves undocumented, each plausible answer, so that the product's
 * tests can prove it works with all of them. And the raw answers of a users
 * file, served verbatim (the raw-answer interface, local/truelayer-sim/README.md).
 */
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXAMPLES } from '../../test/helpers/connections.ts';
import { dataConnectionRoutes } from '../truelayer-sim/data-v3/index.ts';
import {
  BUILT_IN_USERS_PATH,
  loadSandboxUsers,
  parseSwitches,
  type SandboxUser,
  SwitchesError,
  type TrueLayerSimulator,
} from '../truelayer-sim/index.ts';
import {
  authorizeConnection,
  dataToken as dataTokenFor,
  getAccounts,
  hostedConnection,
  startSim,
  userToken,
} from './fixtures/truelayer-sim/helpers.ts';

const RAW_USERS: SandboxUser[] = [
  {
    username: 'raw',
    password: 'doe',
    accounts: [],
    signup_plus: {
      status: 409,
      headers: { 'x-custom': 'kept', 'content-encoding': 'gzip' },
      body: { result: 'multiple_accounts_linked', accounts: [{ account_id: 'a1' }, { account_id: 'a2' }] },
    },
    signup_plus_by_account: {
      a1: { status: 200, body: { first_name: 'Raw', last_name: null, account_details: { iban: '' } } },
    },
  },
];

let sim: TrueLayerSimulator;
const dataV3 = dataConnectionRoutes();

beforeAll(async () => {
  sim = await startSim({
    users: [...loadSandboxUsers(BUILT_IN_USERS_PATH), ...RAW_USERS],
    extraApiRoutes: dataV3.apiRoutes,
    extraAuthRoutes: dataV3.authRoutes,
  });
});

afterEach(() => {
  sim.switches.reset();
});

afterAll(async () => {
  await sim.close();
});

/** A GET whose raw bytes and headers are seen as sent (fetch would decompress). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const outgoing = httpRequest(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      outgoing.on('error', reject).end();
    },
  );
}

const json = async (response: Response) => z.record(z.string(), z.unknown()).parse(await response.json());

describe('switches', () => {
  it.each([200, 300, 400, 409])('answers the multi-account list with status %i', async (status) => {
    sim.switches.set({ multiple_accounts_status: status });
    const { access_token } = await userToken(sim, 'jane');

    const response = await getAccounts(sim, access_token);

    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ result: 'multiple_accounts_linked' });
  });

  it.each([
    ['null', null],
    ['empty', ''],
  ] as const)('writes what the user does not have as %s', async (mode, value) => {
    sim.switches.set({ absent_fields: mode });
    const john = await userToken(sim, 'john');
    const ivy = await userToken(sim, 'ivy');

    const johns = await json(await getAccounts(sim, john.access_token));
    const ivys = await json(await getAccounts(sim, ivy.access_token));

    expect(johns).toMatchObject({
      address: { state: value },
      national_identification_number: value,
      sex: value,
    });
    expect(ivys).toMatchObject({ title: 'Dr', account_details: { sort_code: value, account_number: value } });
  });

  it('names the address country country_code, as the Signup+ guide does', async () => {
    sim.switches.set({ address_country_key: 'country_code' });
    const { access_token } = await userToken(sim, 'john');

    const body = await json(await getAccounts(sim, access_token));

    expect(body['address']).toMatchObject({ country_code: 'GB' });
    expect(body['address']).not.toHaveProperty('country');
  });

  it('gzips JSON answers for a client that accepts gzip, and only then', async () => {
    sim.switches.set({ gzip: true });
    const { access_token } = await userToken(sim, 'john');
    const url = `${sim.apiUrl}/signup-plus/accounts`;
    const authorization = `Bearer ${access_token}`;

    const gzipped = await rawGet(url, { authorization, 'accept-encoding': 'gzip, identity' });
    const plain = await rawGet(url, { authorization });
    const refused = await rawGet(url, { authorization, 'accept-encoding': 'gzip;q=0, identity' });

    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzipped.body).toString('utf8'))).toMatchObject({ first_name: 'John' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8'))).toMatchObject({ first_name: 'John' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(sim.calls()['gzipped']).toBeGreaterThanOrEqual(1);
  });

  it('can be changed and reset over HTTP on either host, and refuses unknown switches', async () => {
    const put = (host: string, body: unknown) =>
      fetch(`${host}/_sandbox/switches`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const changed = await put(sim.authUrl, { multiple_accounts_status: 409, gzip: true });
    const seen = await json(await fetch(`${sim.apiUrl}/_sandbox/switches`));
    const unknown = await put(sim.apiUrl, { multiple_accounts_status: 409, colour: 'blue' });
    const reset = await fetch(`${sim.apiUrl}/_sandbox/switches`, { method: 'DELETE' });

    expect(changed.status).toBe(200);
    expect(seen).toMatchObject({ multiple_accounts_status: 409, gzip: true, absent_fields: 'omit' });
    expect(unknown.status).toBe(400);
    expect(reset.status).toBe(204);
    expect(sim.switches.current.multiple_accounts_status).toBe(200);
  });
});

describe('parseSwitches', () => {
  it('reads a comma list and JSON alike, every switch at its default unless named', () => {
    const list = parseSwitches('multiple_accounts_status=409, gzip=true,absent_fields=null', 'env');
    const object = parseSwitches(
      '{"multiple_accounts_status":409,"gzip":true,"absent_fields":"null"}',
      'env',
    );

    expect(list).toEqual(object);
    expect(list).toEqual({
      multiple_accounts_status: 409,
      return_connection_id: true,
      data_connection_endpoint: 'present',
      gzip: true,
      absent_fields: 'null',
      address_country_key: 'country',
      authuri_status: 201,
      identification_known_user: false,
      identification_return_reference: 'query',
      identification_reference_required: false,
      identification_expired_type: 'authuri_expired',
      signup_plus_request_pending_polls: 1,
      signup_plus_request_outcome: 'completed',
      signup_plus_request_shape: 'nested',
      signup_plus_request_status_words: 'plain',
    });
  });

  it.each(['gzip=maybe', 'multiple_accounts_status=600', 'colour=blue', '{"gzip":'])('refuses %s', (text) => {
    expect(() => parseSwitches(text, 'TRUELAYER_SIM_SWITCHES')).toThrow(SwitchesError);
    expect(() => parseSwitches(text, 'TRUELAYER_SIM_SWITCHES')).toThrow(/TRUELAYER_SIM_SWITCHES/);
  });
});

describe('Data v3 switches and the documented data endpoints', () => {
  const dataToken = () => dataTokenFor(sim);
  const connection = (token: string) => hostedConnection(sim, token, EXAMPLES.hosted_flow);
  const authorize = (uri: string, decision: 'approve' | 'deny') => authorizeConnection(sim, uri, decision);

  const connected = (token: string, connectionId: string) =>
    fetch(`${sim.apiUrl}/v3/connected-accounts`, {
      headers: { authorization: `Bearer ${token}`, 'connection-id': connectionId },
    });

  it('lists connected accounts only once the connection is authorised, as the documented errors say', async () => {
    const token = await dataToken();
    const approved = await connection(token);
    const denied = await connection(token);

    const before = await connected(token, approved.id);
    await authorize(approved.hosted_page.uri, 'approve');
    await authorize(denied.hosted_page.uri, 'deny');
    const after = await connected(token, approved.id);
    const refused = await connected(token, denied.id);
    const unknown = await connected(token, 'no-such-connection');
    const info = await fetch(`${sim.apiUrl}/v3/data-connections/${approved.id}/user-info`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(before.status).toBe(400);
    expect(await json(before)).toMatchObject({ title: 'Invalid State' });
    expect(after.status).toBe(200);
    expect(await json(after)).toEqual({
      items: [
        {
          id: 'acc-7c1e0f5a3b9d24e86',
          account_type: 'current',
          customer_segment: 'retail',
          currency: 'GBP',
          account_identifiers: [
            { type: 'sort_code_account_number', sort_code: '04-00-04', account_number: '12345678' },
            { type: 'iban', iban: 'GB62MONZ04000412345678' },
          ],
          account_holder_names: ['John Doe'],
        },
      ],
      pagination: { next_cursor: null },
    });
    expect(refused.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(info.status).toBe(200);
    expect(await json(info)).toEqual({ name: 'John Doe' });
  });

  it('appends connection_id to the return URI or not, and has GET /v3/data-connections/{id} or not', async () => {
    const token = await dataToken();
    sim.switches.set({ return_connection_id: false, data_connection_endpoint: 'absent' });
    const created = await connection(token);

    const back = await authorize(created.hosted_page.uri, 'approve');
    const read = await fetch(`${sim.apiUrl}/v3/data-connections/${created.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(back.searchParams.has('connection_id')).toBe(false);
    expect(back.searchParams.get('onboarding_id')).toBe('ref-1');
    expect(back.searchParams.get('status')).toBe('authorized');
    expect(read.status).toBe(404);

    sim.switches.reset();
    const again = await connection(token);
    expect((await authorize(again.hosted_page.uri, 'approve')).searchParams.get('connection_id')).toBe(
      again.id,
    );
  });
});

describe('raw Signup+ answers from the users file', () => {
  it('serves signup_plus verbatim, gzip-compressed as its headers say', async () => {
    const { access_token } = await userToken(sim, 'raw');

    const answer = await rawGet(`${sim.apiUrl}/signup-plus/accounts`, {
      authorization: `Bearer ${access_token}`,
    });

    expect(answer.status).toBe(409);
    expect(answer.headers['x-custom']).toBe('kept');
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(answer.body).toString('utf8'))).toEqual(RAW_USERS[0]?.signup_plus?.body);
  });

  it('serves signup_plus_by_account for its account_id, unvalidated', async () => {
    const { access_token } = await userToken(sim, 'raw');

    const response = await getAccounts(sim, access_token, 'a1');
    const other = await getAccounts(sim, access_token, 'a2');

    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      first_name: 'Raw',
      last_name: null,
      account_details: { iban: '' },
    });
    expect(other.status).toBe(400);
  });

  it('plays 502 Feature Not Supported through a status fault with a title', async () => {
    const { access_token } = await userToken(sim, 'john');
    sim.faults.set([
      {
        endpoint: 'accounts',
        fault: { kind: 'status', status: 502, title: 'Feature Not Supported' },
        times: 1,
      },
    ]);
    try {
      const response = await getAccounts(sim, access_token);

      expect(response.status).toBe(502);
      expect(await json(response)).toMatchObject({
        title: 'Feature Not Supported',
        trace_id: expect.any(String),
      });
    } finally {
      sim.faults.clear();
    }
  });
});
