import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { AuthLinkDecider, AuthLinkRequest } from '../authorize-route.ts';
import { authenticateBearer } from '../bearer.ts';
import type { RequestContext } from '../context.ts';
import { loggedInUser } from '../dialog-pages.ts';
import {
  htmlResponse,
  jsonResponse,
  mediaType,
  readFormBody,
  readJsonBody,
  redirectResponse,
  type SimResponse,
} from '../http-io.ts';
import { problemResponse } from '../problems.ts';
import type { RouteDefinition } from '../router.ts';
import { invalidParameters, readSandboxBody } from '../sandbox-request.ts';
import type { Switches } from '../switches.ts';
import type { SandboxAccount, SandboxUser } from '../users.ts';
import {
  accountType,
  authorisedConnection,
  idempotentReplay,
  isConnection,
  listedAccounts,
} from './access.ts';
import {
  bankLogin,
  consentStep,
  dataPaths,
  donePage,
  errorPage,
  FORM,
  providerStep,
  resultPage,
} from './pages.ts';
import { inspectedSignupPlusRequests, signupPlusRequestRoutes } from './signup-plus-requests.ts';
import {
  DataConnectionStore,
  fingerprint,
  type JourneyStep,
  offeredProviders,
  providerFor,
  type SimConnection,
} from './store.ts';
import { type AcceptedRequest, validateDataConnectionRequest } from './validate.ts';

/** How long after the user authenticates user info can be read (D:get-user-info). */
const SCA_WINDOW_MS = 5 * 60 * 1000;

/**
 * One item of `GET /v3/connected-accounts` as D:get-all-user-accounts lists its fields: lower-case
 * `current`/`savings`, a customer segment, and the account's identifiers as typed sets (sort code
 * and account number, IBAN), with the holders' names.
 */
function connectedAccount(account: SandboxAccount, holder: string | undefined) {
  const identifiers = [
    ...(account.sort_code && account.account_number
      ? [
          {
            type: 'sort_code_account_number',
            sort_code: account.sort_code,
            account_number: account.account_number,
          },
        ]
      : []),
    ...(account.iban ? [{ type: 'iban', iban: account.iban }] : []),
  ];
  return {
    id: account.account_id,
    account_type: accountType(account),
    customer_segment: 'retail',
    currency: account.currency,
    account_identifiers: identifiers,
    account_holder_names: holder === undefined ? [] : [holder],
  };
}

export interface DataV3Options {
  /** Client ids that hold an AISP licence: their requests may leave out the user's name, email and phone. */
  aispLicensedClients?: readonly string[];
}

export interface DataV3Simulator {
  /**
   * `POST /v3/data-connections`, `GET /v3/data-connections/:id`, the documented data endpoints,
   * Signup+ requests (`POST`/`GET /v3/connections/:connection_id/accounts/:account_id/signup-plus/requests[/:request_id]`)
   * and `GET /_sandbox/data-connections/:id`.
   */
  apiRoutes: RouteDefinition[];
  /** The hosted page, the simulated bank and `POST /_sandbox/connections/authorize`. */
  authRoutes: RouteDefinition[];
  /**
   * For the simulator's `extraLinkDeciders`: lets `POST /_sandbox/authorize` decide a hosted page
   * or bank link (any `/data/…` path) exactly as `POST /_sandbox/connections/authorize` does.
   */
  linkDeciders: AuthLinkDecider[];
  store: DataConnectionStore;
}

const HOSTED = new Set(['hosted_flow', 'own_provider_selection', 'own_provider_selection_and_consent']);
const isHosted = (request: AcceptedRequest) => HOSTED.has(request.configuration);

function headerOf(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function firstStep(request: AcceptedRequest): JourneyStep {
  if (!isHosted(request)) return 'login';
  if (request.selection.type === 'user_selected') return 'provider';
  return request.consent === 'authorization_flow_captured' ? 'consent' : 'login';
}

/** TrueLayer's 201 body for each configuration (seed 003). */
function createdBody(connection: SimConnection, authUrl: string) {
  const base = { id: connection.id, user: { id: connection.userId }, status: connection.status };
  if (isHosted(connection.request)) {
    return { ...base, hosted_page: { uri: `${authUrl}${dataPaths.hostedPage(connection.id)}` } };
  }
  return {
    ...base,
    authorization_flow: {
      actions: { next: { type: 'redirect', uri: `${authUrl}${dataPaths.bank(connection.id)}` } },
    },
  };
}

/**
 * Where the user lands at the end. The parameters appended here (`connection_id`,
 * `status`, and `error` on failure) are the simulator's choice: TrueLayer's are unconfirmed,
 * so `connection_id` is appended or not as the `return_connection_id` switch says.
 */
function finalDestination(connection: SimConnection, authUrl: string, switches: Switches): string {
  const { returnUri } = connection.request;
  if (returnUri === undefined) return `${authUrl}${dataPaths.done(connection.id)}`;
  const url = new URL(returnUri);
  if (switches.return_connection_id) url.searchParams.append('connection_id', connection.id);
  url.searchParams.append('status', connection.status);
  if (connection.failureReason !== undefined) url.searchParams.append('error', connection.failureReason);
  return url.toString();
}

type Outcome = { kind: 'approve'; user: SandboxUser; providerId: string } | { kind: 'deny' };

/** Ends the journey; answers where the browser goes next (the result page, when TrueLayer shows one). */
function finish(
  connection: SimConnection,
  outcome: Outcome,
  authUrl: string,
  switches: Switches,
  at: number,
): string {
  if (outcome.kind === 'deny' || outcome.user.login_fails === true) {
    connection.status = 'failed';
    connection.failureReason = 'access_denied';
  } else {
    connection.status = 'authorized';
    connection.username = outcome.user.username;
    connection.authorizedAt = at;
  }
  if (outcome.kind === 'approve') connection.providerId = outcome.providerId;
  if (connection.request.configuration === 'own_flow_with_result_page') {
    connection.step = 'result';
    return `${authUrl}${dataPaths.result(connection.id)}`;
  }
  connection.step = 'done';
  return finalDestination(connection, authUrl, switches);
}

const pending = (connection: SimConnection) =>
  connection.status === 'authorization_required' || connection.status === 'authorizing';

const AuthorizeBodySchema = z.strictObject({
  /** The hosted page URI or `authorization_flow.actions.next.uri` from the create answer. */
  uri: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
  user: z.string().min(1).optional(),
  provider_id: z.string().min(1).optional(),
});

/**
 * Data API v3 connections for the simulator: create (with the seed's rules,
 * bearer scope `data`, Idempotency-Key and Tl-User-IP), read, the hosted page
 * and simulated bank that finish a connection, and a non-interactive hook.
 */
export function dataConnectionRoutes(options: DataV3Options = {}): DataV3Simulator {
  const store = new DataConnectionStore();
  const licensed = new Set(options.aispLicensedClients ?? []);

  const createConnection: RouteDefinition = {
    method: 'POST',
    path: '/v3/data-connections',
    name: 'data_connections',
    schemaViolation: { id: 42, status: 'authorization_required' },
    async handle(ctx) {
      const auth = authenticateBearer(ctx, { scope: 'data', user: false });
      if (!auth.ok) return auth.response;
      const clientId = auth.token.clientId;
      const invalid = (detail: string, errors: Record<string, string[]>) =>
        problemResponse(ctx.traceId, { status: 400, title: 'Invalid Parameters', detail, errors });
      if (mediaType(ctx.req) !== 'application/json') {
        return invalid('Send a JSON body.', { '(body)': ['Content-Type must be application/json'] });
      }
      const body = await readJsonBody(ctx.req);
      const key = headerOf(ctx, 'idempotency-key');
      const bodyFingerprint = fingerprint(body);
      const replayed = idempotentReplay(ctx, store, { clientId, key, fingerprint: bodyFingerprint });
      if (replayed) return replayed;
      const userIp = headerOf(ctx, 'tl-user-ip');
      const verdict = validateDataConnectionRequest(body, { aispLicensed: licensed.has(clientId) });
      const errors: Record<string, string[]> = verdict.ok ? {} : { ...verdict.errors };
      if (userIp !== undefined && isIP(userIp) === 0)
        errors['Tl-User-IP'] = ['Must be an IPv4 or IPv6 address'];
      if (!verdict.ok || Object.keys(errors).length > 0) {
        return invalid('The request has invalid parameters; see errors.', errors);
      }
      const { request } = verdict;
      if (request.returnUri !== undefined) {
        const client = ctx.sim.clients.get(clientId);
        if (client === undefined || !ctx.sim.clients.allowsReturnUri(client, request.returnUri)) {
          return invalid('The return URI is not registered for this client.', {
            [request.returnUriField ?? 'return_uri']: ['Register the return URI in Console first'],
          });
        }
      }
      const providers =
        request.selection.type === 'preselected'
          ? [providerFor(request.selection.providerId)]
          : offeredProviders(request.selection.filter);
      const connection: SimConnection = {
        id: randomUUID(),
        clientId,
        clientName: ctx.sim.clients.get(clientId)?.name ?? clientId,
        userId: request.userId ?? randomUUID(),
        status: isHosted(request) ? 'authorization_required' : 'authorizing',
        request,
        providers,
        ...(request.selection.type === 'preselected' ? { providerId: request.selection.providerId } : {}),
        step: firstStep(request),
        ...(userIp === undefined ? {} : { userIp }),
        ...(key === undefined ? {} : { idempotencyKey: key }),
        body,
        createdAt: ctx.sim.now(),
      };
      store.add(connection);
      const answer = createdBody(connection, ctx.sim.urls.auth);
      if (key !== undefined)
        store.remember(clientId, key, { fingerprint: bodyFingerprint, status: 201, body: answer });
      return jsonResponse(201, answer);
    },
  };

  const readConnection: RouteDefinition = {
    method: 'GET',
    path: '/v3/data-connections/:id',
    name: 'data_connection',
    schemaViolation: { id: null },
    handle(ctx) {
      if (ctx.sim.switches.current.data_connection_endpoint === 'absent') {
        // No published page lists this endpoint: played as TrueLayer not having it.
        return problemResponse(ctx.traceId, {
          status: 404,
          title: 'Not Found',
          detail: `No endpoint GET ${ctx.url.pathname}`,
        });
      }
      const auth = authenticateBearer(ctx, { scope: 'data', user: false });
      if (!auth.ok) return auth.response;
      const connection = store.get(ctx.params.id ?? '');
      // Another client's connection is answered exactly like an unknown one.
      if (connection === undefined || connection.clientId !== auth.token.clientId) {
        return problemResponse(ctx.traceId, {
          status: 404,
          title: 'Not Found',
          detail: 'No connection with this id.',
        });
      }
      return jsonResponse(200, {
        id: connection.id,
        status: connection.status,
        user: { id: connection.userId },
        scopes: connection.request.scopes,
        data_access_type: connection.request.dataAccessType,
        ...(connection.providerId === undefined ? {} : { provider_id: connection.providerId }),
        ...(connection.failureReason === undefined ? {} : { failure_reason: connection.failureReason }),
      });
    },
  };

  const authorised = (ctx: RequestContext, connectionId: string) =>
    authorisedConnection(ctx, store, connectionId);

  /** `GET /v3/connected-accounts` with `Connection-Id` (documented): the accounts of an authorised connection. */
  const connectedAccounts: RouteDefinition = {
    method: 'GET',
    path: '/v3/connected-accounts',
    name: 'connected_accounts',
    schemaViolation: { items: 'none' },
    handle(ctx) {
      const found = authorised(ctx, headerOf(ctx, 'connection-id') ?? '');
      if (!isConnection(found)) return found;
      const user = ctx.sim.findUser(found.username ?? '');
      const holder = user?.identity ? `${user.identity.first_name} ${user.identity.last_name}` : undefined;
      return jsonResponse(200, {
        // D:get-all-user-accounts: at most 50 items, ordered by type then id; pagination announced for later.
        items: listedAccounts(user).map((account) => connectedAccount(account, holder)),
        pagination: { next_cursor: null },
      });
    },
  };

  /** `GET /v3/data-connections/{id}/user-info` (documented): answered for an authorised connection. */
  const userInfo: RouteDefinition = {
    method: 'GET',
    path: '/v3/data-connections/:id/user-info',
    name: 'user_info',
    handle(ctx) {
      const found = authorised(ctx, ctx.params.id ?? '');
      if (!isConnection(found)) return found;
      // D:get-user-info: only within the 5-minute SCA window after the user authenticated, else 403.
      if (ctx.sim.now() - (found.authorizedAt ?? 0) > SCA_WINDOW_MS) {
        return problemResponse(ctx.traceId, {
          status: 403,
          title: 'Forbidden',
          detail: 'User info is available for 5 minutes after the user authenticates.',
        });
      }
      const identity = ctx.sim.findUser(found.username ?? '')?.identity;
      // `name` is optional: left out when the bank does not supply it.
      return jsonResponse(
        200,
        identity === undefined ? {} : { name: `${identity.first_name} ${identity.last_name}` },
      );
    },
  };

  /** For tests and debugging: everything the simulator holds about a connection. */
  const inspectConnection: RouteDefinition = {
    method: 'GET',
    path: '/_sandbox/data-connections/:id',
    name: 'data_connection_inspect',
    faultable: false,
    handle(ctx) {
      const connection = store.get(ctx.params.id ?? '');
      if (connection === undefined) {
        return problemResponse(ctx.traceId, {
          status: 404,
          title: 'Not Found',
          detail: 'No such connection.',
        });
      }
      return jsonResponse(200, {
        id: connection.id,
        client_id: connection.clientId,
        status: connection.status,
        configuration: connection.request.configuration,
        step: connection.step,
        provider_id: connection.providerId ?? null,
        username: connection.username ?? null,
        failure_reason: connection.failureReason ?? null,
        tl_user_ip: connection.userIp ?? null,
        idempotency_key: connection.idempotencyKey ?? null,
        body: connection.body,
        signup_plus_requests: inspectedSignupPlusRequests(store, connection.id),
      });
    },
  };

  // --- The browser side, on the auth host ---

  const page = (status: number, title: string, message: string) =>
    htmlResponse(status, errorPage(title, message));

  /** The connection a page is for, or the page explaining why there is none to continue. */
  function journeyFor(
    ctx: RequestContext,
    kind: 'hosted' | 'bank',
  ): { connection: SimConnection } | { response: SimResponse } {
    const connection = store.get(ctx.params.id ?? '');
    if (connection === undefined || isHosted(connection.request) !== (kind === 'hosted')) {
      return { response: page(404, 'Link not found', 'This connection link is not known.') };
    }
    if (!pending(connection)) {
      return {
        response: page(400, 'Link already used', 'This connection has already been completed.'),
      };
    }
    return { connection };
  }

  const bankName = (connection: SimConnection) =>
    providerFor(connection.providerId ?? connection.providers[0]?.id ?? 'mock').name;

  function currentStep(ctx: RequestContext, connection: SimConnection): SimResponse {
    switch (connection.step) {
      case 'provider':
        return connection.providers.length === 0
          ? page(400, 'No banks', 'No bank matches this connection’s filter.')
          : htmlResponse(200, providerStep(connection));
      case 'consent':
        return htmlResponse(200, consentStep(connection, bankName(connection)));
      default: {
        const action = isHosted(connection.request)
          ? dataPaths.login(connection.id)
          : dataPaths.bank(connection.id);
        return htmlResponse(200, bankLogin(action, bankName(connection), ctx.sim.users));
      }
    }
  }

  /** A form post for `step`; only the step the journey is at may be answered. */
  async function formFor(ctx: RequestContext, kind: 'hosted' | 'bank', step: JourneyStep) {
    const journey = journeyFor(ctx, kind);
    if ('response' in journey) return journey;
    const form = await readFormBody(ctx.req);
    if (journey.connection.step !== step) {
      return { response: page(400, 'Step out of order', 'Please use the page you were shown.') };
    }
    return { connection: journey.connection, form };
  }

  const hostedPage: RouteDefinition = {
    method: 'GET',
    path: '/data/:id',
    name: 'data_hosted_page',
    faultable: false,
    handle(ctx) {
      const journey = journeyFor(ctx, 'hosted');
      return 'response' in journey ? journey.response : currentStep(ctx, journey.connection);
    },
  };

  const chooseProvider: RouteDefinition = {
    method: 'POST',
    path: '/data/:id/provider',
    name: 'data_hosted_provider',
    faultable: false,
    async handle(ctx) {
      const loaded = await formFor(ctx, 'hosted', 'provider');
      if ('response' in loaded) return loaded.response;
      const { connection, form } = loaded;
      const chosen = form.get(FORM.provider) ?? '';
      if (!connection.providers.some((provider) => provider.id === chosen)) {
        return htmlResponse(400, providerStep(connection, 'Please choose one of the banks listed.'));
      }
      connection.providerId = chosen;
      connection.step = connection.request.consent === 'authorization_flow_captured' ? 'consent' : 'login';
      return currentStep(ctx, connection);
    },
  };

  const giveConsent: RouteDefinition = {
    method: 'POST',
    path: '/data/:id/consent',
    name: 'data_hosted_consent',
    faultable: false,
    async handle(ctx) {
      const loaded = await formFor(ctx, 'hosted', 'consent');
      if ('response' in loaded) return loaded.response;
      const { connection, form } = loaded;
      const decision = form.get(FORM.decision);
      if (decision === 'deny')
        return redirectResponse(
          finish(connection, { kind: 'deny' }, ctx.sim.urls.auth, ctx.sim.switches.current, ctx.sim.now()),
        );
      if (decision !== 'allow') return page(400, 'Unknown choice', 'Please press Allow or Deny.');
      connection.step = 'login';
      return currentStep(ctx, connection);
    },
  };

  const logIn = (kind: 'hosted' | 'bank'): RouteDefinition['handle'] =>
    async function handle(ctx) {
      const loaded = await formFor(ctx, kind, 'login');
      if ('response' in loaded) return loaded.response;
      const { connection, form } = loaded;
      if (form.get(FORM.decision) === 'deny') {
        return redirectResponse(
          finish(connection, { kind: 'deny' }, ctx.sim.urls.auth, ctx.sim.switches.current, ctx.sim.now()),
        );
      }
      const user = loggedInUser(ctx.sim.users, form);
      if (user === undefined) {
        const action = kind === 'hosted' ? dataPaths.login(connection.id) : dataPaths.bank(connection.id);
        return htmlResponse(
          400,
          bankLogin(
            action,
            bankName(connection),
            ctx.sim.users,
            'Unknown username or wrong password. Try a sandbox user.',
          ),
        );
      }
      const providerId = connection.providerId ?? connection.providers[0]?.id ?? 'mock';
      return redirectResponse(
        finish(
          connection,
          { kind: 'approve', user, providerId },
          ctx.sim.urls.auth,
          ctx.sim.switches.current,
          ctx.sim.now(),
        ),
      );
    };

  const bankPage: RouteDefinition = {
    method: 'GET',
    path: '/data/:id/bank',
    name: 'data_bank',
    faultable: false,
    handle(ctx) {
      const journey = journeyFor(ctx, 'bank');
      return 'response' in journey ? journey.response : currentStep(ctx, journey.connection);
    },
  };

  const result: RouteDefinition = {
    method: 'GET',
    path: '/data/:id/result',
    name: 'data_result',
    faultable: false,
    handle(ctx) {
      const connection = store.get(ctx.params.id ?? '');
      if (connection === undefined || connection.step !== 'result') {
        return page(404, 'Nothing to show', 'There is no result to show for this link.');
      }
      connection.step = 'done';
      return htmlResponse(
        200,
        resultPage(connection, finalDestination(connection, ctx.sim.urls.auth, ctx.sim.switches.current)),
      );
    },
  };

  const done: RouteDefinition = {
    method: 'GET',
    path: '/data/:id/done',
    name: 'data_done',
    faultable: false,
    handle(ctx) {
      const connection = store.get(ctx.params.id ?? '');
      if (connection === undefined) return page(404, 'Link not found', 'This connection link is not known.');
      return htmlResponse(200, donePage(connection));
    },
  };

  /**
   * The whole journey without a browser, for tests: the decision on a hosted page or bank link
   * (`uri`), answered as `200 { redirect_to }` or a 400 problem whose detail and `errors` name
   * `field`, the body field the link came in. Both approval hooks decide through this.
   */
  function decideConnectionLink(
    ctx: RequestContext,
    uri: string,
    request: AuthLinkRequest,
    field: 'uri' | 'auth_link',
  ): SimResponse {
    const invalid = (detail: string, errors?: Record<string, string[]>) =>
      invalidParameters(ctx, detail, errors);
    const path = URL.parse(uri)?.pathname ?? '';
    const match = /^\/data\/([^/]+)(\/bank)?$/.exec(path);
    const connection = match ? store.get(decodeURIComponent(match[1] ?? '')) : undefined;
    if (match === null || connection === undefined) {
      return invalid(`${field} is not a hosted page or bank link of a known connection.`, {
        [field]: ['Unknown'],
      });
    }
    const isBankLink = match[2] !== undefined;
    if (isBankLink === isHosted(connection.request)) {
      return invalid(`${field} is not the link this connection answered with.`, { [field]: ['Wrong link'] });
    }
    if (!pending(connection)) return invalid('This connection has already been completed.');
    const auth = ctx.sim.urls.auth;
    let outcome: Outcome = { kind: 'deny' };
    if (request.decision === 'approve') {
      if (request.user === undefined) return invalid('user is required to approve.', { user: ['Required'] });
      const user = ctx.sim.findUser(request.user);
      if (user === undefined)
        return invalid(`Unknown sandbox user "${request.user}".`, { user: ['Unknown user'] });
      const fixed = connection.request.selection.type === 'preselected' ? connection.providerId : undefined;
      const providerId = request.provider_id ?? fixed ?? connection.providers[0]?.id;
      if (
        providerId === undefined ||
        !connection.providers.some((provider) => provider.id === providerId) ||
        (fixed !== undefined && fixed !== providerId)
      ) {
        return invalid('provider_id is not offered for this connection.', { provider_id: ['Not offered'] });
      }
      outcome = { kind: 'approve', user, providerId };
    }
    const switches = ctx.sim.switches.current;
    finish(connection, outcome, auth, switches, ctx.sim.now());
    // Straight to the end: a test does not look at TrueLayer's result screen.
    connection.step = 'done';
    return jsonResponse(200, { redirect_to: finalDestination(connection, auth, switches) });
  }

  /** `POST /_sandbox/connections/authorize`: {@link decideConnectionLink} on the body's `uri`. */
  const authorize: RouteDefinition = {
    method: 'POST',
    path: '/_sandbox/connections/authorize',
    name: 'data_authorize',
    faultable: false,
    async handle(ctx) {
      const read = await readSandboxBody(ctx, AuthorizeBodySchema);
      if ('problem' in read) return read.problem;
      return decideConnectionLink(ctx, read.body.uri, read.body, 'uri');
    },
  };

  /**
   * `POST /_sandbox/authorize` on a link under `/data/` (where every page of a connection lives):
   * decided as the dedicated route decides it, an unknown or wrong one refused there too; any
   * other link is not a connection link.
   */
  const decideLink: AuthLinkDecider = (ctx, link, request) =>
    link.pathname.startsWith('/data/')
      ? decideConnectionLink(ctx, link.href, request, 'auth_link')
      : undefined;

  return {
    store,
    linkDeciders: [decideLink],
    apiRoutes: [
      createConnection,
      readConnection,
      connectedAccounts,
      userInfo,
      ...signupPlusRequestRoutes(store),
      inspectConnection,
    ],
    authRoutes: [
      hostedPage,
      chooseProvider,
      giveConsent,
      {
        method: 'POST',
        path: '/data/:id/login',
        name: 'data_hosted_login',
        faultable: false,
        handle: logIn('hosted'),
      },
      bankPage,
      {
        method: 'POST',
        path: '/data/:id/bank',
        name: 'data_bank_login',
        faultable: false,
        handle: logIn('bank'),
      },
      result,
      done,
      authorize,
    ],
  };
}
