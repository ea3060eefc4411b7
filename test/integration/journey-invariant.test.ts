import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsFaultRule } from '@signupplus/local';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorizeConnection } from '../helpers/connections.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  authorize,
  createdSchema,
  followRedirect,
  getOnboarding,
  TERMINAL_EVENTS,
} from '../helpers/journey.ts';

/**
 * The journey invariant (docs/reliability.md), over a few hundred journeys of
 * every kind with AWS faults at random points of each: every journey ends in
 * exactly one of completed, failed or expired within a bounded time; its
 * record and its one terminal event (by event id) agree, so a ready event is
 * never followed by a failed one; its secrets are gone; nothing is left due.
 * A journey with one transient fault ends as it would have without it (a cut-off code exchange
 * aside, which ends failed by design).
 *
 * The sample is drawn from a seed (printed; INVARIANT_SEED replays one), and
 * each fault is scoped to its journey, so journeys run side by side.
 */
/**
 * 120 in `npm test`, for fast feedback; the DynamoDB Local pass (`npm run test:dynamodb-local`, which
 * CI runs) draws 200. 16 at once: at 48 (and at 32 once payment journeys joined, each signing, polling
 * and taking webhooks, and at 24 once Finnish journeys joined, each waiting on the identification with
 * a look every 3 s: two clean-clone runs of three failed so) the machine itself, shared with three other
 * test files on two cores, timed out callbacks past the test user's reloads, and the test blamed the
 * one fault it had injected.
 */
const JOURNEYS = Number(process.env.INVARIANT_JOURNEYS ?? 120);
const CONCURRENCY = 16;
const SEED = Number(process.env.INVARIANT_SEED ?? Date.now() % 1_000_000);
/** How long a journey may take to end, faults, retries and the reconciler included. */
const BOUND_MS = 120_000;
const AUTH_LINK_TTL_SECONDS = 30;
const CHOICE_TIMEOUT_SECONDS = 12;

/** Data-flow journeys, then payment- and mandate-flow ones (a mock payment user, or nobody pays). */
const KINDS = {
  single: { flow: 'data', user: 'john', expected: 'completed' },
  multi: { flow: 'data', user: 'jane', expected: 'completed' },
  denial: { flow: 'data', user: 'john', expected: 'failed' },
  refusal: { flow: 'data', user: 'error.user_data_not_found', expected: 'failed' },
  no_choice: { flow: 'data', user: 'jane', expected: 'expired' },
  paid: { flow: 'payment', user: 'test_executed', expected: 'completed' },
  payment_refused: { flow: 'payment', user: 'test_authorisation_failed', expected: 'failed' },
  unpaid: { flow: 'payment', user: undefined, expected: 'expired' },
  mandate: { flow: 'mandate', user: 'test_executed', expected: 'completed' },
  mandate_refused: { flow: 'mandate', user: 'test_authorisation_failed', expected: 'failed' },
  // Signup+ in Finland: a euro payment, then the identification at the bank (approved or cancelled).
  finland: { flow: 'finland', user: 'test_executed', expected: 'completed' },
  finland_cancelled: { flow: 'finland', user: 'test_executed', expected: 'failed' },
  // Signup+ on a Data v3 connection: one account, three to choose from, or declined at the bank.
  connection: { flow: 'connection', user: 'john', expected: 'completed' },
  connection_multi: { flow: 'connection', user: 'jane', expected: 'completed' },
  connection_declined: { flow: 'connection', user: 'john', expected: 'failed' },
} as const;
type Kind = keyof typeof KINDS;

/**
 * The AWS calls the product makes, by service (for lambda, the workflow's
 * functions). UpdateItem, the conditional writes every change goes through,
 * is drawn three times as often.
 */
const OPERATIONS = {
  dynamodb: ['GetItem', 'PutItem', 'UpdateItem', 'UpdateItem', 'UpdateItem', 'Query', 'DeleteItem'],
  sfn: ['StartExecution', 'DescribeExecution', 'SendTaskSuccess'],
  eventbridge: ['PutEvents'],
  lambda: [
    'LinkAccounts',
    'RequestAccountChoice',
    'CompleteWithChosenAccount',
    'CheckPayment',
    'FollowConnection',
    'EndOnboarding',
  ],
} as const;
type Service = keyof typeof OPERATIONS;
type Rule = Omit<AwsFaultRule, 'match'> & { service: Service };

const faultArbitrary = (times: fc.Arbitrary<number>): fc.Arbitrary<Rule> =>
  fc.constantFrom<Service>('dynamodb', 'sfn', 'eventbridge', 'lambda').chain((service) =>
    fc.record({
      service: fc.constant(service),
      operation: fc.constantFrom<string>(...OPERATIONS[service]),
      fault: fc.constantFrom<Rule['fault']>('throttle', 'error', 'timeout', 'lost_answer'),
      times,
    }),
  );

interface JourneySpec {
  kind: Kind;
  faults: Rule[];
}

const journeyArbitrary: fc.Arbitrary<JourneySpec> = fc.record({
  kind: fc.constantFrom<Kind>(
    'single',
    'single',
    'multi',
    'multi',
    'denial',
    'refusal',
    'no_choice',
    'paid',
    'paid',
    'payment_refused',
    'unpaid',
    'mandate',
    'mandate_refused',
    'finland',
    'finland_cancelled',
    'connection',
    'connection_multi',
    'connection_declined',
  ),
  faults: fc.oneof(
    // One transient fault: the journey must end as it would have.
    faultArbitrary(fc.constant(1)).map((rule) => [rule]),
    // Several, some lasting past the SDK's own retries (DynamoDB's client tries four times, the
    // others three): the journey may end otherwise, but it still ends once.
    fc.array(faultArbitrary(fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 3 }),
  ),
});

const isSingleTransient = (spec: JourneySpec) => spec.faults.length === 1 && spec.faults[0]?.times === 1;

/**
 * The one transient fault that may change an end by design: on AWS a timeout or a lost answer of
 * LinkAccounts can cut the exchange off between sending the single-use code and storing the token.
 * The product cannot know whether TrueLayer spent the code, so it never sends it again and ends the
 * journey failed with `code_exchange_unconfirmed` (docs/reliability.md). That end, and only that one,
 * is accepted for that fault.
 */
const mayEndUnconfirmed = ({ spec, reason }: Outcome) =>
  reason === 'code_exchange_unconfirmed' &&
  spec.faults.some(
    (rule) =>
      rule.service === 'lambda' &&
      rule.operation === 'LinkAccounts' &&
      (rule.fault === 'timeout' || rule.fault === 'lost_answer'),
  );

let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    journeyStallSeconds: 2,
    scheduleIntervalMs: 250,
    authLinkTtlSeconds: AUTH_LINK_TTL_SECONDS,
    accountChoiceTimeoutSeconds: CHOICE_TIMEOUT_SECONDS,
    deliverEventsTwice: true,
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      // Past the fault-injecting proxy: a journey's faults must not take the test's own reads.
      endpoint: stack.dynamoDbEngineEndpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(async () => {
  documents?.destroy();
  await stack?.close();
});

const item = (onboardingId: string, sk: 'PROFILE' | 'SECRETS') =>
  documents
    .send(
      new GetCommand({
        TableName: stack.tables.onboardings,
        Key: { pk: `ONBOARDING#${onboardingId}`, sk },
        ConsistentRead: true,
      }),
    )
    .then((answer) => answer.Item);

interface Outcome {
  spec: JourneySpec;
  onboardingId: string;
  status: string;
  reason: string | undefined;
  ms: number;
}

const PAYER = { name: 'Tommie Burke', email: 't@example.com' };
const BODIES = {
  data: {},
  payment: { flow: 'payment', payment: { amount_in_minor: 1500, currency: 'GBP', user: PAYER } },
  mandate: {
    flow: 'mandate',
    mandate: { currency: 'GBP', user: PAYER, constraints: { maximum_individual_amount_in_minor: 1500 } },
  },
  finland: { flow: 'payment', payment: { amount_in_minor: 1500, currency: 'EUR', user: PAYER } },
} as const;

/** The connection flow's journeys start at POST /connections, with Signup+ asked for. */
const CONNECTION_BODY = {
  scopes: ['accounts'],
  provider_selection: { type: 'user_selected' },
  user: { name: 'Jane Smith', email: 'jane@example.com' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: 'https://app.example.com/back' },
  signup_plus: true,
};
const createdConnectionSchema = z.object({ onboarding_id: z.string(), redirect_to: z.string() });

/**
 * The integrator's backend retries a 5xx on create, as the answer invites ("safe to retry"), backing
 * off: on a loaded two-core machine a write of the create's own (or, for a payment, a TrueLayer call)
 * can outlast its timeout, and the journey's faults are only added once it has an id. A create that
 * never succeeds started no journey, so the invariant has nothing to check for it; the test still fails.
 */
async function create(kind: Kind): Promise<{ onboarding_id: string; auth_link: string }> {
  const { flow } = KINDS[kind];
  const [path, body] =
    flow === 'connection' ? ['connections', CONNECTION_BODY] : ['onboardings', BODIES[flow]];
  const answer = await eventually(
    () => requestJson('POST', `${stack.urls.api}/${path}`, body),
    (candidate) => candidate.status < 500,
    { timeoutMs: 30_000, intervalMs: 250, what: 'POST /onboardings to answer without a 5xx' },
  );
  if (answer.status !== 201)
    throw new Error(`POST /${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  if (flow !== 'connection') return createdSchema.parse(answer.body);
  const created = createdConnectionSchema.parse(answer.body);
  return { onboarding_id: created.onboarding_id, auth_link: created.redirect_to };
}

/**
 * The user's browser at a redirect back to the product, as a user would: an error page is reloaded, a
 * second later, up to three times; then the tab is closed and the reconciler must cope. (On a loaded
 * two-core machine a callback's writes can outlast the SDK's timeouts with no fault of their own, and a
 * fault's retry adds to them.)
 */
async function visit(redirectTo: string) {
  let back = await followRedirect(redirectTo);
  for (let reload = 0; back.status >= 500 && reload < 3; reload++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    back = await followRedirect(redirectTo);
  }
}

/** What the user's browser and the integrator's backend do for one journey; AWS does the rest. */
async function drive(spec: JourneySpec): Promise<Outcome> {
  const started = Date.now();
  const { user } = KINDS[spec.kind];
  const created = await create(spec.kind);
  const onboardingId = created.onboarding_id;
  for (const rule of spec.faults) stack.faults.add({ ...rule, match: { onboarding_id: onboardingId } });
  if (user !== undefined) {
    const decision = spec.kind === 'denial' || spec.kind === 'connection_declined' ? 'deny' : 'approve';
    const redirectTo =
      KINDS[spec.kind].flow === 'connection'
        ? await authorizeConnection(stack, created.auth_link, decision, user)
        : await authorize(stack, created.auth_link, user, decision);
    await visit(redirectTo);
  }
  if (KINDS[spec.kind].flow === 'finland') {
    // Polled as an integrator's return page would, until the link to the bank's identification shows;
    // every half second, as the workflow itself looks only every 3 s (faster polls of 24 journeys at
    // once took the two cores from the callbacks under test).
    const waiting = await eventually(
      () =>
        getOnboarding(stack, onboardingId).catch(() => ({ status: 'unreadable', identification: undefined })),
      (view) => view.identification !== undefined || ['completed', 'failed', 'expired'].includes(view.status),
      { timeoutMs: BOUND_MS, intervalMs: 500, what: `${onboardingId} to show the identification link` },
    );
    if (waiting.identification) {
      const decision = spec.kind === 'finland_cancelled' ? 'deny' : 'approve';
      await visit(await authorize(stack, waiting.identification.link, 'test_executed', decision));
    }
  }
  if (spec.kind === 'multi' || spec.kind === 'connection_multi') {
    // Polled as an integrator would, a 5xx being "try again" (the journey's own faults may hit the read).
    const waiting = await eventually(
      () => getOnboarding(stack, onboardingId).catch(() => ({ status: 'unreadable' })),
      (view) => !['authorized', 'awaiting_authorization', 'unreadable'].includes(view.status),
      { timeoutMs: BOUND_MS, intervalMs: 50, what: `${onboardingId} to wait for a choice` },
    );
    // The integrator's backend retries a 5xx ("safe to retry"), a few times, a second apart (three
    // immediate retries on a loaded machine met the same overload three times).
    for (let attempt = 0; waiting.status === 'awaiting_account_choice' && attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
      const answer = await requestJson(
        'POST',
        `${stack.urls.api}/onboardings/${onboardingId}/account-choice`,
        {
          // Jane's second account, by the id both Signup+ and the connected accounts know it by.
          account_id: 'acc-8232b085624e6babf',
        },
      );
      if (answer.status < 500) break;
    }
  }
  // Ended and settled: terminal, off the due index (event confirmed, secrets deleted).
  const profile = await eventually(
    () => item(onboardingId, 'PROFILE'),
    (record) =>
      record !== undefined &&
      ['completed', 'failed', 'expired'].includes(String(record.status)) &&
      record.due_at === undefined,
    {
      timeoutMs: BOUND_MS - (Date.now() - started),
      intervalMs: 100,
      what: `${onboardingId} to end and settle`,
    },
  );
  const failure = profile?.failure;
  return {
    spec,
    onboardingId,
    status: String(profile?.status),
    reason:
      typeof failure === 'object' && failure !== null && 'reason' in failure
        ? String(failure.reason)
        : undefined,
    ms: Date.now() - started,
  };
}

async function runAll(specs: JourneySpec[]): Promise<Outcome[]> {
  const queue = [...specs];
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let spec = queue.shift(); spec !== undefined; spec = queue.shift())
        outcomes.push(await drive(spec));
    }),
  );
  return outcomes;
}

const tally = (values: readonly string[]) =>
  Object.fromEntries(
    [...new Set(values)]
      .sort()
      .map((value) => [value, values.filter((candidate) => candidate === value).length]),
  );

describe('the journey invariant under AWS faults', () => {
  it(`holds for ${JOURNEYS} journeys of every kind, with faults at random AWS calls`, async () => {
    const specs = fc.sample(journeyArbitrary, { numRuns: JOURNEYS, seed: SEED });

    const outcomes = await runAll(specs);

    const problems: string[] = [];
    for (const outcome of outcomes) {
      const { onboardingId, status } = outcome;
      const ends = stack
        .events(onboardingId)
        .filter((event) => Object.values(TERMINAL_EVENTS).includes(event['detail-type']));
      const ids = new Set(ends.map((event) => String(event.detail.event_id)));
      const types = new Set(ends.map((event) => event['detail-type']));
      const describe = `${onboardingId} (${outcome.spec.kind}, ${JSON.stringify(outcome.spec.faults)})`;
      if (ids.size !== 1)
        problems.push(`${describe}: ${ids.size} terminal event ids (${[...types].join(', ')})`);
      if (types.size !== 1 || !types.has(TERMINAL_EVENTS[status] ?? '')) {
        problems.push(`${describe}: record ${status}, terminal events ${[...types].join(', ')}`);
      }
      if ((await item(onboardingId, 'SECRETS')) !== undefined) problems.push(`${describe}: secrets left`);
      if (
        isSingleTransient(outcome.spec) &&
        status !== KINDS[outcome.spec.kind].expected &&
        !mayEndUnconfirmed(outcome)
      ) {
        problems.push(`${describe}: one transient fault, yet ${status} (${outcome.reason})`);
      }
    }
    const fired = stack.faults.list();
    console.log(
      [
        `journey invariant, seed ${SEED}, ${stack.dynamoDbEngine}: ${outcomes.length} journeys`,
        `  kinds:     ${JSON.stringify(tally(outcomes.map((outcome) => outcome.spec.kind)))}`,
        `  outcomes:  ${JSON.stringify(tally(outcomes.map((outcome) => `${outcome.status}/${outcome.reason ?? '-'}`)))}`,
        `  one transient fault: ${outcomes.filter((outcome) => isSingleTransient(outcome.spec)).length} journeys`,
        `  fault rules: ${fired.length}, calls faulted: ${fired.reduce((sum, rule) => sum + rule.fired, 0)}`,
        `  faulted by service: ${JSON.stringify(tally(fired.flatMap((rule) => Array(rule.fired).fill(`${rule.service}/${rule.fault}`))))}`,
        `  slowest end: ${Math.max(...outcomes.map((outcome) => outcome.ms))} ms (bound ${BOUND_MS} ms)`,
        ...outcomes
          .filter((outcome) => outcome.status !== KINDS[outcome.spec.kind].expected)
          .map(
            (outcome) =>
              `  ended otherwise: ${outcome.spec.kind} → ${outcome.status}/${outcome.reason}, faults ${JSON.stringify(outcome.spec.faults)}`,
          ),
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(outcomes).toHaveLength(JOURNEYS);
  }, 600_000);
});
