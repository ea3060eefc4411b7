/**
 * `GET /connections/{id}/accounts` through the local stack: refused with the
 * connection's status until TrueLayer has it authorised, then TrueLayer's list
 * as the API describes it, read on each call and stored nowhere.
 */
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectedAccountsSchema } from '../../functions/contract/responses.ts';
import {
  authorizeConnection,
  createdConnectionSchema,
  EXAMPLES,
  postConnection,
} from '../helpers/connections.ts';
import { requestJson } from '../helpers/http.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});

afterAll(async () => {
  await stack?.close();
});

async function createConnection(body: Record<string, unknown> = EXAMPLES.hosted_flow) {
  const created = await postConnection(stack, body);
  expect(created.status).toBe(201);
  return createdConnectionSchema.parse(created.body);
}

/** The user approves at TrueLayer and the browser comes back to the product, which records the outcome. */
async function authorise(redirectTo: string) {
  const back = await authorizeConnection(stack, redirectTo, 'approve', 'john');
  const returned = await fetch(back, { redirect: 'manual' });
  expect(returned.status).toBe(302);
}

const accountsOf = (connectionId: string, headers: Record<string, string> = {}) =>
  requestJson('GET', `${stack.urls.api}/connections/${connectionId}/accounts`, undefined, headers);

describe('GET /connections/{id}/accounts', () => {
  it("answers the user's accounts once the connection is authorised, and keeps none of them", async () => {
    // Prepare
    const created = await createConnection();
    await authorise(created.redirect_to);

    // Act
    const answer = await accountsOf(created.connection_id, { 'X-End-User-IP': '203.0.113.7' });
    const record = await requestJson('GET', `${stack.urls.api}/connections/${created.connection_id}`);

    // Assess
    expect(answer.status).toBe(200);
    expect(connectedAccountsSchema.parse(answer.body)).toEqual({
      connection_id: created.connection_id,
      accounts: [
        {
          account_id: 'acc-7c1e0f5a3b9d24e86',
          account_type: 'current',
          customer_segment: 'retail',
          currency: 'GBP',
          sort_code: '04-00-04',
          account_number: '12345678',
          iban: 'GB62MONZ04000412345678',
          holder_names: ['John Doe'],
        },
      ],
    });
    expect(JSON.stringify(record.body)).not.toMatch(/John|12345678|GB62MONZ/);
  });

  it('refuses a connection that is not authorised yet, naming its status', async () => {
    // Prepare
    const created = await createConnection();

    // Act
    const answer = await accountsOf(created.connection_id);

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      status: 409,
      connection_status: 'authorization_required',
      reason: 'not_authorized',
    });
  });

  it('refuses a connection created without the accounts scope', async () => {
    // Prepare
    const created = await createConnection({
      ...EXAMPLES.hosted_flow,
      scopes: ['info'],
      data_access_type: 'one_time',
    });
    await authorise(created.redirect_to);

    // Act
    const answer = await accountsOf(created.connection_id);

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ connection_status: 'authorized', reason: 'scope_missing' });
  });

  it('answers 502 with a stable code when TrueLayer lists something that is not a list of accounts', async () => {
    // Prepare
    const created = await createConnection();
    await authorise(created.redirect_to);
    stack.simulator.faults.set([{ endpoint: 'connected_accounts', fault: { kind: 'schema' }, times: 1 }]);

    // Act
    const answer = await accountsOf(created.connection_id);

    // Assess
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ code: 'truelayer_rejected', trace_id: expect.any(String) });
  });

  it('answers 404 for an unknown connection and 400 for a malformed X-End-User-IP', async () => {
    // Prepare
    const created = await createConnection();
    await authorise(created.redirect_to);

    // Act
    const unknown = await accountsOf('no-such-connection');
    const badIp = await accountsOf(created.connection_id, { 'X-End-User-IP': 'not-an-address' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(badIp.status).toBe(400);
    expect(z.object({ errors: z.array(z.object({ field: z.string() })) }).parse(badIp.body).errors).toEqual([
      expect.objectContaining({ field: 'X-End-User-IP' }),
    ]);
  });
});
