/**
 * listConnectedAccounts: what GET /connections/{id}/accounts answers, from the
 * connection's record and TrueLayer's list, with TrueLayer read tolerantly
 * (absent, null and empty are the same; one identifier set or a list of them).
 */
import { describe, expect, it } from 'vitest';
import { toProblem } from '../../functions/commons/http/problem.ts';
import { ConnectionNotFoundError } from '../../functions/connections/errors.ts';
import { listConnectedAccounts } from '../../functions/connections/list-accounts.ts';
import type { ConnectionRecord } from '../../functions/connections/model.ts';
import { connectedAccountsAnswerSchema } from '../../functions/connections/truelayer-client.ts';
import { getConnectionUserInfo } from '../../functions/connections/user-info.ts';

const record = (overrides: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
  onboarding_id: '5b0e9d3c-2a1f-4e8d-b7c6-0f9e8d7c6b5a',
  connection_id: 'conn-1',
  truelayer_user_id: 'user-1',
  status: 'authorized',
  configuration: 'hosted_flow',
  scopes: ['accounts'],
  data_access_type: 'recurring',
  created_at: '2026-12-02T10:00:00.000Z',
  updated_at: '2026-12-02T10:01:00.000Z',
  timeline: [],
  ...overrides,
});

/** The use case over a stored record and TrueLayer's raw answer (parsed as the client parses it). */
function listWith(stored: ConnectionRecord | undefined, answer: unknown | 'not_authorized') {
  const asked: Array<{ connectionId: string; endUserIp: string | undefined }> = [];
  const run = listConnectedAccounts(
    'conn-1',
    { endUserIp: '203.0.113.7' },
    {
      repository: {
        get: async () => {
          if (stored === undefined) throw new ConnectionNotFoundError();
          return stored;
        },
      },
      trueLayer: {
        connectedAccounts: async (connectionId, options) => {
          asked.push({ connectionId, endUserIp: options?.endUserIp });
          return answer === 'not_authorized'
            ? 'not_authorized'
            : { accounts: connectedAccountsAnswerSchema.parse(answer).items };
        },
      },
    },
  );
  return { run, asked };
}

const problemOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => toProblem(error),
  );

describe('listConnectedAccounts', () => {
  it("flattens TrueLayer's identifier sets and passes the user's address on", async () => {
    // Prepare
    const { run, asked } = listWith(record(), {
      items: [
        {
          id: 'acc-1',
          account_type: 'current',
          customer_segment: 'retail',
          currency: 'GBP',
          account_identifiers: [
            { type: 'sort_code_account_number', sort_code: '04-00-04', account_number: '12345678' },
            { type: 'iban', iban: 'GB62MONZ04000412345678' },
          ],
          bic: 'MONZGB2L',
          account_holder_names: ['John Doe', 'Jane Doe'],
        },
      ],
    });

    // Act
    const answer = await run;

    // Assess
    expect(answer).toEqual({
      connection_id: 'conn-1',
      accounts: [
        {
          account_id: 'acc-1',
          account_type: 'current',
          customer_segment: 'retail',
          currency: 'GBP',
          sort_code: '04-00-04',
          account_number: '12345678',
          iban: 'GB62MONZ04000412345678',
          bic: 'MONZGB2L',
          holder_names: ['John Doe', 'Jane Doe'],
        },
      ],
    });
    expect(asked).toEqual([{ connectionId: 'conn-1', endUserIp: '203.0.113.7' }]);
  });

  it('reads absent, null and empty alike, and one identifier set as well as a list', async () => {
    // Prepare
    const { run } = listWith(record(), {
      items: [
        {
          id: 'acc-2',
          account_type: null,
          customer_segment: '',
          account_identifiers: { type: 'iban', iban: 'GB62MONZ04000412345678', sort_code: null },
          account_holder_names: ['', null, 'Sam Roe'],
        },
        { id: 'acc-3', account_identifiers: null, account_holder_names: null },
      ],
      pagination: null,
    });

    // Act
    const answer = JSON.parse(JSON.stringify(await run));

    // Assess: what JSON carries to the integrator
    expect(answer.accounts).toEqual([
      { account_id: 'acc-2', iban: 'GB62MONZ04000412345678', holder_names: ['Sam Roe'] },
      { account_id: 'acc-3', holder_names: [] },
    ]);
  });

  it('answers an empty list when TrueLayer lists no items', async () => {
    const { run } = listWith(record(), { items: null });
    expect(await run).toEqual({ connection_id: 'conn-1', accounts: [] });
  });

  it.each([
    [
      'not authorised yet',
      record({ status: 'authorization_required' }),
      'not_authorized',
      'authorization_required',
    ],
    ['failed', record({ status: 'failed' }), 'not_authorized', 'failed'],
    ['created without the accounts scope', record({ scopes: ['info'] }), 'scope_missing', 'authorized'],
  ] as const)(
    'refuses a connection %s with 409, without asking TrueLayer',
    async (_, stored, reason, status) => {
      // Prepare
      const { run, asked } = listWith(stored, { items: [] });

      // Act
      const problem = await problemOf(run);

      // Assess
      expect(problem).toMatchObject({ status: 409, reason, connection_status: status });
      expect(asked).toEqual([]);
    },
  );

  it('refuses with 409 access_lapsed when TrueLayer no longer grants access', async () => {
    const { run } = listWith(record(), 'not_authorized');
    expect(await problemOf(run)).toMatchObject({ status: 409, reason: 'access_lapsed' });
  });

  it('answers 404 for a connection it does not know', async () => {
    const { run } = listWith(undefined, { items: [] });
    expect(await problemOf(run)).toMatchObject({ status: 404 });
  });

  it('refuses an item without an id as a broken answer', () => {
    expect(connectedAccountsAnswerSchema.safeParse({ items: [{ account_type: 'current' }] }).success).toBe(
      false,
    );
  });
});

describe('getConnectionUserInfo', () => {
  /** The use case over a stored record and what TrueLayer's user info answers. */
  const infoWith = (
    stored: ConnectionRecord,
    answer: { name?: string } | 'not_authorized' | 'window_passed',
  ) => {
    const asked: Array<string | undefined> = [];
    const run = getConnectionUserInfo(
      'conn-1',
      { endUserIp: '203.0.113.7' },
      {
        repository: { get: async () => stored },
        trueLayer: {
          userInfo: async (_id, options) => {
            asked.push(options?.endUserIp);
            return answer;
          },
        },
      },
    );
    return { run, asked };
  };
  const withInfo = record({ scopes: ['info', 'accounts'], data_access_type: 'one_time' });

  it("answers the bank's name for the holder, passing the user's address on; a bank that shares none leaves it out", async () => {
    const named = infoWith(withInfo, { name: 'John Doe' });
    const unnamed = infoWith(withInfo, {});

    expect(await named.run).toEqual({ connection_id: 'conn-1', name: 'John Doe' });
    expect(named.asked).toEqual(['203.0.113.7']);
    expect(await unnamed.run).toEqual({ connection_id: 'conn-1' });
  });

  it.each([
    [
      'not authorised',
      record({ status: 'authorization_required', scopes: ['info'] }),
      { name: 'x' },
      'not_authorized',
    ],
    ['created without the info scope', record({ scopes: ['accounts'] }), { name: 'x' }, 'scope_missing'],
    ['past the 5-minute window', withInfo, 'window_passed', 'sca_window_passed'],
    ['no longer granted', withInfo, 'not_authorized', 'access_lapsed'],
  ] as const)('refuses with 409 when %s', async (_case, stored, answer, reason) => {
    const { run, asked } = infoWith(stored, answer);

    const problem = await problemOf(run);

    expect(problem).toMatchObject({ status: 409, reason });
    if (reason === 'not_authorized' || reason === 'scope_missing') expect(asked).toEqual([]);
  });
});
