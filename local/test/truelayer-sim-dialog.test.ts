import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  authLink,
  CLIENT,
  exchangeCode,
  formAction,
  hiddenField,
  postForm,
  REDIRECT_URI,
  sandboxAuthorize,
  startSim,
} from './fixtures/truelayer-sim/helpers.ts';

let sim: TrueLayerSimulator;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim.close();
});

async function openLink(link: string): Promise<Response> {
  return fetch(link, { redirect: 'manual' });
}

/** Walks bank → consent and returns the login page HTML. */
async function reachLogin(link: string): Promise<string> {
  const bankPage = await (await openLink(link)).text();
  expect(bankPage).toContain('Choose your bank');
  const consent = await postForm(`${sim.authUrl}${formAction(bankPage)}`, {
    session: hiddenField(bankPage, 'session'),
    provider_id: 'ob-monzo',
  });
  expect(consent.status).toBe(200);
  const consentPage = await consent.text();
  expect(consentPage).toContain('Monzo');
  const login = await postForm(`${sim.authUrl}${formAction(consentPage)}`, {
    session: hiddenField(consentPage, 'session'),
    decision: 'allow',
  });
  expect(login.status).toBe(200);
  return login.text();
}

describe('auth dialog pages', () => {
  it('walks bank choice, consent and login, then redirects with code and state', async () => {
    const state = 'st-walk-1';
    const link = authLink(sim, { state });
    const first = await openLink(link);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/html');
    const bankPage = await first.text();
    expect(bankPage).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(bankPage).not.toContain('<script');
    // Every radio sits inside a label, so each control has an accessible name.
    expect(bankPage).toMatch(/<label class="option" for="provider-0">\s*<input type="radio" id="provider-0"/);
    expect(bankPage).toContain('value="mock"');
    expect(bankPage).toContain('value="oauth-starling"');

    const loginPage = await reachLogin(link);
    expect(loginPage).toContain('Log in to Monzo');
    // A username and a password, as TrueLayer's Mock bank asks, with the sandbox users listed.
    expect(loginPage).toContain('<label for="username">Username</label>');
    expect(loginPage).toContain('<input type="password" id="password" name="password"');
    for (const user of sim.users) expect(loginPage).toContain(`<strong>${user.username}</strong>`);
    expect(loginPage).toContain('three current accounts');

    const done = await postForm(`${sim.authUrl}${formAction(loginPage)}`, {
      session: hiddenField(loginPage, 'session'),
      username: 'john',
      password: 'doe',
    });
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe(state);
    const code = location.searchParams.get('code') ?? '';
    expect(code.length).toBeGreaterThanOrEqual(43);

    // The code from the browser flow is a real code.
    const token = await exchangeCode(sim, code);
    expect(token.status).toBe(200);
  });

  it('skips the bank step when the link names one provider or a provider_id', async () => {
    const single = await (await openLink(authLink(sim, { providers: 'uk-cs-mock' }))).text();
    expect(single).toContain('Share your data');
    expect(single).toContain('Mock Bank');
    const preselected = await (
      await openLink(authLink(sim, { providers: 'uk-ob-all', provider_id: 'ob-barclays' }))
    ).text();
    expect(preselected).toContain('Share your data');
    expect(preselected).toContain('Barclays');
  });

  it('lists what is shared on the consent page, with Allow and Deny', async () => {
    const page = await (await openLink(authLink(sim, { providers: 'uk-cs-mock' }))).text();
    expect(page).toContain('date of birth');
    expect(page).toContain(CLIENT.client_id);
    expect(page).toContain('name="decision" value="allow"');
    expect(page).toContain('name="decision" value="deny"');
  });

  it('redirects with access_denied and state when the user denies', async () => {
    const state = 'st-deny';
    const page = await (await openLink(authLink(sim, { providers: 'uk-cs-mock', state }))).text();
    const res = await postForm(`${sim.authUrl}/dialog/consent`, {
      session: hiddenField(page, 'session'),
      decision: 'deny',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('sends access_denied when the bank rejects the login of a login_fails user', async () => {
    const link = authLink(sim);
    const loginPage = await reachLogin(link);
    const res = await postForm(`${sim.authUrl}/dialog/login`, {
      session: hiddenField(loginPage, 'session'),
      username: 'error.wrong_credentials',
      password: 'error',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it.each([
    ['an unknown username', { username: 'nobody-here', password: 'doe' }],
    ['a wrong password', { username: 'john', password: 'not-doe' }],
    ['no password', { username: 'john' }],
  ])('re-shows the login page with an error for %s', async (_label, credentials) => {
    const loginPage = await reachLogin(authLink(sim));
    const res = await postForm(`${sim.authUrl}/dialog/login`, {
      session: hiddenField(loginPage, 'session'),
      ...credentials,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown username or wrong password');
  });

  it('refuses to skip from the bank step straight to login', async () => {
    const page = await (await openLink(authLink(sim))).text();
    const res = await postForm(`${sim.authUrl}/dialog/login`, {
      session: hiddenField(page, 'session'),
      username: 'john',
      password: 'doe',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('lets the user go back a step (browser Back) and choose another bank', async () => {
    const link = authLink(sim);
    const loginPage = await reachLogin(link);
    const session = hiddenField(loginPage, 'session');
    const consent = await postForm(`${sim.authUrl}/dialog/provider`, { session, provider_id: 'ob-hsbc' });
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('HSBC');
    // Going back reset the progress: login is not allowed until consent is given again.
    const early = await postForm(`${sim.authUrl}/dialog/login`, {
      session,
      username: 'john',
      password: 'doe',
    });
    expect(early.status).toBe(400);
  });

  it('answers an unknown dialog session with an error page', async () => {
    const res = await postForm(`${sim.authUrl}/dialog/consent`, { session: 'made-up', decision: 'allow' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Session expired');
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client', async () => {
    const cases = [
      { redirect_uri: 'http://evil.example.test/callback' },
      { redirect_uri: `${REDIRECT_URI}/` },
      { redirect_uri: 'http://LOCALHOST:3000/callback' },
      { redirect_uri: 'https://app.example.test/cb' },
      { redirect_uri: undefined },
      { client_id: 'unknown-client' },
      // Other errors too must not leak to an untrusted redirect_uri.
      { redirect_uri: 'http://evil.example.test/callback', scope: 'bogus' },
    ];
    for (const overrides of cases) {
      const res = await openLink(authLink(sim, overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('Invalid auth link');
    }
  });

  it('accepts a registered redirect_uri that carries its own query, keeping it', async () => {
    const redirect = 'https://app.example.test/cb?tenant=a';
    const res = await openLink(authLink(sim, { redirect_uri: redirect, scope: 'nonsense', state: 's-q' }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('tenant')).toBe('a');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('s-q');
  });

  it.each([
    [{ scope: 'signupplus telepathy' }, 'invalid_scope'],
    [{ scope: undefined }, 'invalid_request'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ response_type: undefined }, 'invalid_request'],
    [{ providers: 'uk-cs-mock de-xs2a-all' }, 'invalid_request'],
    [{ providers: 'uk-cs-mock', provider_id: 'ob-monzo' }, 'invalid_request'],
    [{ code_challenge: 'abc', code_challenge_method: 'plain' }, 'invalid_request'],
    [{ response_mode: 'form_post' }, 'invalid_request'],
  ])('redirects link problems %j as %s with the state', async (overrides, error) => {
    const res = await openLink(authLink(sim, { ...overrides, state: 'st-err' }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('st-err');
  });

  it('requires state: redirects invalid_request without one', async () => {
    const res = await openLink(authLink(sim, { state: undefined }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('makes each auth link single use', async () => {
    const link = authLink(sim, { providers: 'uk-cs-mock' });
    // Two tabs open the same link; the first to finish spends it.
    const tabA = await (await openLink(link)).text();
    const tabB = await (await openLink(link)).text();
    await postForm(`${sim.authUrl}/dialog/consent`, {
      session: hiddenField(tabA, 'session'),
      decision: 'deny',
    });

    const again = await openLink(link);
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
    expect(await again.text()).toContain('already been used');

    const late = await postForm(`${sim.authUrl}/dialog/consent`, {
      session: hiddenField(tabB, 'session'),
      decision: 'allow',
    });
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('already been used');

    const api = await sandboxAuthorize(sim, { auth_link: link, user: 'john', decision: 'approve' });
    expect(api.status).toBe(400);
  });
});

describe('POST /_sandbox/authorize', () => {
  it('approves like a browser would: redirect_to carries code and state', async () => {
    const res = await sandboxAuthorize(sim, {
      auth_link: authLink(sim, { state: 'api-1' }),
      user: 'jane',
      decision: 'approve',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tl-correlation-id')).toBeTruthy();
    const { redirect_to } = (await res.json()) as { redirect_to: string };
    const url = new URL(redirect_to);
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
    expect(url.searchParams.get('state')).toBe('api-1');
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('denies with error=access_denied and the state', async () => {
    const res = await sandboxAuthorize(sim, {
      auth_link: authLink(sim, { state: 'api-2' }),
      decision: 'deny',
    });
    expect(res.status).toBe(200);
    const url = new URL(((await res.json()) as { redirect_to: string }).redirect_to);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('api-2');
  });

  it('is single use too', async () => {
    const link = authLink(sim);
    expect((await sandboxAuthorize(sim, { auth_link: link, user: 'john', decision: 'approve' })).status).toBe(
      200,
    );
    const second = await sandboxAuthorize(sim, { auth_link: link, user: 'john', decision: 'approve' });
    expect(second.status).toBe(400);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    const body = (await second.json()) as { detail: string; status: number; type: string; title: string };
    expect(body.status).toBe(400);
    expect(body.detail).toContain('already been used');
    expect(body.type).toMatch(/^https:\/\/docs\.truelayer\.com\/docs\/error-types#/);
  });

  it('answers 400 problems for a bad link, unknown user and bad body, leaving the link usable', async () => {
    const unregistered = await sandboxAuthorize(sim, {
      auth_link: authLink(sim, { redirect_uri: 'http://evil.example.test/' }),
      user: 'john',
      decision: 'approve',
    });
    expect(unregistered.status).toBe(400);
    expect(JSON.stringify(await unregistered.json())).not.toContain('redirect_to');

    const link = authLink(sim);
    const unknownUser = await sandboxAuthorize(sim, { auth_link: link, user: 'ghost', decision: 'approve' });
    expect(unknownUser.status).toBe(400);
    const problem = (await unknownUser.json()) as { errors: Record<string, string[]> };
    expect(problem.errors['user']).toBeDefined();

    expect((await sandboxAuthorize(sim, { auth_link: link, decision: 'maybe' })).status).toBe(400);
    expect((await sandboxAuthorize(sim, { auth_link: 'not a url', decision: 'deny' })).status).toBe(400);
    expect((await sandboxAuthorize(sim, { auth_link: link, decision: 'approve' })).status).toBe(400);

    // None of the failures spent the link.
    expect((await sandboxAuthorize(sim, { auth_link: link, user: 'john', decision: 'approve' })).status).toBe(
      200,
    );
  });

  it('returns the redirect a browser would get for a link error on a trusted redirect_uri', async () => {
    const res = await sandboxAuthorize(sim, {
      auth_link: authLink(sim, { scope: 'telepathy', state: 'api-3' }),
      user: 'john',
      decision: 'approve',
    });
    expect(res.status).toBe(200);
    const url = new URL(((await res.json()) as { redirect_to: string }).redirect_to);
    expect(url.searchParams.get('error')).toBe('invalid_scope');
    expect(url.searchParams.get('state')).toBe('api-3');
  });

  it('answers access_denied for a user whose bank login fails, and spends the link', async () => {
    const link = authLink(sim, { state: 'api-4' });
    const res = await sandboxAuthorize(sim, {
      auth_link: link,
      user: 'error.wrong_credentials',
      decision: 'approve',
    });
    expect(res.status).toBe(200);
    const url = new URL(((await res.json()) as { redirect_to: string }).redirect_to);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('api-4');
    expect((await sandboxAuthorize(sim, { auth_link: link, user: 'john', decision: 'approve' })).status).toBe(
      400,
    );
  });

  it('refuses a provider_id the link does not offer', async () => {
    const res = await sandboxAuthorize(sim, {
      auth_link: authLink(sim, { providers: 'uk-cs-mock' }),
      user: 'john',
      decision: 'approve',
      provider_id: 'ob-monzo',
    });
    expect(res.status).toBe(400);
  });
});
