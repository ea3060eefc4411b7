import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  authLink,
  CLIENT,
  codeFor,
  exchangeCode,
  getAccounts,
  OTHER_CLIENT,
  REDIRECT_URI,
  startSim,
  type TokenBody,
  tokenRequest,
} from './fixtures/truelayer-sim/helpers.ts';

// A clock the tests move by hand, so expiry needs no waiting.
let clock = Date.parse('2026-01-15T10:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  sim = await startSim({ now: () => clock, codeTtlSeconds: 60, accessTokenTtlSeconds: 600 });
});

afterAll(async () => {
  await sim.close();
});

async function errorOf(res: Response): Promise<{ error: string; error_description?: string }> {
  expect(res.status).toBe(400);
  expect(res.headers.get('x-tl-correlation-id')).toBeTruthy();
  return (await res.json()) as { error: string; error_description?: string };
}

describe('POST /connect/token: authorization_code', () => {
  it('exchanges a code for an opaque bearer token (form body)', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    const res = await exchangeCode(sim, code);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tl-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TokenBody;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(600);
    expect(body.scope).toBe('info accounts signupplus');
    // 32 random bytes in base64url are 43 characters.
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).not.toHaveProperty('refresh_token');
    expect((await getAccounts(sim, body.access_token)).status).toBe(200);
  });

  it('accepts a JSON body too', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    const res = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: CLIENT.client_id,
        client_secret: CLIENT.client_secret,
        code,
        redirect_uri: REDIRECT_URI,
      }),
    });
    expect(res.status).toBe(200);
  });

  it('answers invalid_client for a wrong secret, unknown client or missing secret', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    expect(await errorOf(await exchangeCode(sim, code, { client_secret: 'wrong' }))).toEqual({
      error: 'invalid_client',
    });
    expect((await errorOf(await exchangeCode(sim, code, { client_id: 'nope' }))).error).toBe(
      'invalid_client',
    );
    const noSecret = await tokenRequest(sim, {
      grant_type: 'authorization_code',
      client_id: CLIENT.client_id,
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect((await errorOf(noSecret)).error).toBe('invalid_client');
    // The failed attempts did not spend the code.
    expect((await exchangeCode(sim, code)).status).toBe(200);
  });

  it('refuses an expired code', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    clock += 60_000;
    const body = await errorOf(await exchangeCode(sim, code));
    expect(body.error).toBe('invalid_grant');
    expect(body.error_description).toContain('expired');
  });

  it('accepts a code just before it expires', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    clock += 59_999;
    expect((await exchangeCode(sim, code)).status).toBe(200);
  });

  it('denies a reused code and revokes the token issued from it', async () => {
    const code = await codeFor(sim, authLink(sim), 'jane');
    const first = (await (await exchangeCode(sim, code)).json()) as TokenBody;
    expect((await getAccounts(sim, first.access_token)).status).toBe(200);

    const replay = await errorOf(await exchangeCode(sim, code));
    expect(replay.error).toBe('invalid_grant');
    const after = await getAccounts(sim, first.access_token);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: string }).detail).toContain('revoked');
  });

  it('refuses a redirect_uri that differs from the link, even by a slash', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    const body = await errorOf(await exchangeCode(sim, code, { redirect_uri: `${REDIRECT_URI}/` }));
    expect(body.error).toBe('invalid_grant');
    expect(body.error_description).toContain('redirect_uri');
    const other = await errorOf(
      await exchangeCode(sim, code, { redirect_uri: 'https://app.example.test/cb?tenant=a' }),
    );
    expect(other.error).toBe('invalid_grant');
  });

  it('refuses a code issued to another client and an unknown code', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    const stolen = await exchangeCode(sim, code, {
      client_id: OTHER_CLIENT.client_id,
      client_secret: OTHER_CLIENT.client_secret,
      redirect_uri: OTHER_CLIENT.redirect_uris[0] ?? '',
    });
    expect((await errorOf(stolen)).error).toBe('invalid_grant');
    expect((await errorOf(await exchangeCode(sim, 'not-a-code'))).error).toBe('invalid_grant');
  });

  it('answers invalid_request for missing parameters and unsupported_grant_type for others', async () => {
    const base = { client_id: CLIENT.client_id, client_secret: CLIENT.client_secret };
    expect((await errorOf(await tokenRequest(sim, base))).error).toBe('invalid_request');
    expect(
      (
        await errorOf(
          await tokenRequest(sim, { ...base, grant_type: 'authorization_code', redirect_uri: REDIRECT_URI }),
        )
      ).error,
    ).toBe('invalid_request');
    expect(
      (await errorOf(await tokenRequest(sim, { ...base, grant_type: 'authorization_code', code: 'x' })))
        .error,
    ).toBe('invalid_request');
    expect((await errorOf(await tokenRequest(sim, { ...base, grant_type: 'password' }))).error).toBe(
      'unsupported_grant_type',
    );
    const text = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'grant_type=client_credentials',
    });
    expect((await errorOf(text)).error).toBe('invalid_request');
    const badJson = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type": ',
    });
    expect((await errorOf(badJson)).error).toBe('invalid_request');
    const repeated = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams([
        ['client_id', CLIENT.client_id],
        ['client_secret', CLIENT.client_secret],
        ['grant_type', 'client_credentials'],
        ['scope', 'data'],
        ['scope', 'payments'],
      ]),
    });
    expect((await errorOf(repeated)).error).toBe('invalid_request');
  });

  it('checks PKCE when the link carried an S256 code_challenge', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const link = () => authLink(sim, { code_challenge: challenge, code_challenge_method: 'S256' });

    const missing = await codeFor(sim, link(), 'john');
    expect((await errorOf(await exchangeCode(sim, missing))).error).toBe('invalid_grant');
    const wrong = await codeFor(sim, link(), 'john');
    expect((await errorOf(await exchangeCode(sim, wrong, { code_verifier: `${verifier}x` }))).error).toBe(
      'invalid_grant',
    );
    const right = await codeFor(sim, link(), 'john');
    expect((await exchangeCode(sim, right, { code_verifier: verifier })).status).toBe(200);

    // A verifier for a code issued without a challenge is a downgrade attempt.
    const plain = await codeFor(sim, authLink(sim), 'john');
    expect((await errorOf(await exchangeCode(sim, plain, { code_verifier: verifier }))).error).toBe(
      'invalid_grant',
    );
  });
});

describe('POST /connect/token: refresh_token', () => {
  it('issues a refresh token only for offline_access and rotates it', async () => {
    const code = await codeFor(sim, authLink(sim, { scope: 'signupplus offline_access' }), 'john');
    const first = (await (await exchangeCode(sim, code)).json()) as TokenBody;
    expect(first.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const refresh = (refreshToken: string, client = CLIENT) =>
      tokenRequest(sim, {
        grant_type: 'refresh_token',
        client_id: client.client_id,
        client_secret: client.client_secret,
        refresh_token: refreshToken,
      });

    expect((await errorOf(await refresh(first.refresh_token ?? '', OTHER_CLIENT))).error).toBe(
      'invalid_grant',
    );

    const second = await refresh(first.refresh_token ?? '');
    expect(second.status).toBe(200);
    const rotated = (await second.json()) as TokenBody;
    expect(rotated.refresh_token).toBeDefined();
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.scope).toBe('signupplus offline_access');
    // Only the newest access token stays valid after a refresh.
    expect((await getAccounts(sim, first.access_token)).status).toBe(401);
    expect((await getAccounts(sim, rotated.access_token)).status).toBe(200);

    // Replaying the old refresh token ends the whole grant.
    expect((await errorOf(await refresh(first.refresh_token ?? ''))).error).toBe('invalid_grant');
    expect((await getAccounts(sim, rotated.access_token)).status).toBe(401);
    expect((await errorOf(await refresh(rotated.refresh_token ?? ''))).error).toBe('invalid_grant');
  });

  it('refuses a missing or unknown refresh token', async () => {
    const base = {
      grant_type: 'refresh_token',
      client_id: CLIENT.client_id,
      client_secret: CLIENT.client_secret,
    };
    expect((await errorOf(await tokenRequest(sim, base))).error).toBe('invalid_request');
    expect((await errorOf(await tokenRequest(sim, { ...base, refresh_token: 'nope' }))).error).toBe(
      'invalid_grant',
    );
  });
});

describe('POST /connect/token: client_credentials', () => {
  it('issues a client token with the requested scopes', async () => {
    const res = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: CLIENT.client_id,
      client_secret: CLIENT.client_secret,
      scope: 'signupplus payments data',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenBody;
    expect(body.scope).toBe('signupplus payments data');
    expect(body.token_type).toBe('Bearer');
    expect(body).not.toHaveProperty('refresh_token');
    // Bound to the client, not a user: it cannot read a user's Signup+ data.
    expect((await getAccounts(sim, body.access_token)).status).toBe(403);
  });

  it('refuses unknown or missing scopes', async () => {
    const base = {
      grant_type: 'client_credentials',
      client_id: CLIENT.client_id,
      client_secret: CLIENT.client_secret,
    };
    expect((await errorOf(await tokenRequest(sim, { ...base, scope: 'signupplus info' }))).error).toBe(
      'invalid_scope',
    );
    expect((await errorOf(await tokenRequest(sim, base))).error).toBe('invalid_request');
  });
});
