/**
 * `npm run journey -- --user <name> [--choose <n>] [--deny] [--api <url>] [--standalone]`
 * `npm run journey -- --flow payment|mandate [--user test_executed] [--amount <minor>] [--currency EUR] [--deny] ...`
 * `npm run journey -- --flow connection --user <name> [--choose <n>] [--deny] ...`
 *
 * Drives one Signup+ journey against the local runtime, as an integrator's
 * backend and the user's browser would: POST /onboardings, the simulator's
 * non-interactive approval (or denial) as the sandbox user, the redirect to
 * /callback, and, when the user has several accounts, the account choice.
 * With `--flow payment` (or `mandate`): the payment (or the mandate) on the
 * simulated hosted page as one of the mock bank's payment users, and the
 * redirect to /payments/return; in euros (`--currency EUR`, Signup+ in Finland)
 * then the identification at the bank, approved through the same hook, and
 * the redirect to /identification/return.
 * Prints one line per step as it happens (from GET /_local/stream), then the
 * published event. Every API answer is parsed with the schemas of the
 * OpenAPI document, so a drift between them fails the journey.
 *
 * Exit codes: 0 completed; 1 the journey ended failed or expired (denied
 * included); 2 it could not be run (no stack, an API error); 3 it did not end
 * before --timeout; 64 bad arguments.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  accountChoiceAcceptedSchema,
  createdConnectionSchema,
  createdOnboardingSchema,
  onboardingViewSchema,
  problemSchema,
} from '../functions/contract/responses.ts';
import { formatStep, isMilestone, progressStepSchema } from '../local/progress.ts';
import type { LocalStack } from '../local/stack.ts';
import { readEventStream } from './lib/sse.ts';

const EXIT = { completed: 0, ended: 1, error: 2, timeout: 3, usage: 64 } as const;
const TERMINAL_STATUSES = ['completed', 'failed', 'expired'];
const TERMINAL_EVENTS = ['Onboarding Ready For Payment', 'Onboarding Failed', 'Onboarding Expired'];
/** The mock bank's payment users (TrueLayer's sandbox): paid, authorisation refused, execution rejected. */
const PAYMENT_USERS = ['test_executed', 'test_authorisation_failed', 'test_execution_rejected'];
const USAGE = `Usage: npm run journey -- --user <sandbox user> [options]
       npm run journey -- --flow payment|mandate [--user <payment user>] [--amount <minor units>] [options]
       npm run journey -- --flow connection --user <sandbox user> [options]

  --flow <flow>      data (the default: the user shares their bank data), payment (the user pays first)
                     or mandate (the user gives a sweeping VRP mandate)
  --user <name>      data flow: sandbox user who logs in at the bank (john, jane, ivy, pat,
                     error.user_data_not_found, ...); payment and mandate flows: ${PAYMENT_USERS.join(', ')}
                     (default test_executed)
  --currency <c>     payment flow: GBP (the default) or EUR, Signup+ in Finland: after paying, the user
                     identifies at their bank (approved like the payment)
  --amount <minor>   payment flow: the amount in pence (cents); mandate flow: the most one payment may take
                     (default 1500). The sandbox picks the payer by it: under 1800 Tommie Burke;
                     10000-24999 a joint account; 25000 and up no data (for a mandate, the simulator's guess)
  --choose <n>       which account to pick, 1-based, when the user has several (default 1)
  --deny             deny consent at the bank (or cancel on the payment page) instead of approving
  --reference <ref>  your reference for the onboarding
  --api <url>        the local runtime's API, as npm start prints it (default http://127.0.0.1:$PORT,
                     PORT defaulting to 3000 as for npm start)
  --standalone       start a local runtime in this process instead of using a running one
  --timeout <s>      give up after this many seconds (default 30)`;

class JourneyError extends Error {
  override readonly name = 'JourneyError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.error) {
    super(message);
    this.exitCode = exitCode;
  }
}

const FLOWS = ['data', 'payment', 'mandate', 'connection'] as const;

const OPTIONS = {
  flow: { type: 'string', default: 'data' },
  amount: { type: 'string', default: '1500' },
  currency: { type: 'string', default: 'GBP' },
  user: { type: 'string' },
  choose: { type: 'string' },
  deny: { type: 'boolean', default: false },
  reference: { type: 'string' },
  api: { type: 'string' },
  standalone: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '30' },
  help: { type: 'boolean', default: false },
} as const;

function parseOptions() {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ options: OPTIONS });
  } catch (error) {
    throw new JourneyError(
      `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
      EXIT.usage,
    );
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const flow = FLOWS.find((candidate) => candidate === values.flow);
  if (flow === undefined) {
    throw new JourneyError(`--flow takes data, payment, mandate or connection.\n\n${USAGE}`, EXIT.usage);
  }
  const user = values.user ?? (flow === 'data' || flow === 'connection' ? undefined : 'test_executed');
  if (!user) throw new JourneyError(`--user is required.\n\n${USAGE}`, EXIT.usage);
  const currency = values.currency;
  if (currency !== 'GBP' && currency !== 'EUR')
    throw new JourneyError(`--currency takes GBP or EUR.\n\n${USAGE}`, EXIT.usage);
  if (currency === 'EUR' && flow !== 'payment')
    throw new JourneyError('--currency EUR is for the payment flow (Signup+ in Finland).', EXIT.usage);
  const amountInMinor = Number(values.amount);
  if (!Number.isInteger(amountInMinor) || amountInMinor < 1)
    throw new JourneyError('--amount takes a whole number of pence from 1.', EXIT.usage);
  const choose = Number(values.choose ?? '1');
  if (!Number.isInteger(choose) || choose < 1)
    throw new JourneyError('--choose takes a number from 1.', EXIT.usage);
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new JourneyError('--timeout takes a number of seconds.', EXIT.usage);
  if (values.standalone && values.api)
    throw new JourneyError('Use --api or --standalone, not both.', EXIT.usage);
  return {
    flow,
    currency,
    amountInMinor,
    user,
    choose,
    decision: values.deny ? ('deny' as const) : ('approve' as const),
    reference: values.reference,
    api: (values.api ?? `http://127.0.0.1:${process.env.PORT || '3000'}`).replace(/\/+$/, ''),
    standalone: values.standalone,
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** A JSON call whose answer must match `schema`; a problem+json answer becomes a JourneyError. */
async function call<S extends z.core.$ZodType>(
  schema: S,
  method: string,
  url: string,
  body?: unknown,
  expected = [200, 201, 202],
): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new JourneyError(
      `${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new JourneyError(`${method} ${url} answered ${response.status} without JSON.`);
  }
  if (!expected.includes(response.status)) {
    const problem = problemSchema.safeParse(json);
    throw new JourneyError(
      `${method} ${url} answered ${response.status}: ${problem.success ? problem.data.detail : text.slice(0, 200)}`,
    );
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    throw new JourneyError(
      `${method} ${url} answered in an unexpected shape: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

const localUrlsSchema = z.object({ api: z.string(), truelayer_auth: z.string() }).loose();
const sandboxUsersSchema = z.array(z.object({ username: z.string() }).loose());
const authorizeSchema = z.object({ redirect_to: z.string() });
const printableEvent = z.object({ event: z.unknown() });

const PAYER = { name: 'Jane Doe', email: 'jane.doe@example.com' };

/** The connection flow's request: a hosted-flow Data v3 connection with Signup+ (POST /connections). */
const CONNECTION_REQUEST = {
  scopes: ['info', 'accounts'],
  provider_selection: { type: 'user_selected' },
  user: PAYER,
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: 'https://example.com/signed-up' },
  signup_plus: true,
};

/** What POST /onboardings takes for the flow besides the reference. */
function flowFields(options: ReturnType<typeof parseOptions>) {
  switch (options.flow) {
    case 'data':
    case 'connection':
      return {};
    case 'payment':
      return {
        flow: 'payment',
        payment: { amount_in_minor: options.amountInMinor, currency: options.currency, user: PAYER },
      };
    case 'mandate':
      return {
        flow: 'mandate',
        mandate: {
          currency: 'GBP',
          user: PAYER,
          constraints: { maximum_individual_amount_in_minor: options.amountInMinor },
        },
      };
  }
}

const RETURN_ROUTES = {
  data: 'GET /callback',
  payment: 'GET /payments/return',
  mandate: 'GET /payments/return',
  connection: 'GET /connections/return',
} as const;

/**
 * Starts the journey: POST /onboardings, or for the connection flow POST /connections with Signup+
 * (its onboarding has the same id). Answers the id, where to send the user and the first status.
 */
async function start(options: ReturnType<typeof parseOptions>, api: string) {
  if (options.flow === 'connection') {
    const connection = await call(createdConnectionSchema, 'POST', `${api}/connections`, CONNECTION_REQUEST);
    const view = await call(onboardingViewSchema, 'GET', `${api}/onboardings/${connection.onboarding_id}`);
    return {
      onboarding_id: connection.onboarding_id,
      auth_link: connection.redirect_to,
      status: view.status,
    };
  }
  return call(createdOnboardingSchema, 'POST', `${api}/onboardings`, {
    ...(options.reference ? { reference: options.reference } : {}),
    ...flowFields(options),
  });
}

async function runJourney(options: ReturnType<typeof parseOptions>, api: string): Promise<number> {
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutMs;
  const urls = await call(localUrlsSchema, 'GET', `${api}/_local/urls`).catch((error: unknown) => {
    throw new JourneyError(
      `No local runtime answers at ${api} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start one with npm start, or pass --standalone.',
    );
  });
  const users =
    options.flow === 'payment' || options.flow === 'mandate'
      ? PAYMENT_USERS
      : (await call(sandboxUsersSchema, 'GET', `${api}/_local/users`)).map((user) => user.username);
  if (!users.includes(options.user)) {
    throw new JourneyError(
      `There is no sandbox user '${options.user}'. The sandbox users are: ${users.join(', ')}.`,
      EXIT.usage,
    );
  }
  const created = await start(options, api);
  const id = created.onboarding_id;
  console.log(`Onboarding ${id}: sandbox user ${options.user}, API ${api}`);

  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, deadline - Date.now()));
  const steps = readEventStream(`${api}/_local/stream?onboarding_id=${encodeURIComponent(id)}`, abort.signal);
  let finalEvent: { 'detail-type': string; printable: unknown } | undefined;
  let sawCallback = false;
  let executionStarted = false;
  let executionEnded = false;
  let chosen = false;
  let identified = options.currency !== 'EUR';
  let status = created.status;

  // The simulator's one approval hook takes every flow's link: an auth link, a payment page, a connection.
  const redirectTo = (
    await call(authorizeSchema, 'POST', `${urls.truelayer_auth}/_sandbox/authorize`, {
      auth_link: created.auth_link,
      user: options.user,
      decision: options.decision,
    })
  ).redirect_to;
  // The data flow comes back to /callback, the payment and mandate flows to /payments/return, the
  // connection flow to /connections/return.
  const returnRoute = RETURN_ROUTES[options.flow];
  const callback = await fetch(redirectTo, { redirect: 'manual', headers: { accept: 'application/json' } });
  if (callback.status !== 302) {
    const problem = problemSchema.safeParse(await callback.json().catch(() => ({})));
    throw new JourneyError(
      `${returnRoute} answered ${callback.status}: ${problem.success ? problem.data.detail : 'no detail'}`,
    );
  }

  const readStatus = async () =>
    (status = (await call(onboardingViewSchema, 'GET', `${api}/onboardings/${id}`)).status);

  try {
    for await (const message of steps) {
      if (message.event !== 'step') continue;
      const raw: unknown = JSON.parse(message.data);
      const parsed = progressStepSchema.safeParse(raw);
      if (!parsed.success) continue;
      const step = parsed.data;
      if (step.kind === 'api' && step.name === returnRoute) sawCallback = true;
      if (isMilestone(step)) console.log(formatStep(step, { withId: false }));
      if (step.kind === 'workflow') {
        if (step.outcome === 'started') executionStarted = true;
        else executionEnded = true;
      }
      if (
        step.kind === 'state' &&
        step.name === 'WaitForAccountChoice' &&
        step.outcome === 'waiting' &&
        !chosen
      ) {
        chosen = true;
        await choose(api, id, options.choose);
      }
      // Finland: once the payment is through, the user identifies at their bank.
      if (!identified && step.kind === 'state') {
        const view = await call(onboardingViewSchema, 'GET', `${api}/onboardings/${id}`);
        if (view.identification) {
          identified = true;
          await identify(urls.truelayer_auth, view.identification.link, options);
        }
      }
      if (step.kind === 'event' && TERMINAL_EVENTS.includes(step.name)) {
        // Printed as the stream sent it, in EventBridge's field order.
        finalEvent = { 'detail-type': step.name, printable: printableEvent.parse(raw).event };
      }
      if (finalEvent && !TERMINAL_STATUSES.includes(status)) await readStatus();
      // Done once the record is final and the workflow, if one ran, has ended.
      const settled = sawCallback && (!executionStarted || executionEnded);
      if (finalEvent && TERMINAL_STATUSES.includes(status) && settled) break;
    }
  } finally {
    abort.abort();
    clearTimeout(timer);
  }

  if (!finalEvent || !TERMINAL_STATUSES.includes(status)) {
    await readStatus().catch(() => undefined);
    throw new JourneyError(
      `The journey did not end within ${options.timeoutMs / 1000} s; it is ${status}.`,
      EXIT.timeout,
    );
  }
  console.log(
    `\nPublished event (${finalEvent['detail-type']}):\n${JSON.stringify(finalEvent.printable, null, 2)}\n`,
  );
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(2);
  const view = await call(onboardingViewSchema, 'GET', `${api}/onboardings/${id}`);
  if (view.status === 'completed') {
    console.log(`Result: completed, ready for payment (${seconds} s)`);
    return EXIT.completed;
  }
  console.log(
    `Result: ${view.status}${view.failure ? `, ${view.failure.reason}: ${view.failure.detail}` : ''} (${seconds} s)`,
  );
  return EXIT.ended;
}

/** Approves the identification at the bank through the simulator's hook and follows the redirect back. */
async function identify(
  trueLayerAuth: string,
  link: string,
  options: ReturnType<typeof parseOptions>,
): Promise<void> {
  console.log('  → identifying at the bank');
  const { redirect_to } = await call(authorizeSchema, 'POST', `${trueLayerAuth}/_sandbox/authorize`, {
    auth_link: link,
    user: options.user,
    decision: 'approve',
  });
  const back = await fetch(redirect_to, { redirect: 'manual', headers: { accept: 'application/json' } });
  if (back.status !== 302) {
    const problem = problemSchema.safeParse(await back.json().catch(() => ({})));
    throw new JourneyError(
      `GET /identification/return answered ${back.status}: ${problem.success ? problem.data.detail : 'no detail'}`,
    );
  }
}

async function choose(api: string, id: string, position: number): Promise<void> {
  const view = await call(onboardingViewSchema, 'GET', `${api}/onboardings/${id}`);
  const accounts = view.accounts ?? [];
  const account = accounts[position - 1];
  if (!account) {
    const list = accounts.map((a, i) => `  ${i + 1}. ${a.display_name} (${a.account_id})`).join('\n');
    throw new JourneyError(
      `--choose ${position}: there are ${accounts.length} accounts:\n${list}`,
      EXIT.usage,
    );
  }
  console.log(
    `  → choosing account ${position} of ${accounts.length}: ${account.display_name} (${account.account_id})`,
  );
  await call(accountChoiceAcceptedSchema, 'POST', `${api}/onboardings/${id}/account-choice`, {
    account_id: account.account_id,
  });
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options.standalone) return runJourney(options, options.api);
  const { startLocalStack } = await import('../local/stack.ts');
  const stack: LocalStack = await startLocalStack({ logLevel: 'SILENT' });
  try {
    return await runJourney(options, stack.urls.api);
  } finally {
    await stack.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof JourneyError) {
      console.error(error.message);
      process.exit(error.exitCode);
    }
    console.error(error);
    process.exit(EXIT.error);
  },
);
