import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeConnection, EXAMPLES, USER } from '../helpers/connections.ts';
import { authorize, createOnboarding, followRedirect, waitForStatus } from '../helpers/journey.ts';

/**
 * Runs single-account, multi-account, failed, payment, mandate, Data v3 and connection-flow journeys with every log line
 * on, then searches everything an operator or a consumer could observe for
 * secrets and personal data. Secrets must appear nowhere; personal data only
 * in the record, the ready event and the integrator's status answer.
 */
const CLIENT_SECRET = 'leak-scan-client-secret-5f1c';
let stack: LocalStack;
const logged: string[] = [];
const restore: Array<() => void> = [];

/** What our API answered, except GET /onboardings/{id}, which may carry personal data. */
const answers: string[] = [];
const statusAnswers: string[] = [];

/** Keeps what is written instead of printing it: the scan needs every line, the test output none of them. */
function capture(stream: NodeJS.WriteStream) {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((argument): argument is () => void => typeof argument === 'function');
    done?.();
    return true;
  }) as typeof stream.write;
  restore.push(() => {
    stream.write = original;
  });
}

async function record(response: Response, into: string[]) {
  const text = await response.clone().text();
  into.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
  return response;
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.urls.api}${path}`, {
    method,
    redirect: 'manual',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // The integrator's reads of a person's data: the onboarding's status and a connection's accounts.
  const carriesPersonalData =
    method === 'GET' &&
    (path.startsWith('/onboardings/') || /^\/connections\/[^/]+\/(accounts|user-info)$/.test(path));
  return record(response, carriesPersonalData ? statusAnswers : answers);
}

async function journey(user: string, choose?: string) {
  const created = await createOnboarding(stack, { reference: `leak-${user}` });
  answers.push(JSON.stringify(created));
  const redirectTo = await authorize(stack, created.auth_link, user);
  await record(await followRedirect(redirectTo), answers);
  if (choose) {
    await waitForStatus(stack, created.onboarding_id, ['awaiting_account_choice']);
    await api('GET', `/onboardings/${created.onboarding_id}`);
    await api('POST', `/onboardings/${created.onboarding_id}/account-choice`, { account_id: choose });
  }
  await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
  await api('GET', `/onboardings/${created.onboarding_id}`);
  return created.onboarding_id;
}

/** Who pays in the payment journey: passed on to TrueLayer, kept and shown nowhere. */
const PAYER = { name: 'Leakscan Payer', email: 'leakscan.payer@example.com' };
/** The payment journey's resource token: in the answer that carries the payment link, nowhere else. */
const resourceTokens: string[] = [];

/** A payment- (or mandate-) flow journey, paid (given) on the simulated hosted page and back through /payments/return. */
async function paymentJourney(flow: 'payment' | 'mandate' = 'payment') {
  const created = await createOnboarding(
    stack,
    flow === 'payment'
      ? { flow, payment: { amount_in_minor: 1500, currency: 'GBP', user: PAYER } }
      : {
          flow,
          mandate: {
            currency: 'GBP',
            user: PAYER,
            constraints: { maximum_individual_amount_in_minor: 1500 },
          },
        },
  );
  resourceTokens.push(new URL(created.auth_link).searchParams.get('resource_token') ?? '');
  const redirectTo = await authorize(stack, created.auth_link, 'test_executed');
  await record(await followRedirect(redirectTo), answers);
  await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
  await api('GET', `/onboardings/${created.onboarding_id}`);
}

/** The Finnish journey's bank reference and identification link: credentials, kept server-side only. */
const finland = { references: [] as string[], links: [] as string[], nationalIds: [] as string[] };

/** Signup+ in Finland: a euro payment, then the identification at the bank and back through its return. */
async function finnishJourney() {
  const created = await createOnboarding(stack, {
    flow: 'payment',
    payment: { amount_in_minor: 1500, currency: 'EUR', user: PAYER },
  });
  resourceTokens.push(new URL(created.auth_link).searchParams.get('resource_token') ?? '');
  await record(await followRedirect(await authorize(stack, created.auth_link, 'test_executed')), answers);
  const waiting = await waitForStatus(stack, created.onboarding_id, ['awaiting_identification']);
  await api('GET', `/onboardings/${created.onboarding_id}`);
  const link = waiting.identification?.link ?? '';
  const redirectTo = await authorize(stack, link, 'test_executed');
  finland.links.push(link);
  finland.references.push(new URL(redirectTo).searchParams.get('authorization_reference') ?? '');
  await record(await followRedirect(redirectTo), answers);
  const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
  finland.nationalIds.push(done.user?.national_identification_number ?? '');
  await api('GET', `/onboardings/${created.onboarding_id}`);
}

/** The request-signing key's private half, read from Secrets Manager as an operator would. */
async function signingKeyLines(): Promise<string[]> {
  const client = new SecretsManagerClient({
    endpoint: stack.urls.secretsmanager,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { SecretString = '' } = await client.send(
    new GetSecretValueCommand({ SecretId: 'signupplus/truelayer-signing-key' }),
  );
  const { private_key_pem } = z.object({ private_key_pem: z.string() }).parse(JSON.parse(SecretString));
  // Each line of the key's body: a leak shows at least one of them whole, however it was escaped.
  return private_key_pem.split('\n').filter((line) => line.length >= 32 && !line.startsWith('-----'));
}

/** Powertools writes through the global console in dev mode, and straight to the streams otherwise: catch both. */
function captureConsole() {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    console[method] = (...parts: unknown[]) => {
      logged.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
    };
    restore.push(() => {
      console[method] = original;
    });
  }
}

/** A hosted-flow Data v3 connection, authorised at the simulated bank and back through the return leg. */
async function connectionJourney() {
  const created = await api('POST', '/connections', EXAMPLES.hosted_flow);
  const { redirect_to } = z.object({ redirect_to: z.string() }).parse(await created.json());
  const bankRedirect = await authorizeConnection(stack, redirect_to, 'approve', 'john');
  const returned = await record(await fetch(bankRedirect, { redirect: 'manual' }), answers);
  const connectionId = new URL(returned.headers.get('location') ?? '').searchParams.get('connection_id');
  await api('GET', `/connections/${connectionId}/accounts`);
}

/** The connection flow: a connection with Signup+, john's one account read by TrueLayer's asynchronous request. */
async function signupPlusConnectionJourney() {
  const created = await api('POST', '/connections', { ...EXAMPLES.hosted_flow, signup_plus: true });
  const { redirect_to, onboarding_id } = z
    .object({ redirect_to: z.string(), onboarding_id: z.string() })
    .parse(await created.json());
  const bankRedirect = await authorizeConnection(stack, redirect_to, 'approve', 'john');
  await record(await fetch(bankRedirect, { redirect: 'manual' }), answers);
  await waitForStatus(stack, onboarding_id, ['completed', 'failed', 'expired']);
  await api('GET', `/onboardings/${onboarding_id}`);
}

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  captureConsole();
  stack = await startLocalStack({ logLevel: 'DEBUG', retryIntervalMs: 1, clientSecret: CLIENT_SECRET });
  await journey('john');
  await journey('jane', 'acc-8232b085624e6babf');
  await journey('error.user_data_not_found');
  stack.simulator.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 } }]);
  await journey('john');
  stack.simulator.faults.clear();
  await connectionJourney();
  await signupPlusConnectionJourney();
  await paymentJourney();
  await paymentJourney('mandate');
  await finnishJourney();
  await stack.simulator.webhooks.drain();
  await stack.bus.drain();
}, 60_000);

afterAll(async () => {
  for (const undo of restore) undo();
  await stack?.close();
});

function observable() {
  const histories = stack.stepFunctions
    .executions()
    .map((execution) => JSON.stringify(stack.stepFunctions.history(execution.executionArn)));
  const executions = JSON.stringify(stack.stepFunctions.executions());
  const events = stack.bus.events();
  const ready = events.filter((event) => event['detail-type'] === 'Onboarding Ready For Payment');
  const otherEvents = events.filter((event) => event['detail-type'] !== 'Onboarding Ready For Payment');
  return {
    logs: logged.join(''),
    history: histories.join('\n') + executions,
    readyEvents: JSON.stringify(ready),
    otherEvents: JSON.stringify(otherEvents),
    answers: answers.join('\n'),
    statusAnswers: statusAnswers.join('\n'),
  };
}

describe('what an operator or consumer can observe', () => {
  it('ran the journeys it scans, with logs captured', () => {
    const seen = observable();
    expect(stack.stepFunctions.executions().length).toBeGreaterThanOrEqual(4);
    expect(seen.readyEvents).toContain('Onboarding Ready For Payment');
    expect(seen.otherEvents).toContain('Onboarding Failed');
    expect(seen.otherEvents).toContain('Data Connection Authorized');
    // the connection flow's ready event, naming its connection
    expect(seen.readyEvents).toContain('"connection_id"');
    expect(seen.logs.length).toBeGreaterThan(0);
  });

  it('never contains an authorization code, access token or client secret', () => {
    const secrets = [...stack.simulator.issuedSecrets(), CLIENT_SECRET];
    // codes and tokens of four journeys, the Data v3 client-credentials token, and the client secret
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const [where, text] of Object.entries(observable())) {
      for (const secret of secrets) {
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
      }
    }
  });

  it('never contains the request-signing key, and the payment’s resource token only in the answer with its link', async () => {
    const keyLines = await signingKeyLines();
    expect(keyLines.length).toBeGreaterThan(2);
    expect(resourceTokens.filter(Boolean)).toHaveLength(3);
    const seen = observable();
    for (const [where, text] of Object.entries(seen)) {
      for (const line of keyLines)
        expect(text.includes(line), `${where} contains the signing key`).toBe(false);
    }
    for (const where of ['logs', 'history', 'readyEvents', 'otherEvents', 'statusAnswers'] as const) {
      for (const token of resourceTokens) {
        expect(seen[where].includes(token), `${where} contains a resource token`).toBe(false);
      }
    }
    expect(seen.readyEvents).toContain('payment_id');
    expect(seen.readyEvents).toContain('mandate_id');
    // the payments' webhooks (executed, settled; the euro one's too) and the mandate's (authorized) were
    // delivered to the product and scanned with the rest
    expect(stack.simulator.webhooks.deliveries().filter((delivery) => delivery.status === 200).length).toBe(
      5,
    );
  });

  it('never contains the Finnish bank’s reference, and the identification link only in the status answer', () => {
    const seen = observable();
    // (A matrix profile may send the user back without a reference: then there is none to leak.)
    expect(finland.links.filter(Boolean)).toHaveLength(1);
    for (const [where, text] of Object.entries(seen)) {
      for (const reference of finland.references.filter(Boolean)) {
        expect(text.includes(reference), `${where} contains the bank's reference`).toBe(false);
      }
    }
    for (const where of ['logs', 'history', 'readyEvents', 'otherEvents', 'answers'] as const) {
      for (const link of finland.links) {
        expect(seen[where].includes(link), `${where} contains the identification link`).toBe(false);
      }
    }
    expect(seen.statusAnswers).toContain(finland.links[0]);
  });

  it("shows personal data only in the ready event and the integrator's reads (status, connected accounts)", () => {
    const people = stack.simulator.users.filter((user) => ['john', 'jane'].includes(user.username));
    const personal = people.flatMap((user) => [
      // the Data v3 request's user, which the product forwards to TrueLayer and never keeps
      USER.name,
      USER.email,
      // the payer the payment flow names to TrueLayer, which the product keeps nowhere
      PAYER.name,
      PAYER.email,
      // what TrueLayer's payment webhooks say of the paying account (payment_source), never logged
      'Tommie Burke',
      '11112222',
      user.identity?.last_name ?? '',
      user.identity?.date_of_birth ?? '',
      user.identity?.address.address_line1 ?? '',
      // the Finnish payer's identity code
      ...finland.nationalIds,
      ...user.accounts.flatMap((account) =>
        [account.account_number, account.iban].filter((value): value is string => !!value),
      ),
    ]);
    expect(personal.length).toBeGreaterThan(6);
    const seen = observable();
    for (const where of ['logs', 'history', 'otherEvents', 'answers'] as const) {
      expect(seen.statusAnswers.includes(PAYER.email), 'the status answers keep the payer').toBe(false);
      for (const value of personal) {
        expect(seen[where].includes(value), `${where} contains personal data (${value.slice(0, 3)}…)`).toBe(
          false,
        );
      }
    }
    // and the places where it belongs do carry it (john's account from the connection's accounts)
    expect(seen.readyEvents).toContain('30000000');
    expect(seen.statusAnswers).toContain('30000000');
    expect(seen.statusAnswers).toContain('GB62MONZ04000412345678');
  });
});
