/**
 * The conformance run's settings, from its command line and environment
 * (docs/conformance.md). Without TrueLayer credentials it runs against the
 * simulator; `--truelayer sandbox` needs them and says which are missing.
 */
import { parseArgs } from 'node:util';

export interface ConformanceSettings {
  truelayer: 'sandbox' | 'simulator';
  /** Set when `--truelayer sandbox` was asked for without its settings, so the simulator stands in. */
  fallback?: string;
  /** Sandbox only: the integrator's client, its secret and a loopback redirect URI registered in Console. */
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
  username: string;
  password: string;
  /** The `providers` of the auth link; the sandbox's Mock bank by default. */
  providers: string;
  /** Sent as X-PSU-IP on the Signup+ calls and Tl-User-IP on Data v3 (a documentation address). */
  endUserIp: string;
  pkce: boolean;
  dataV3: boolean;
  manual: boolean;
  /** Unset: found at launch (scripts/lib/chromium.ts). */
  chromiumPath: string | undefined;
  outDir: string;
  /** Simulator only: its switches, as TRUELAYER_SIM_SWITCHES writes them. */
  switches?: string;
}

export class ConformanceUsageError extends Error {
  override name = 'ConformanceUsageError';
}

export const USAGE = `Usage: npm run conformance -- [--truelayer sandbox|simulator] [options]

Against TrueLayer's sandbox (--truelayer sandbox) it needs, in the environment:
  TRUELAYER_CLIENT_ID       your sandbox client id
  TRUELAYER_CLIENT_SECRET   its secret (never written anywhere)
  TRUELAYER_REDIRECT_URI    a loopback redirect URI registered in Console, e.g. http://localhost:3000/callback
Without any of them the same command runs against the project's simulator.

Options:
  --user <name>          Mock bank user (default john; jane on the simulator, whose accounts match the Mock bank's)
  --password <password>  its password (default doe)
  --providers <list>     providers of the auth link (default uk-cs-mock)
  --end-user-ip <ip>     sent as X-PSU-IP / Tl-User-IP (default 192.0.2.10, a documentation address)
  --no-pkce              leave code_challenge off the auth link and code_verifier off the exchange
  --no-data-v3           skip the Data API v3 part
  --manual               show the browser and let a person click through TrueLayer's pages
  --chromium <path>      the Chrome or Chromium to drive (default CHROMIUM_PATH, else the usual places)
  --out <dir>            where the redacted fixtures go (default test/fixtures/truelayer-conformance/<mode>)
  --switches <list>      simulator only: its switches, e.g. multiple_accounts_status=409,gzip=true`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function parseConformanceArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ConformanceSettings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        truelayer: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        providers: { type: 'string' },
        'end-user-ip': { type: 'string' },
        'no-pkce': { type: 'boolean' },
        'no-data-v3': { type: 'boolean' },
        manual: { type: 'boolean' },
        chromium: { type: 'string' },
        out: { type: 'string' },
        switches: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConformanceUsageError(error instanceof Error ? error.message : String(error));
  }
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const credentials = {
    clientId: env.TRUELAYER_CLIENT_ID?.trim() || undefined,
    clientSecret: env.TRUELAYER_CLIENT_SECRET?.trim() || undefined,
    redirectUri: env.TRUELAYER_REDIRECT_URI?.trim() || undefined,
  };
  const asked = text('truelayer');
  if (asked !== undefined && asked !== 'sandbox' && asked !== 'simulator') {
    throw new ConformanceUsageError(`--truelayer must be sandbox or simulator, not ${asked}`);
  }
  const missing = [
    credentials.clientId ? undefined : 'TRUELAYER_CLIENT_ID',
    credentials.clientSecret ? undefined : 'TRUELAYER_CLIENT_SECRET',
    credentials.redirectUri ? undefined : 'TRUELAYER_REDIRECT_URI',
  ].filter((name) => name !== undefined);
  // `--truelayer sandbox` without any of the settings is the same run against the simulator (as CI runs it);
  // with only some of them it is a mistake, and says which are missing.
  if (asked === 'sandbox' && missing.length > 0 && missing.length < 3) {
    throw new ConformanceUsageError(`--truelayer sandbox needs ${missing.join(', ')} in the environment`);
  }
  const truelayer = asked === 'sandbox' && missing.length === 0 ? 'sandbox' : 'simulator';
  if (truelayer === 'sandbox') {
    const redirect = URL.parse(credentials.redirectUri ?? '');
    if (redirect === null || redirect.protocol !== 'http:' || !LOOPBACK.has(redirect.hostname)) {
      throw new ConformanceUsageError(
        'TRUELAYER_REDIRECT_URI must be a loopback http URI registered in Console, e.g. http://localhost:3000/callback',
      );
    }
    if (text('switches') !== undefined)
      throw new ConformanceUsageError('--switches is for the simulator only');
  }
  const switches = text('switches');
  return {
    truelayer,
    ...(asked === 'sandbox' && truelayer === 'simulator'
      ? {
          fallback: `${missing.join(', ')} not set: running against the simulator instead of TrueLayer's sandbox`,
        }
      : {}),
    ...(truelayer === 'sandbox'
      ? { clientId: credentials.clientId, clientSecret: credentials.clientSecret }
      : {}),
    redirectUri:
      truelayer === 'sandbox'
        ? (credentials.redirectUri ?? '')
        : 'http://localhost:3999/conformance/callback',
    username: text('user') ?? (truelayer === 'sandbox' ? 'john' : 'jane'),
    password: text('password') ?? 'doe',
    providers: text('providers') ?? 'uk-cs-mock',
    endUserIp: text('end-user-ip') ?? '192.0.2.10',
    pkce: values['no-pkce'] !== true,
    dataV3: values['no-data-v3'] !== true,
    manual: values.manual === true,
    chromiumPath: text('chromium') ?? (env.CHROMIUM_PATH || undefined),
    outDir: text('out') ?? `test/fixtures/truelayer-conformance/${truelayer}`,
    ...(switches === undefined ? {} : { switches }),
  };
}
