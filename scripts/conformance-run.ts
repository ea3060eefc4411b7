/**
 * The conformance run (docs/conformance.md): every TrueLayer call the product
 * makes, made by the product's own clients, against TrueLayer's sandbox or
 * the simulator, through a recording proxy. The real auth dialog and hosted
 * page are walked in Chromium. What TrueLayer answered is saved, redacted, as
 * fixtures the simulator's tests replay, and each point TrueLayer leaves
 * undocumented is reported with the simulator switch that plays it.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from '../functions/connections/create-connection.ts';
import { checkConnectionRequest } from '../functions/connections/request.ts';
import { type ConnectionOutcome, dataConnectionsClient } from '../functions/connections/truelayer-client.ts';
import type { CreatedConnection } from '../functions/contract/responses.ts';
import { buildAuthLink } from '../functions/truelayer/auth-link.ts';
import { TRUELAYER_HOSTS, type TrueLayerEndpoints } from '../functions/truelayer/config.ts';
import { trueLayerFailure } from '../functions/truelayer/failures.ts';
import { sendToTrueLayer } from '../functions/truelayer/http.ts';
import {
  getSignupPlusAccounts,
  type SignupPlusAccountsResult,
} from '../functions/truelayer/signup-plus-client.ts';
import { cachedClientToken } from '../functions/truelayer/token-cache.ts';
import {
  exchangeAuthorizationCode,
  requestClientCredentialsToken,
} from '../functions/truelayer/token-client.ts';
import { dataConnectionRoutes } from '../local/truelayer-sim/data-v3/index.ts';
import { startTrueLayerSimulator, type TrueLayerSimulator } from '../local/truelayer-sim/index.ts';
import { parseSwitches } from '../local/truelayer-sim/switches.ts';
import type { ConformanceSettings } from './conformance-args.ts';
import { type ConformanceBrowser, launchConformanceBrowser } from './conformance-browser.ts';
import { type Exchange, type RecordingProxy, startRecordingProxy } from './conformance-proxy.ts';
import { keptHeaders, Redactor } from './conformance-redact.ts';
import { signupPlusRequestPart } from './conformance-signup-plus-requests.ts';

export interface Step {
  name: string;
  ok: boolean;
  /** What the product made of TrueLayer's answer: a result kind, or the failure reason and error. */
  detail: string;
}

/** One undocumented point and what this run found; `switch` is the simulator setting that plays it. */
export interface Finding {
  point: string;
  found: string;
  switch?: string;
}

export interface ConformanceReport {
  truelayer: ConformanceSettings['truelayer'];
  steps: Step[];
  findings: Finding[];
  fixtures: string[];
  /** The simulator switches that play what this run saw, as TRUELAYER_SIM_SWITCHES takes them. */
  suggestedSwitches: string;
}

/** What the product made of one call, recorded in the call's fixture. */
type Reading = { kind: string } | { error: string; reason?: string | undefined };

const reading = (result: SignupPlusAccountsResult): Reading => ({ kind: result.kind });
const failed = (error: unknown): Reading => ({
  error: error instanceof Error ? error.name : 'unknown',
  reason: trueLayerFailure(error)?.reason,
});
const describe = (read: Reading) =>
  'kind' in read ? read.kind : `${read.error} (${read.reason ?? 'not TrueLayer'})`;

/** The S256 challenge of a PKCE verifier (RFC 7636). */
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

interface Target {
  authBase: string;
  apiBase: string;
  clientId: string;
  clientSecret: string;
  simulator?: TrueLayerSimulator;
}

async function targetFor(settings: ConformanceSettings): Promise<Target> {
  if (settings.truelayer === 'sandbox') {
    return {
      authBase: TRUELAYER_HOSTS.sandbox.auth,
      apiBase: TRUELAYER_HOSTS.sandbox.api,
      clientId: settings.clientId ?? '',
      clientSecret: settings.clientSecret ?? '',
    };
  }
  const client = { client_id: 'conformance-run', client_secret: randomBytes(24).toString('base64url') };
  const dataV3 = dataConnectionRoutes();
  const simulator = await startTrueLayerSimulator({
    clients: [{ ...client, redirect_uris: [settings.redirectUri] }],
    quiet: true,
    switches: settings.switches === undefined ? {} : parseSwitches(settings.switches, '--switches'),
    extraApiRoutes: dataV3.apiRoutes,
    extraAuthRoutes: dataV3.authRoutes,
  });
  return {
    authBase: simulator.authUrl,
    apiBase: simulator.apiUrl,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    simulator,
  };
}

/** A file name for an exchange: `03-get-signup-plus-accounts.json`. */
function fixtureName(index: number, exchange: Exchange): string {
  const path = new URL(exchange.target, 'http://x').pathname
    // Ids in the path (a connection, an account, a Signup+ request) name nothing in a file name.
    .replace(/\/(data-connections|connections|accounts|requests)\/[^/]+/g, '/$1/id')
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return `${String(index + 1).padStart(2, '0')}-${exchange.method.toLowerCase()}-${path || 'root'}.json`;
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A form body (the token requests) kept as field names, with the harmless values only. */
function redactedForm(text: string): Record<string, string> {
  const kept = ['grant_type', 'scope'];
  return Object.fromEntries(
    [...new URLSearchParams(text).entries()].map(([name, value]) => [
      name,
      kept.includes(name) ? value : `<${name}>`,
    ]),
  );
}

function redactedRequest(exchange: Exchange, redactor: Redactor) {
  const url = new URL(exchange.target, 'http://x');
  const query = Object.fromEntries(
    [...url.searchParams.entries()].map(([name, value]) => [name, redactor.redact(value, name)]),
  );
  const form = (exchange.requestHeaders['content-type'] ?? '').includes('x-www-form-urlencoded');
  return {
    method: exchange.method,
    path: redactor.scrub(url.pathname),
    query,
    headers: exchange.requestHeaders,
    header_names: exchange.requestHeaderNames,
    ...(exchange.requestBody === ''
      ? {}
      : {
          body: form
            ? redactedForm(exchange.requestBody)
            : redactor.redact(parsedOrText(exchange.requestBody)),
        }),
  };
}

/** The run itself; `settings` come from conformance-args.ts. */
export async function runConformance(settings: ConformanceSettings): Promise<ConformanceReport> {
  const target = await targetFor(settings);
  const redactor = new Redactor();
  redactor.secret(target.clientSecret, '<client secret>');
  redactor.secret(target.clientId, '<client id>');
  const steps: Step[] = [];
  const readings = new Map<number, Reading>();
  const proxies: RecordingProxy[] = [];
  let browser: ConformanceBrowser | undefined;
  const findings: Finding[] = [];
  const switches: string[] = [];
  const counter = { next: 0 };

  try {
    const auth = await startRecordingProxy(target.authBase, 'auth', counter);
    const api = await startRecordingProxy(target.apiBase, 'api', counter);
    proxies.push(auth, api);
    for (const [url, placeholder] of [
      // URL-shaped, so that a redacted link is still a link the product's readers take.
      [target.authBase, 'https://auth.truelayer.redacted'],
      [target.apiBase, 'https://api.truelayer.redacted'],
      [auth.url, 'https://auth.truelayer.redacted'],
      [api.url, 'https://api.truelayer.redacted'],
    ] as const) {
      redactor.secret(url, placeholder);
    }
    const endpoints: TrueLayerEndpoints = {
      environment: 'sandbox',
      authBaseUrl: auth.url,
      apiBaseUrl: api.url,
      hppBaseUrl: TRUELAYER_HOSTS.sandbox.hpp,
      webhooksJwksUrl: `${TRUELAYER_HOSTS.sandbox.webhooks}/.well-known/jwks`,
      timeoutMs: 15_000,
    };
    const tokenDeps = {
      endpoints,
      client: { clientId: target.clientId, redirectUri: settings.redirectUri },
      clientSecret: async () => target.clientSecret,
    };
    /** Records what the product made of the last call, for its fixture. */
    const note = (read: Reading) => readings.set(counter.next - 1, read);

    browser = await launchConformanceBrowser({
      chromiumPath: settings.chromiumPath,
      manual: settings.manual,
      login: { username: settings.username, password: settings.password, bank: /mock/i },
    });
    const screenshots = join('test-results', 'conformance');

    // 1. The auth dialog, in the browser, as the end user walks it.
    const state = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    redactor.secret(state, '<state>');
    redactor.secret(verifier, '<code verifier>');
    const link = new URL(
      buildAuthLink({
        authBaseUrl: target.authBase,
        clientId: target.clientId,
        redirectUri: settings.redirectUri,
        scopes: ['info', 'accounts', 'signupplus'],
        providers: settings.providers.split(/[\s,]+/).filter(Boolean),
        state,
        codeChallenge: challengeOf(verifier),
      }),
    );
    if (!settings.pkce) {
      // --no-pkce: the link as the product built it before PKCE, to tell a PKCE refusal from others.
      link.searchParams.delete('code_challenge');
      link.searchParams.delete('code_challenge_method');
    }
    const back = await browser.walk(link.toString(), settings.redirectUri, {
      deadlineMs: settings.manual ? 600_000 : 90_000,
      screenshot: join(screenshots, 'auth-dialog.png'),
    });
    const code = back.searchParams.get('code') ?? undefined;
    redactor.secret(code, '<code>');
    const appended = [...back.searchParams.keys()].filter((name) => name !== 'code' && name !== 'state');
    steps.push({
      name: 'auth dialog',
      ok: code !== undefined && back.searchParams.get('state') === state,
      detail:
        code === undefined
          ? `came back with error=${back.searchParams.get('error') ?? '?'}`
          : 'code and state',
    });
    findings.push({
      point: 'redirect after the auth dialog',
      found: `code${back.searchParams.has('state') ? ', state' : ' (no state!)'}${appended.length ? `, ${appended.join(', ')}` : ''}`,
    });
    if (code === undefined) throw new Error('The auth dialog gave no code; see the steps above.');

    // 2. The code exchange, with the PKCE verifier, as LinkAccounts makes it.
    let accessToken: string;
    try {
      const token = await exchangeAuthorizationCode(tokenDeps, code, settings.pkce ? verifier : undefined);
      accessToken = token.accessToken;
      redactor.secret(accessToken, '<access token>');
      steps.push({ name: 'code exchange', ok: true, detail: `token for ${token.expiresInSeconds} s` });
      findings.push({
        point: 'PKCE (code_challenge on the link, code_verifier on the exchange)',
        found: settings.pkce ? 'accepted' : 'not tried (--no-pkce)',
      });
    } catch (error) {
      note(failed(error));
      steps.push({ name: 'code exchange', ok: false, detail: describe(failed(error)) });
      throw new Error(
        `The code exchange failed (${describe(failed(error))}); try --no-pkce if PKCE is the cause.`,
      );
    }

    // 3. Signup+ without, then with, an account id, as LinkAccounts and CompleteWithChosenAccount call it.
    let listed: SignupPlusAccountsResult | undefined;
    try {
      listed = await getSignupPlusAccounts(endpoints, accessToken, { endUserIp: settings.endUserIp });
      note(reading(listed));
      steps.push({ name: 'GET /signup-plus/accounts', ok: true, detail: describe(reading(listed)) });
    } catch (error) {
      note(failed(error));
      steps.push({ name: 'GET /signup-plus/accounts', ok: false, detail: describe(failed(error)) });
    }
    const accountsAnswer = api
      .exchanges()
      .find((exchange) => exchange.target.startsWith('/signup-plus/accounts'));
    if (accountsAnswer) {
      findings.push({
        point: 'compression of Signup+ answers',
        found: accountsAnswer.contentEncoding ?? 'none',
        switch: accountsAnswer.contentEncoding?.includes('gzip') ? 'gzip=true' : 'gzip=false',
      });
      if (accountsAnswer.contentEncoding?.includes('gzip')) switches.push('gzip=true');
      findings.push({
        point: 'X-PSU-IP on Signup+ calls',
        found: accountsAnswer.status < 400 ? 'accepted' : `answered ${accountsAnswer.status}`,
      });
      findings.push(...fieldFindings(parsedOrText(accountsAnswer.responseText), switches));
    }
    if (listed?.kind === 'multiple_accounts') {
      const status = accountsAnswer?.status ?? 0;
      findings.push({
        point: 'HTTP status of the multiple_accounts_linked answer',
        found: String(status),
        switch: `multiple_accounts_status=${status}`,
      });
      switches.push(`multiple_accounts_status=${status}`);
      for (const account of listed.accounts.slice(0, 3)) {
        try {
          const chosen = await getSignupPlusAccounts(endpoints, accessToken, {
            accountId: account.account_id,
            endUserIp: settings.endUserIp,
          });
          note(reading(chosen));
          steps.push({
            name: 'GET /signup-plus/accounts?account_id',
            ok: chosen.kind === 'identity',
            detail: describe(reading(chosen)),
          });
        } catch (error) {
          note(failed(error));
          steps.push({
            name: 'GET /signup-plus/accounts?account_id',
            ok: false,
            detail: describe(failed(error)),
          });
        }
      }
      const chosenAnswer = api.exchanges().find((exchange) => exchange.target.includes('account_id='));
      if (chosenAnswer) findings.push(...fieldFindings(parsedOrText(chosenAnswer.responseText), switches));
    }

    // 4. Data API v3: a connection the way POST /connections creates one, the hosted page, the return leg.
    if (settings.dataV3) {
      await dataV3Part({
        settings,
        endpoints,
        tokenDeps,
        browser,
        redactor,
        steps,
        findings,
        switches,
        note,
        screenshots,
      });
    }
  } finally {
    await browser?.close().catch(() => undefined);
    for (const proxy of proxies) await proxy.close();
    await target.simulator?.close();
  }

  const fixtures = writeFixtures(settings, proxies, readings, redactor);
  const suggestedSwitches = [...new Set(switches)].join(',');
  writeFileSync(
    join(settings.outDir, 'summary.json'),
    `${JSON.stringify({ truelayer: settings.truelayer, steps, findings, suggested_switches: suggestedSwitches }, null, 2)}\n`,
  );
  // Formatted as the repository formats JSON, so that committing the fixtures keeps `npm run lint` green.
  spawnSync(
    process.execPath,
    ['node_modules/@biomejs/biome/bin/biome', 'format', '--write', settings.outDir],
    {
      stdio: 'ignore',
    },
  );
  return { truelayer: settings.truelayer, steps, findings, fixtures, suggestedSwitches };
}

/** Which optional identity fields came absent, null or empty, and which address key was used. */
function fieldFindings(body: unknown, switches: string[]): Finding[] {
  if (typeof body !== 'object' || body === null || 'result' in body) return [];
  const nulls: string[] = [];
  const empties: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (value === null) nulls.push(path);
    else if (value === '') empties.push(path);
    else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key);
    }
  };
  visit(body, '');
  const address =
    'address' in body && typeof body.address === 'object' && body.address !== null ? body.address : {};
  const key = 'country_code' in address ? 'country_code' : 'country' in address ? 'country' : undefined;
  if (nulls.length > 0) switches.push('absent_fields=null');
  else if (empties.length > 0) switches.push('absent_fields=empty');
  if (key === 'country_code') switches.push('address_country_key=country_code');
  return [
    {
      point: 'fields TrueLayer sent as null / empty',
      found: `null: ${nulls.join(', ') || 'none'}; empty: ${empties.join(', ') || 'none'}`,
      switch:
        nulls.length > 0
          ? 'absent_fields=null'
          : empties.length > 0
            ? 'absent_fields=empty'
            : 'absent_fields=omit',
    },
    {
      point: 'address country key',
      found: key ?? 'no address',
      ...(key ? { switch: `address_country_key=${key}` } : {}),
    },
  ];
}

async function dataV3Part(context: {
  settings: ConformanceSettings;
  endpoints: TrueLayerEndpoints;
  tokenDeps: Parameters<typeof requestClientCredentialsToken>[0];
  browser: ConformanceBrowser;
  redactor: Redactor;
  steps: Step[];
  findings: Finding[];
  switches: string[];
  note: (read: Reading) => void;
  screenshots: string;
}): Promise<void> {
  const { settings, endpoints, redactor, steps, findings, switches, note } = context;
  const token = cachedClientToken(async () => {
    const fetched = await requestClientCredentialsToken(context.tokenDeps, 'data');
    redactor.secret(fetched.accessToken, '<data token>');
    return fetched;
  });
  const client = dataConnectionsClient({ endpoints, token });
  const check = checkConnectionRequest(
    {
      scopes: ['info', 'accounts'],
      provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
      user: { name: 'Conformance Run', email: 'conformance@example.com' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: settings.redirectUri },
    },
    { aispLicensed: false },
  );
  if (!check.ok) throw new Error('The conformance run’s own connection request is invalid');
  const stored: Array<{ connection_id: string }> = [];
  const create = (returnUrl: string) =>
    createConnection(
      {
        request: check.request,
        configuration: check.configuration,
        trueLayerIdempotencyKey: randomUUID(),
        endUserIp: settings.endUserIp,
      },
      {
        trueLayer: client,
        repository: {
          create: async (record) => {
            stored.push(record);
            return record;
          },
        },
        // The conformance run's connections ask for no Signup+: nothing writes an onboarding.
        onboardings: { create: async () => undefined },
        publish: async () => undefined,
        settings: { returnUrl, retentionDays: 1, linkTtlSeconds: 600 },
        now: () => new Date(),
      },
    );

  // The product's return URL carries its own reference in the query; whether TrueLayer accepts a
  // registered URI with a query added is one of the points this run finds out.
  let created: CreatedConnection;
  try {
    created = await create(settings.redirectUri);
    findings.push({
      point: 'a registered return URI with the product’s ?onboarding_id= added',
      found: 'accepted',
    });
    steps.push({ name: 'POST /v3/data-connections', ok: true, detail: created.status });
  } catch (error) {
    note(failed(error));
    steps.push({ name: 'POST /v3/data-connections', ok: false, detail: describe(failed(error)) });
    findings.push({
      point: 'a registered return URI with the product’s ?onboarding_id= added',
      found: `refused: ${describe(failed(error))}; the return leg then depends on connection_id`,
    });
    return;
  }
  // Placeholders in the ids' own alphabet, so that they still read as ids (and sit in URLs).
  redactor.secret(created.connection_id, 'connection-1');
  redactor.secret(created.user.id, 'truelayer-user-1');
  redactor.secret(created.onboarding_id, 'onboarding-1');

  const back = await context.browser.walk(created.redirect_to, settings.redirectUri, {
    deadlineMs: settings.manual ? 600_000 : 90_000,
    screenshot: join(context.screenshots, 'hosted-page.png'),
  });
  const appended = [...back.searchParams.keys()].filter((name) => name !== 'onboarding_id');
  const carriesId = back.searchParams.get('connection_id') === created.connection_id;
  findings.push({
    point: 'what TrueLayer appends to the return URI',
    found: `${appended.join(', ') || 'nothing'}${back.searchParams.has('onboarding_id') ? '; the product’s onboarding_id came back' : '; the product’s onboarding_id was LOST'}`,
    switch: `return_connection_id=${carriesId}`,
  });
  if (!carriesId) switches.push('return_connection_id=false');
  steps.push({
    name: 'hosted page and return',
    ok: back.searchParams.get('onboarding_id') === created.onboarding_id,
    detail: back.searchParams.get('error') ? `error=${back.searchParams.get('error')}` : 'back',
  });

  let outcome: ConnectionOutcome | undefined;
  try {
    outcome = await client.outcome({ connectionId: created.connection_id, scopes: check.request.scopes });
    steps.push({
      name: 'learn the outcome',
      ok: outcome.outcome === 'authorized',
      detail: `${outcome.outcome} (from ${outcome.source})`,
    });
  } catch (error) {
    note(failed(error));
    steps.push({ name: 'learn the outcome', ok: false, detail: describe(failed(error)) });
  }
  // The documented data calls, made whatever the outcome came from, so that each has a fixture.
  const bearer = await token.get();
  const connectionHeaders = {
    authorization: `Bearer ${bearer}`,
    accept: 'application/json',
    'connection-id': created.connection_id,
  };
  const documented = [
    ['/v3/connected-accounts', 'list connected accounts'],
    [`/v3/data-connections/${encodeURIComponent(created.connection_id)}/user-info`, 'get user info'],
  ] as const;
  const statuses: string[] = [];
  for (const [path, operation] of documented) {
    const answer = await sendToTrueLayer(
      `${endpoints.apiBaseUrl}${path}`,
      { method: 'GET', headers: connectionHeaders },
      { timeoutMs: endpoints.timeoutMs, operation },
    ).then(
      (response) => String(response.status),
      (error: unknown) => (error instanceof Error ? error.name : 'failed'),
    );
    statuses.push(`${operation}: ${answer}`);
  }
  const read = await sendToTrueLayer(
    `${endpoints.apiBaseUrl}/v3/data-connections/${encodeURIComponent(created.connection_id)}`,
    { method: 'GET', headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } },
    { timeoutMs: endpoints.timeoutMs, operation: 'get data connection' },
  ).then(
    (response) => String(response.status),
    (error: unknown) => (error instanceof Error ? error.name : 'failed'),
  );
  const readStatus = read;
  const present = readStatus === '200';
  findings.push({
    point: 'GET /v3/data-connections/{id}',
    found: present ? 'exists (200)' : `answered ${readStatus}`,
    switch: `data_connection_endpoint=${present ? 'present' : 'absent'}`,
  });
  if (!present) switches.push('data_connection_endpoint=absent');
  findings.push({ point: 'documented data calls after the return', found: statuses.join('; ') });
  if (outcome?.outcome === 'authorized') {
    await signupPlusRequestPart({
      endpoints,
      token,
      connections: client,
      connectionId: created.connection_id,
      redactor,
      steps,
      findings,
      switches,
    });
  }
}

/** Writes one redacted fixture per recorded exchange; refuses any that still holds a secret or personal data. */
function writeFixtures(
  settings: ConformanceSettings,
  proxies: readonly RecordingProxy[],
  readings: ReadonlyMap<number, Reading>,
  redactor: Redactor,
): string[] {
  rmSync(settings.outDir, { recursive: true, force: true });
  mkdirSync(settings.outDir, { recursive: true });
  // Response bodies are redacted first, in call order, so identifiers get the same placeholder everywhere.
  const prepared = orderedByCall(proxies).map((exchange) => ({
    exchange,
    response: {
      status: exchange.status,
      headers: keptHeaders(exchange.responseHeaders),
      body: redactor.redact(parsedOrText(exchange.responseText)),
    },
  }));
  const written: string[] = [];
  for (const [index, { exchange, response }] of prepared.entries()) {
    const product = readings.get(exchange.sequence);
    const fixture = {
      call: `${exchange.method} ${redactor.scrub(new URL(exchange.target, 'http://x').pathname)}`,
      truelayer: settings.truelayer,
      request: redactedRequest(exchange, redactor),
      response,
      ...(product === undefined ? {} : { product }),
    };
    const text = `${JSON.stringify(fixture, null, 2)}\n`;
    const name = fixtureName(index, exchange);
    redactor.assertClean(text, name);
    writeFileSync(join(settings.outDir, name), text);
    written.push(name);
  }
  return written;
}

/** Both proxies' exchanges in the order the calls were made (each proxy keeps its own order). */
function orderedByCall(proxies: readonly RecordingProxy[]): Exchange[] {
  return proxies.flatMap((proxy) => proxy.exchanges()).sort((a, b) => a.sequence - b.sequence);
}
