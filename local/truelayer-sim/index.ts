import { z } from 'zod';
import { accountsRoute } from './accounts-route.ts';
import { type AuthLinkDecider, authorizeRoute } from './authorize-route.ts';
import { ClientRegistry, type SandboxClient, SandboxClientsSchema } from './clients.ts';
import type { SignupPlusRequest, SimulatorState } from './context.ts';
import { dialogRoutes } from './dialog-routes.ts';
import { DialogStore } from './dialog-store.ts';
import { type FaultController, FaultEngine } from './faults.ts';
import { faultRoutes } from './faults-routes.ts';
import { IdentificationStore, identificationApiRoutes, identificationAuthRoutes } from './finland/index.ts';
import { GrantStore } from './grants.ts';
import { IdempotencyStore } from './idempotency.ts';
import { MandateStore, mandateApiRoutes } from './mandates/index.ts';
import { HPP_PATH, PaymentStore, paymentApiRoutes, paymentAuthRoutes } from './payments/index.ts';
import { randomSeed, seededRandom } from './rng.ts';
import { type RouteDefinition, Router } from './router.ts';
import { type HostServer, startHostServer } from './server.ts';
import { parseSwitches, SWITCHES_ENV, SwitchBoard, type SwitchesInput } from './switches.ts';
import { switchRoutes } from './switches-routes.ts';
import { tokenRoute } from './token-route.ts';
import { builtInUsers, parseSandboxUsers, type SandboxUser } from './users.ts';
import {
  JWKS_PATH,
  jwksRoute,
  type WebhookController,
  WebhookDispatcher,
  WebhookSigner,
  webhookSandboxRoutes,
} from './webhooks/index.ts';

export type { AuthLinkDecider, AuthLinkRequest } from './authorize-route.ts';
export { authenticateBearer, type BearerCheck, type BearerRequirement } from './bearer.ts';
export type { SandboxClient, SigningKey } from './clients.ts';
export type { RequestContext, SignupPlusRequest, SimulatorState } from './context.ts';
export type { Fault, FaultController, FaultRule } from './faults.ts';
export type { AccessTokenRecord } from './grants.ts';
export {
  htmlResponse,
  jsonResponse,
  readFormBody,
  readJsonBody,
  redirectResponse,
  type SimResponse,
} from './http-io.ts';
export { type ProblemInit, problemResponse } from './problems.ts';
export type { HttpMethod, RouteDefinition } from './router.ts';
export {
  parseSwitches,
  SWITCHES_ENV,
  type SwitchBoard,
  type Switches,
  SwitchesError,
  type SwitchesInput,
  SwitchesSchema,
} from './switches.ts';
export {
  BUILT_IN_USERS_PATH,
  loadSandboxUsers,
  type SandboxAccount,
  type SandboxIdentity,
  type SandboxUser,
  SandboxUsersFileError,
} from './users.ts';
export type {
  WebhookController,
  WebhookDelivery,
  WebhookFaults,
  WebhookJwk,
  WebhookType,
} from './webhooks/index.ts';
export { WebhookFaultsSchema } from './webhooks/index.ts';

/** Options of {@link startTrueLayerSimulator}. */
export interface SimulatorOptions {
  /** Interface both hosts bind to; default `127.0.0.1`. */
  host?: string;
  /** Port of the auth host (dialog, token endpoint); default 0 = ephemeral. */
  authPort?: number;
  /** Port of the API host (Signup+); default 0 = ephemeral. */
  apiPort?: number;
  /** Port of the webhooks host (the webhook JWKS); default 0 = ephemeral. */
  webhooksPort?: number;
  /** Registered applications. */
  clients: SandboxClient[];
  /** Sandbox users; default: the built-in users from `users.json`. */
  users?: SandboxUser[];
  /** Authorization code lifetime; default 300. */
  codeTtlSeconds?: number;
  /** Access token lifetime (`expires_in`); default 3600. */
  accessTokenTtlSeconds?: number;
  /**
   * How long each step of an approved payment takes on the simulator's clock (authorized →
   * executed → settled, or authorized → failed when the bank rejects it); default 0: settled as
   * soon as the user approves.
   */
  paymentStepMs?: number;
  /**
   * Signup+ in Finland: how long an identification link (`auth_uri`) lives unused, on the
   * simulator's clock; default 600 (TrueLayer does not say).
   */
  identificationTtlSeconds?: number;
  /** Fixed latency added to every faultable call (token, accounts, extra routes); default 0. */
  latencyMs?: number;
  /** Seed for rate-based faults; random when absent. */
  seed?: number;
  /** When true nothing is logged; otherwise a start line and one line per request go to the console. */
  quiet?: boolean;
  /** Clock in epoch milliseconds, for tests of expiry; default `Date.now`. */
  now?: () => number;
  /** More routes for the auth host (e.g. a hosted page). */
  extraAuthRoutes?: RouteDefinition[];
  /** More routes for the API host (e.g. `POST /v3/data-connections`). */
  extraApiRoutes?: RouteDefinition[];
  /**
   * Deciders for the links the extra routes hand out, so `POST /_sandbox/authorize` approves or
   * denies them too (e.g. the Data v3 connection links); asked in order after the built-in payment
   * and identification links, before a link is taken as a Signup+ auth link.
   */
  extraLinkDeciders?: AuthLinkDecider[];
  /**
   * How to answer where TrueLayer is undocumented (switches.ts). When absent,
   * read from the `TRUELAYER_SIM_SWITCHES` environment variable (JSON, or
   * `key=value,key=value`), else every switch at its default.
   */
  switches?: SwitchesInput;
}

/** A running simulator. */
export interface TrueLayerSimulator {
  /** Base URL of the auth host, e.g. `http://127.0.0.1:PORT` (no trailing slash). */
  authUrl: string;
  /** Base URL of the API host (no trailing slash). */
  apiUrl: string;
  /**
   * Base of the hosted payment page (it stands in for `checkout.truelayer-sandbox.com/`): a link is
   * `${hppUrl}?payment_id=…&resource_token=…&return_uri=…`, or `mandate_id=…` for a mandate.
   */
  hppUrl: string;
  /**
   * Base URL standing in for `https://webhooks.truelayer-sandbox.com` (no trailing slash):
   * `${webhooksUrl}/.well-known/jwks` is the key set every webhook's `jku` names.
   */
  webhooksUrl: string;
  users: readonly SandboxUser[];
  /**
   * Payments v3 webhooks (payments and mandates), POSTed to each client's `webhook_uri`: faults,
   * delivery attempts, drain (webhooks/).
   */
  webhooks: WebhookController;
  /** Fault rules, shared by both hosts and by `/_sandbox/faults`. */
  faults: FaultController;
  /** Switches for TrueLayer's undocumented points, shared by both hosts and by `/_sandbox/switches`. */
  switches: SwitchBoard;
  /** Changes the fixed latency added to faultable calls. */
  setLatency(ms: number): void;
  /** Calls so far per endpoint name (`token`, `accounts`, `dialog`, ...). */
  calls(): Record<string, number>;
  /** Every `GET /signup-plus/accounts` so far: user, account_id and X-PSU-IP (for tests). */
  signupPlusRequests(): readonly SignupPlusRequest[];
  /** Every authorization code, access token and refresh token issued so far, for leak checks in tests. */
  issuedSecrets(): readonly string[];
  /** Stops the webhooks and all hosts, and ends every open connection, held ones included. Safe to call twice. */
  close(): Promise<void>;
}

const ScalarOptionsSchema = z.object({
  host: z.string().min(1).optional(),
  authPort: z.int().min(0).max(65_535).optional(),
  apiPort: z.int().min(0).max(65_535).optional(),
  webhooksPort: z.int().min(0).max(65_535).optional(),
  codeTtlSeconds: z.number().positive().optional(),
  accessTokenTtlSeconds: z.number().positive().optional(),
  paymentStepMs: z.number().min(0).optional(),
  identificationTtlSeconds: z.number().positive().optional(),
  latencyMs: z.number().min(0).optional(),
  seed: z.int().optional(),
});

const LatencySchema = z.number().min(0);

/**
 * Starts the auth host and the API host.
 * @throws when the options are invalid or a port cannot be bound.
 */
export async function startTrueLayerSimulator(options: SimulatorOptions): Promise<TrueLayerSimulator> {
  const scalars = ScalarOptionsSchema.parse(options);
  const clients = new ClientRegistry(SandboxClientsSchema.parse(options.clients));
  const users =
    options.users === undefined
      ? builtInUsers()
      : parseSandboxUsers({ users: options.users }, 'options.users');
  const usersByName = new Map(users.map((user) => [user.username, user]));
  const now = options.now ?? Date.now;
  const faults = new FaultEngine(scalars.seed);
  const fromEnv = process.env[SWITCHES_ENV];
  const switches = new SwitchBoard(
    options.switches ??
      (fromEnv === undefined || fromEnv.trim() === '' ? {} : parseSwitches(fromEnv, SWITCHES_ENV)),
  );
  const urls = { auth: '', api: '', webhooks: '' };
  const payments = new PaymentStore(now, { stepMs: scalars.paymentStepMs ?? 0 });
  const mandates = new MandateStore(now);
  const identifications = new IdentificationStore(now, {
    ttlSeconds: scalars.identificationTtlSeconds ?? 600,
  });
  const signer = new WebhookSigner();
  const log = options.quiet === true ? undefined : (line: string) => console.log(line);
  const webhooks = new WebhookDispatcher({
    payments,
    mandates,
    identifications,
    identificationExpiredType: () => switches.current.identification_expired_type,
    clients,
    signer,
    now,
    random: seededRandom(scalars.seed ?? randomSeed()),
    ...(log === undefined ? {} : { log }),
  });
  const state: SimulatorState = {
    clients,
    users,
    findUser: (username) => usersByName.get(username),
    now,
    grants: new GrantStore(now, {
      codeTtlSeconds: scalars.codeTtlSeconds ?? 300,
      accessTokenTtlSeconds: scalars.accessTokenTtlSeconds ?? 3600,
    }),
    dialogs: new DialogStore(now),
    payments,
    mandates,
    identifications,
    idempotency: new IdempotencyStore(),
    faults,
    webhooks,
    switches,
    signupPlusRequests: [],
    urls,
  };

  let latency = scalars.latencyMs ?? 0;
  const counts = new Map<string, number>();
  const host = scalars.host ?? '127.0.0.1';
  const common = {
    host,
    state,
    faults,
    latencyMs: () => latency,
    countCall: (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1),
    ...(log === undefined ? {} : { log }),
  };

  const authRouter = new Router([
    ...dialogRoutes,
    ...paymentAuthRoutes,
    ...identificationAuthRoutes,
    authorizeRoute(options.extraLinkDeciders ?? []),
    tokenRoute,
    ...faultRoutes,
    ...switchRoutes,
    ...webhookSandboxRoutes,
  ]);
  for (const route of options.extraAuthRoutes ?? []) authRouter.add(route);
  const apiRouter = new Router([
    accountsRoute,
    ...paymentApiRoutes,
    ...mandateApiRoutes,
    ...identificationApiRoutes,
    ...faultRoutes,
    ...switchRoutes,
    ...webhookSandboxRoutes,
  ]);
  for (const route of options.extraApiRoutes ?? []) apiRouter.add(route);

  const started: HostServer[] = [];
  const startHost = async (label: string, port: number, router: Router) => {
    const server = await startHostServer({ ...common, label, port, router });
    started.push(server);
    return server;
  };
  let auth: HostServer;
  let api: HostServer;
  let webhooksHost: HostServer;
  try {
    auth = await startHost('auth', scalars.authPort ?? 0, authRouter);
    api = await startHost('api', scalars.apiPort ?? 0, apiRouter);
    webhooksHost = await startHost('webhooks', scalars.webhooksPort ?? 0, new Router([jwksRoute(signer)]));
  } catch (error) {
    await Promise.all(started.map((server) => server.close()));
    throw error;
  }
  urls.auth = auth.url;
  urls.api = api.url;
  urls.webhooks = webhooksHost.url;
  signer.setJku(`${webhooksHost.url}${JWKS_PATH}`);
  webhooks.start();
  log?.(
    `[truelayer-sim] auth ${auth.url}  api ${api.url}  webhooks ${webhooksHost.url}  (${users.length} sandbox users)`,
  );
  log?.(`[truelayer-sim] switches ${JSON.stringify(switches.current)}`);

  let closed: Promise<void> | undefined;
  return {
    authUrl: auth.url,
    apiUrl: api.url,
    hppUrl: `${auth.url}${HPP_PATH}`,
    webhooksUrl: webhooksHost.url,
    users,
    webhooks,
    faults,
    switches,
    setLatency(ms) {
      latency = LatencySchema.parse(ms);
    },
    calls: () => Object.fromEntries(counts),
    issuedSecrets: () => state.grants.mintedSecrets(),
    signupPlusRequests: () => [...state.signupPlusRequests],
    close() {
      webhooks.close();
      closed ??= Promise.all([auth.close(), api.close(), webhooksHost.close()]).then(() => undefined);
      return closed;
    },
  };
}
