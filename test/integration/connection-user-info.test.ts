/**
 * `GET /connections/{id}/user-info` through the local stack, on a clock the
 * test moves: the name the bank holds, asked of TrueLayer while the user's
 * authentication is fresh (TrueLayer's 5-minute SCA window), refused after it
 * and for a connection that cannot have it, and stored nowhere.
 */
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionUserInfoSchema } from '../../functions/contract/responses.ts';
import {
  authorizeConnection,
  createdConnectionSchema,
  EXAMPLES,
  postConnection,
} from '../helpers/connections.ts';
import { requestJson } from '../helpers/http.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', clock: 'controlled' });
});

afterAll(async () => {
  await stack?.close();
});

/** User info needs the `info` scope, and (as TrueLayer says) a one-time connection. */
const INFO_CONNECTION = {
  ...EXAMPLES.hosted_flow,
  scopes: ['info', 'accounts'],
  data_access_type: 'one_time',
};

async function connected(body: Record<string, unknown> = INFO_CONNECTION, authorise = true) {
  const created = createdConnectionSchema.parse((await postConnection(stack, body)).body);
  if (authorise) {
    const back = await authorizeConnection(stack, created.redirect_to, 'approve', 'john');
    expect((await fetch(back, { redirect: 'manual' })).status).toBe(302);
  }
  return created.connection_id;
}

const userInfoOf = (connectionId: string) =>
  requestJson('GET', `${stack.urls.api}/connections/${connectionId}/user-info`, undefined, {
    'X-End-User-IP': '203.0.113.7',
  });

describe('GET /connections/{id}/user-info', () => {
  it("answers the name John's bank holds right after he connected, and keeps it nowhere", async () => {
    const id = await connected();

    const answer = await userInfoOf(id);
    const record = await requestJson('GET', `${stack.urls.api}/connections/${id}`);

    expect(answer.status).toBe(200);
    expect(connectionUserInfoSchema.parse(answer.body)).toEqual({ connection_id: id, name: 'John Doe' });
    expect(JSON.stringify(record.body)).not.toContain('John');
  });

  it('refuses once the 5 minutes after the user authenticated are over, saying why', async () => {
    const id = await connected();
    expect((await userInfoOf(id)).status).toBe(200);

    stack.clock.advance(5 * 60 + 1);
    const late = await userInfoOf(id);

    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ connection_status: 'authorized', reason: 'sca_window_passed' });
  });

  it('refuses a connection made without the info scope, and one not authorised yet', async () => {
    const withoutInfo = await connected(EXAMPLES.hosted_flow);
    const pending = await connected(INFO_CONNECTION, false);

    const [scope, waiting] = await Promise.all([userInfoOf(withoutInfo), userInfoOf(pending)]);

    expect(scope.status).toBe(409);
    expect(scope.body).toMatchObject({
      reason: 'scope_missing',
      detail: expect.stringContaining('info scope'),
    });
    expect(waiting.status).toBe(409);
    expect(waiting.body).toMatchObject({
      reason: 'not_authorized',
      connection_status: 'authorization_required',
    });
  });
});
