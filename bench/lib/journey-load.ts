import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { DeliveredEvent, TrueLayerFaultRule as FaultRule, LocalStack } from '@signupplus/local';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import { onboardingViewSchema } from '../../functions/contract/responses.ts';
import { authorize, createOnboarding, sendCallback, sendChoice } from '../journeys.ts';

/**
 * A bounded load run against one local stack: N journeys, a third of them multi-account (jane,
 * who picks an account once asked), the rest single-account (john), at most `concurrency` in
 * flight, with seeded transient TrueLayer faults, inside one deadline. Afterwards every count is
 * taken from its own source (the API, the table, the Step Functions executions, the bus) and
 * reconciled: none lost, none doubled, nothing left running.
 */

export const loadOptionsSchema = z.object({
  journeys: z.coerce.number().int().min(3),
  concurrency: z.coerce.number().int().min(1).max(64).default(16),
  /** Share of `token` and `accounts` calls that fault (503 or 429 with Retry-After 0, or a dropped connection). */
  faultRate: z.coerce.number().min(0).max(0.5).default(0.1),
  seed: z.coerce.number().int().default(20_240_601),
  /** The whole run, from the first journey to the last execution ending. */
  deadlineSeconds: z.coerce.number().positive().optional(),
});
export type LoadOptions = z.input<typeof loadOptionsSchema>;

/** Reads LOAD_JOURNEYS, LOAD_CONCURRENCY, LOAD_FAULT_RATE, LOAD_SEED and LOAD_DEADLINE_SECONDS. */
export function loadOptionsFromEnv(defaultJourneys: number, env: NodeJS.ProcessEnv = process.env) {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return loadOptionsSchema.parse({
    journeys: value('LOAD_JOURNEYS') ?? defaultJourneys,
    concurrency: value('LOAD_CONCURRENCY'),
    faultRate: value('LOAD_FAULT_RATE'),
    seed: value('LOAD_SEED'),
    deadlineSeconds: value('LOAD_DEADLINE_SECONDS'),
  });
}

/** Generous enough for a busy 2-core machine: a minute plus half a second per journey. */
export const defaultDeadlineSeconds = (journeys: number) => 60 + Math.ceil(journeys / 2);

const TERMINAL_STATUSES = ['completed', 'failed', 'expired'] as const;
type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
const isTerminal = (status: string | undefined): status is TerminalStatus =>
  (TERMINAL_STATUSES as readonly string[]).includes(status ?? '');

/** The event that closes each kind of end. */
const TERMINAL_EVENT: Record<TerminalStatus, string> = {
  completed: 'Onboarding Ready For Payment',
  failed: 'Onboarding Failed',
  expired: 'Onboarding Expired',
};
const TERMINAL_EVENT_TYPES = new Set(Object.values(TERMINAL_EVENT));
const CHOICE_REQUIRED = 'Onboarding Account Choice Required';

export interface JourneyResult {
  index: number;
  user: 'john' | 'jane';
  onboardingId?: string;
  /** The status the API answers once the execution has ended. */
  status?: string;
  /** The account this run chose (jane only). */
  chosenAccountId?: string;
  /** The account the record says was chosen. */
  recordedChoice?: string;
  /** Create to end of execution. */
  durationMs: number;
  /** What went wrong driving the journey (not a product outcome). */
  error?: string;
}

export interface LoadRun {
  options: z.output<typeof loadOptionsSchema>;
  results: JourneyResult[];
  /** Journeys not started because the run deadline had passed. */
  notStarted: number;
  elapsedMs: number;
  faults: { calls: Record<string, number>; injected: Record<string, number> };
}

const FAULT_KINDS = [
  { kind: 'status', status: 503, retryAfterSeconds: 0 },
  { kind: 'status', status: 429, retryAfterSeconds: 0 },
  { kind: 'drop' },
] as const satisfies ReadonlyArray<FaultRule['fault']>;

/**
 * The fault plan as `sequence` rules: call i of an endpoint faults iff the seeded draw for i is
 * below the rate, with one of three transient kinds. The draws come from pure-rand's xoroshiro128+
 * seeded with LOAD_SEED; sequences (rather than `rate` rules) make the plan depend only on that
 * seed, whatever seed the stack gave its simulator. Concurrency still decides which journey makes
 * call i, so the set of faulted journeys varies; the count does not.
 */
export function faultPlan(endpoints: readonly string[], length: number, rate: number, seed: number) {
  const rng = xoroshiro128plus(seed);
  const rules: FaultRule[] = [];
  const planned: Record<string, boolean[]> = {};
  for (const endpoint of endpoints) {
    const sequences = FAULT_KINDS.map(() => new Array<boolean>(length).fill(false));
    const any = new Array<boolean>(length).fill(false);
    for (let call = 0; call < length; call++) {
      if (uniformFloat64(rng) >= rate) continue;
      const kind = uniformInt(rng, 0, FAULT_KINDS.length - 1);
      const sequence = sequences[kind];
      if (sequence) sequence[call] = true;
      any[call] = true;
    }
    planned[endpoint] = any;
    FAULT_KINDS.forEach((fault, kind) => {
      rules.push({ endpoint, fault: { ...fault }, sequence: sequences[kind] ?? [] });
    });
  }
  return { rules, planned };
}

/** Collects the bus's events per onboarding and lets journeys wait for theirs. */
class EventWatcher {
  readonly #byOnboarding = new Map<string, DeliveredEvent[]>();
  readonly #waiters = new Set<{ id: string; accept: (e: DeliveredEvent) => boolean; done: () => void }>();
  readonly unsubscribe: () => void;

  constructor(stack: LocalStack) {
    this.unsubscribe = stack.bus.subscribe((event) => {
      const id = String(event.detail.onboarding_id ?? '');
      const list = this.#byOnboarding.get(id) ?? [];
      list.push(event);
      this.#byOnboarding.set(id, list);
      for (const waiter of this.#waiters) if (waiter.id === id && waiter.accept(event)) waiter.done();
    });
  }

  /** Resolves with the first event of the onboarding that `accept`s, seen before or after the call. */
  waitFor(id: string, accept: (e: DeliveredEvent) => boolean, deadline: number, what: string) {
    const seen = this.#byOnboarding.get(id)?.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise<DeliveredEvent>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#waiters.delete(waiter);
          reject(new Error(`no ${what} event for ${id} before the deadline`));
        },
        Math.max(0, deadline - Date.now()),
      );
      const waiter = {
        id,
        accept,
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          const event = this.#byOnboarding.get(id)?.find(accept);
          if (event) resolve(event);
        },
      };
      this.#waiters.add(waiter);
    });
  }
}

/** `GET /onboardings/{id}`, parsed with the API's own response schema. */
export async function getOnboarding(stack: LocalStack, onboardingId: string) {
  const response = await fetch(`${stack.urls.api}/onboardings/${onboardingId}`);
  if (response.status !== 200)
    throw new Error(`GET /onboardings/${onboardingId} answered ${response.status}`);
  return onboardingViewSchema.parse(await response.json());
}

const executionArnFor = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

async function runJourney(
  stack: LocalStack,
  watcher: EventWatcher,
  index: number,
  deadline: number,
): Promise<JourneyResult> {
  // Every third journey is jane's: three accounts, a choice to make.
  const user = index % 3 === 2 ? 'jane' : 'john';
  const started = Date.now();
  const result: JourneyResult = { index, user, durationMs: 0 };
  try {
    // A loaded machine can time a create out (a 5xx, "safe to retry"): retried as an integrator would.
    const created = await createOnboarding(stack, undefined, 3);
    const id = created.onboardingId;
    result.onboardingId = id;
    const redirectTo = await authorize(stack, created.authLink, user);
    // And its user reloads a callback that answered 5xx, as a user would.
    await sendCallback(redirectTo, undefined, 3);

    if (user === 'jane') {
      const asked = await watcher.waitFor(
        id,
        (event) => event['detail-type'] === CHOICE_REQUIRED || TERMINAL_EVENT_TYPES.has(event['detail-type']),
        deadline,
        'choice-required or terminal',
      );
      if (asked['detail-type'] === CHOICE_REQUIRED) {
        // The record says "awaiting" before the event is published, so the choices are readable now.
        const view = await getOnboarding(stack, id);
        const accounts = view.accounts ?? [];
        const account = accounts[index % Math.max(1, accounts.length)];
        if (view.status !== 'awaiting_account_choice' || !account) {
          throw new Error(
            `asked to choose, but the record is ${view.status} with ${accounts.length} accounts`,
          );
        }
        result.chosenAccountId = account.account_id;
        await sendChoice(stack, id, account.account_id);
      }
    }

    await watcher.waitFor(
      id,
      (event) => TERMINAL_EVENT_TYPES.has(event['detail-type']),
      deadline,
      'terminal',
    );
    // Completion publishes before it writes the record: the execution's end is the record's end.
    await stack.stepFunctions.waitForExecution(executionArnFor(stack.stateMachineArn, id), {
      timeoutMs: Math.max(1, deadline - Date.now()),
    });
    const view = await getOnboarding(stack, id);
    result.status = view.status;
    if (view.chosen_account_id !== undefined) result.recordedChoice = view.chosen_account_id;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * Drives the journeys with a fixed pool of workers: a worker starts the next journey only when its
 * previous one has ended, so at most `concurrency` are in flight; none starts after the deadline.
 */
export async function runJourneyLoad(stack: LocalStack, input: LoadOptions): Promise<LoadRun> {
  const options = loadOptionsSchema.parse(input);
  const deadlineSeconds = options.deadlineSeconds ?? defaultDeadlineSeconds(options.journeys);
  const endpoints = ['token', 'accounts'] as const;
  // Each journey calls token once and accounts once or twice, plus retries: 8 per journey is ample.
  const plan = faultPlan(endpoints, options.journeys * 8, options.faultRate, options.seed);
  stack.simulator.faults.set(plan.rules);
  const watcher = new EventWatcher(stack);
  const started = Date.now();
  const deadline = started + deadlineSeconds * 1000;
  const results: JourneyResult[] = [];
  let next = 0;
  let notStarted = 0;
  const worker = async () => {
    for (let index = next++; index < options.journeys; index = next++) {
      if (Date.now() >= deadline) {
        notStarted++;
        continue;
      }
      results.push(await runJourney(stack, watcher, index, deadline));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    await stack.bus.drain();
  } finally {
    watcher.unsubscribe();
    stack.simulator.faults.clear();
  }
  const elapsedMs = Date.now() - started;
  const calls = stack.simulator.calls();
  const injected = Object.fromEntries(
    endpoints.map((endpoint) => [
      endpoint,
      (plan.planned[endpoint] ?? []).slice(0, calls[endpoint] ?? 0).filter(Boolean).length,
    ]),
  );
  results.sort((a, b) => a.index - b.index);
  return {
    options: { ...options, deadlineSeconds },
    results,
    notStarted,
    elapsedMs,
    faults: { calls: Object.fromEntries(endpoints.map((e) => [e, calls[e] ?? 0])), injected },
  };
}

export interface Reconciliation {
  requested: number;
  started: number;
  /** PROFILE items in the table. */
  records: number;
  executions: number;
  terminalEvents: number;
  byStatus: Record<string, number>;
  byExecutionStatus: Record<string, number>;
  byEventType: Record<string, number>;
  /** Everything that does not add up; empty when the run is clean. */
  problems: string[];
}

const profileSchema = z.object({ pk: z.string(), status: z.string() }).loose();

const tally = (values: string[]) =>
  values.reduce<Record<string, number>>((counts, value) => {
    counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  }, {});

/** Counts each source on its own and checks that they agree, journey by journey. */
export async function reconcile(stack: LocalStack, run: LoadRun): Promise<Reconciliation> {
  const problems: string[] = [];
  const startedIds = run.results.flatMap((result) => (result.onboardingId ? [result.onboardingId] : []));
  const started = new Set(startedIds);
  const note = (problem: string) => {
    if (problems.length < 50) problems.push(problem);
  };

  if (run.notStarted > 0) note(`${run.notStarted} journeys were not started before the deadline`);
  for (const result of run.results) {
    if (result.error) note(`journey ${result.index} (${result.user}): ${result.error}`);
    else if (!isTerminal(result.status)) note(`journey ${result.index} ended the run as ${result.status}`);
    if (
      result.chosenAccountId &&
      result.status === 'completed' &&
      result.recordedChoice !== result.chosenAccountId
    )
      note(
        `journey ${result.index} chose ${result.chosenAccountId} but the record says ${result.recordedChoice}`,
      );
  }

  // The table: profile items only (state and secrets items share it).
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const profiles: Array<z.infer<typeof profileSchema>> = [];
  try {
    const pages = paginateScan(
      { client: documents },
      {
        TableName: stack.tables.onboardings,
        FilterExpression: 'sk = :profile',
        ExpressionAttributeValues: { ':profile': 'PROFILE' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) profiles.push(profileSchema.parse(item));
  } finally {
    documents.destroy();
  }
  const recordStatus = new Map<string, string>();
  for (const profile of profiles) {
    const id = profile.pk.replace(/^ONBOARDING#/, '');
    if (recordStatus.has(id)) note(`two profile records for ${id}`);
    recordStatus.set(id, profile.status);
    if (!started.has(id)) note(`a record for ${id}, which no journey started`);
    if (!isTerminal(profile.status)) note(`record ${id} is still ${profile.status}`);
  }

  const executions = stack.stepFunctions.executions();
  const executionStatus = new Map<string, string>();
  for (const execution of executions) {
    if (executionStatus.has(execution.name)) note(`two executions named ${execution.name}`);
    executionStatus.set(execution.name, execution.status);
    if (!started.has(execution.name)) note(`an execution for ${execution.name}, which no journey started`);
    if (execution.status !== 'SUCCEEDED' && execution.status !== 'FAILED')
      note(`execution ${execution.name} is ${execution.status}`);
  }

  const terminalEvents = stack.events().filter((event) => TERMINAL_EVENT_TYPES.has(event['detail-type']));
  const eventsByOnboarding = new Map<string, DeliveredEvent[]>();
  for (const event of terminalEvents) {
    const id = String(event.detail.onboarding_id ?? '');
    eventsByOnboarding.set(id, [...(eventsByOnboarding.get(id) ?? []), event]);
    if (!started.has(id)) note(`a terminal event for ${id}, which no journey started`);
  }

  for (const id of started) {
    const status = recordStatus.get(id);
    const events = eventsByOnboarding.get(id) ?? [];
    const execution = executionStatus.get(id);
    if (status === undefined) note(`no record for ${id}`);
    if (execution === undefined) note(`no execution for ${id}`);
    if (events.length !== 1)
      note(`${id} has ${events.length} terminal events: ${events.map((e) => e['detail-type']).join(', ')}`);
    if (isTerminal(status)) {
      const event = events[0];
      if (event && event['detail-type'] !== TERMINAL_EVENT[status])
        note(`${id} is ${status} but its terminal event is ${event['detail-type']}`);
      // A step records a refusal itself (the execution succeeds); only a step that gave up fails it.
      if (execution === 'FAILED' && status !== 'failed')
        note(`${id} is ${status} but its execution is ${execution}`);
    }
  }

  return {
    requested: run.options.journeys,
    started: started.size,
    records: profiles.length,
    executions: executions.length,
    terminalEvents: terminalEvents.length,
    byStatus: tally(profiles.map((profile) => profile.status)),
    byExecutionStatus: tally(executions.map((execution) => execution.status)),
    byEventType: tally(terminalEvents.map((event) => event['detail-type'])),
    problems,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);

/** The counts and timings as a small table for the terminal. */
export function formatLoadReport(run: LoadRun, counts: Reconciliation, engine: string): string {
  const durations = run.results.map((result) => result.durationMs).sort((a, b) => a - b);
  const seconds = run.elapsedMs / 1000;
  const multi = run.results.filter((result) => result.user === 'jane').length;
  const rows: Array<[string, string]> = [
    [
      'journeys requested',
      `${counts.requested} (${multi} multi-account, ${counts.requested - multi} single)`,
    ],
    ['started (onboardings created)', String(counts.started)],
    ['records (PROFILE items)', String(counts.records)],
    ['executions', String(counts.executions)],
    ['terminal events', String(counts.terminalEvents)],
    ['record statuses', JSON.stringify(counts.byStatus)],
    ['execution statuses', JSON.stringify(counts.byExecutionStatus)],
    ['terminal event types', JSON.stringify(counts.byEventType)],
    [
      'TrueLayer calls / faults injected',
      Object.entries(run.faults.calls)
        .map(([endpoint, calls]) => `${endpoint} ${calls}/${run.faults.injected[endpoint] ?? 0}`)
        .join(', '),
    ],
    [
      'concurrency / fault rate / seed',
      `${run.options.concurrency} / ${run.options.faultRate} / ${run.options.seed}`,
    ],
    ['DynamoDB engine', engine],
    ['elapsed', `${seconds.toFixed(1)} s (deadline ${run.options.deadlineSeconds} s)`],
    ['throughput', `${(counts.started / Math.max(seconds, 0.001)).toFixed(1)} journeys/s`],
    [
      'journey time p50 / p95 / max',
      `${percentile(durations, 50)} / ${percentile(durations, 95)} / ${durations.at(-1) ?? 0} ms`,
    ],
    ['problems', counts.problems.length === 0 ? 'none' : String(counts.problems.length)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return ['Journey load run', ...lines, ...counts.problems.map((problem) => `  ! ${problem}`)].join('\n');
}
