/**
 * Drives onboarding journeys against a running local stack, the way an
 * integrator's backend and a user's browser would, and times them against
 * the bus: an event's arrival is the moment the local EventBridge accepts it.
 */
import { Agent, request as httpRequest } from 'node:http';
import * as z from 'zod';
import { DetailTypes } from '../functions/contract/events.ts';
import { createdOnboardingSchema } from '../functions/contract/responses.ts';
import type { DeliveredEvent } from '../local/eventbridge.ts';
import type { LocalStack } from '../local/stack.ts';
import type { HistoryEvent } from '../local/stepfunctions/index.ts';

export const USERS = {
  /** One account: the single-account path. */
  single: 'john',
  /** Three accounts: multiple_accounts_linked, then a choice. */
  multi: 'jane',
  /** Logs in, but Signup+ answers 404 "User data not found": the workflow's failure path. */
  failure: 'error.user_data_not_found',
} as const;
/** jane's second account, as the integration tests choose it. */
export const CHOSEN_ACCOUNT = 'acc-8232b085624e6babf';

/** Every wait in the bench ends by this deadline: no journey can hang the run. */
export const JOURNEY_TIMEOUT_MS = 30_000;

export class JourneyTimeoutError extends Error {
  override readonly name = 'JourneyTimeoutError';
}

const TERMINAL = [DetailTypes.readyForPayment, DetailTypes.failed, DetailTypes.expired] as const;

/** Wall-clock milliseconds of a `performance.now()` reading, to line up with history timestamps. */
export const wallTime = (perf: number) => performance.timeOrigin + perf;

/**
 * Records when each event reaches the bus, keyed by onboarding and detail
 * type, and lets journeys wait for one. Arrivals nobody waits for yet are kept
 * until someone asks, because the workflow may publish before the client has
 * even read the callback's answer.
 */
export class EventClock {
  readonly #arrivals = new Map<string, { at: number; type: string }>();
  readonly #waiters = new Map<string, (arrival: { at: number; type: string }) => void>();
  readonly #unsubscribe: () => void;

  constructor(stack: LocalStack) {
    this.#unsubscribe = stack.bus.subscribe((event) => this.#arrived(event));
  }

  #arrived(event: DeliveredEvent): void {
    const at = performance.now();
    const id = event.detail.onboarding_id;
    if (typeof id !== 'string') return;
    const type = event['detail-type'];
    const key = `${id}|${type}`;
    const waiter = this.#waiters.get(key);
    if (waiter) {
      for (const [candidate, resolve] of this.#waiters)
        if (resolve === waiter) this.#waiters.delete(candidate);
      waiter({ at, type });
    } else this.#arrivals.set(key, { at, type });
  }

  /** The first of `types` published for the onboarding; rejects at the deadline. */
  wait(
    onboardingId: string,
    types: readonly string[],
    timeoutMs = JOURNEY_TIMEOUT_MS,
  ): Promise<{ at: number; type: string }> {
    for (const type of types) {
      const key = `${onboardingId}|${type}`;
      const arrival = this.#arrivals.get(key);
      if (arrival) {
        this.#arrivals.delete(key);
        return Promise.resolve(arrival);
      }
    }
    return new Promise((resolve, reject) => {
      const keys = types.map((type) => `${onboardingId}|${type}`);
      const timer = setTimeout(() => {
        for (const key of keys) this.#waiters.delete(key);
        reject(new JourneyTimeoutError(`no ${types.join(' / ')} for ${onboardingId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (arrival: { at: number; type: string }) => {
        clearTimeout(timer);
        resolve(arrival);
      };
      for (const key of keys) this.#waiters.set(key, done);
    });
  }

  /** Forgets arrivals for this onboarding that nobody waited for. */
  forget(onboardingId: string): void {
    for (const key of this.#arrivals.keys())
      if (key.startsWith(`${onboardingId}|`)) this.#arrivals.delete(key);
  }

  close(): void {
    this.#unsubscribe();
  }
}

const authorizedSchema = z.object({ redirect_to: z.string() });

/**
 * The load generator's own HTTP client: node:http with a keep-alive agent.
 * Lighter than fetch, so that the bench's side of each journey takes as
 * little of the shared event loop as possible.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function send(method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method,
        agent,
        signal: AbortSignal.timeout(JOURNEY_TIMEOUT_MS),
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function parseJson<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what}: the answer is not JSON`);
  }
  return schema.parse(json);
}

/** Counts the integrator API requests a journey makes (each is one API Gateway request on AWS). */
export interface ApiCounter {
  requests: number;
}

/**
 * `POST /onboardings`. `retries`: how many times a 5xx is retried, as an integrator does ("safe to
 * retry"), backing off from half a second (0.5, 1, 2 s: three quick retries on a loaded two-core
 * machine met the same overload each time); the load run retries, the measurements never do (a retry
 * would be timed).
 */
export async function createOnboarding(stack: LocalStack, api?: ApiCounter, retries = 0) {
  const started = performance.now();
  let answer = await send('POST', `${stack.urls.api}/onboardings`, {});
  for (let attempt = 0; answer.status >= 500 && attempt < retries; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    answer = await send('POST', `${stack.urls.api}/onboardings`, {});
  }
  if (api) api.requests++;
  if (answer.status !== 201) throw new Error(`POST /onboardings answered ${answer.status}`);
  const created = parseJson(createdOnboardingSchema, answer.text, 'POST /onboardings');
  return {
    onboardingId: created.onboarding_id,
    authLink: created.auth_link,
    ms: performance.now() - started,
  };
}

/** The user at the bank, through the simulator's non-interactive hook: where the browser goes next. */
export async function authorize(
  stack: LocalStack,
  authLink: string,
  user: string,
  decision: 'approve' | 'deny' = 'approve',
) {
  const answer = await send('POST', `${stack.urls.truelayer_auth}/_sandbox/authorize`, {
    auth_link: authLink,
    user,
    decision,
  });
  if (answer.status !== 200) throw new Error(`authorize answered ${answer.status}`);
  return parseJson(authorizedSchema, answer.text, 'authorize').redirect_to;
}

/**
 * The browser landing on our callback; we do not follow our own redirect. `retries`: how many times
 * the user reloads an error page, a second apart (the load run's users do; measurements never do).
 */
export async function sendCallback(redirectTo: string, api?: ApiCounter, retries = 0) {
  let answer = await send('GET', redirectTo);
  for (let attempt = 0; answer.status >= 500 && attempt < retries; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    answer = await send('GET', redirectTo);
  }
  if (api) api.requests++;
  if (answer.status !== 302) throw new Error(`GET /callback answered ${answer.status}`);
}

export async function sendChoice(
  stack: LocalStack,
  onboardingId: string,
  accountId: string,
  api?: ApiCounter,
) {
  const answer = await send('POST', `${stack.urls.api}/onboardings/${onboardingId}/account-choice`, {
    account_id: accountId,
  });
  if (api) api.requests++;
  if (answer.status !== 202) throw new Error(`account choice answered ${answer.status}`);
}

export interface ProductJourney {
  onboardingId: string;
  outcome: string;
  createMs: number;
  /** performance.now() readings. */
  callbackSentAt: number;
  callbackAnsweredAt: number;
  choiceRequiredAt?: number;
  choiceSentAt?: number;
  choiceAnsweredAt?: number;
  endedAt: number;
  /** Callback → end, without the user's think time between choice required and choice sent. */
  latencyMs: number;
  /** Whole journey, POST /onboardings included. */
  journeyMs: number;
}

/**
 * One journey through the product: create, approve at the bank, land on the
 * callback, then (for jane) choose an account as soon as the choice is asked
 * for, and wait for the journey's terminal event.
 */
export async function runProductJourney(
  stack: LocalStack,
  clock: EventClock,
  user: string,
  options: { accountId?: string; decision?: 'approve' | 'deny'; api?: ApiCounter } = {},
): Promise<ProductJourney> {
  const journeyStarted = performance.now();
  const created = await createOnboarding(stack, options.api);
  const redirectTo = await authorize(stack, created.authLink, user, options.decision);
  const callbackSentAt = performance.now();
  await sendCallback(redirectTo, options.api);
  const callbackAnsweredAt = performance.now();
  const id = created.onboardingId;
  let timings: Pick<ProductJourney, 'choiceRequiredAt' | 'choiceSentAt' | 'choiceAnsweredAt'> = {};
  let thinkMs = 0;
  if (options.accountId !== undefined) {
    const required = await clock.wait(id, [DetailTypes.accountChoiceRequired, ...TERMINAL]);
    if (required.type !== DetailTypes.accountChoiceRequired)
      throw new Error(`jane's journey ended ${required.type} before a choice was asked for`);
    const choiceSentAt = performance.now();
    await sendChoice(stack, id, options.accountId, options.api);
    timings = { choiceRequiredAt: required.at, choiceSentAt, choiceAnsweredAt: performance.now() };
    thinkMs = choiceSentAt - required.at;
  }
  const end = await clock.wait(id, TERMINAL);
  clock.forget(id);
  return {
    onboardingId: id,
    outcome: end.type,
    createMs: created.ms,
    callbackSentAt,
    callbackAnsweredAt,
    ...timings,
    endedAt: end.at,
    latencyMs: end.at - callbackSentAt - thinkMs,
    journeyMs: end.at - journeyStarted,
  };
}

/** The execution of an onboarding: named after it, so its ARN is known without listing. */
export function executionArn(stack: LocalStack, onboardingId: string): string {
  return `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${onboardingId}`;
}

export interface TaskSpan {
  state: string;
  /** Function id from the manifest (the FunctionName after the local prefix). */
  functionId: string;
  /** Wall-clock ms (history timestamps have 1 ms resolution). */
  start: number;
  end: number;
  outcome: 'succeeded' | 'failed' | 'submitted' | 'timed_out';
}

const parametersSchema = z.object({ FunctionName: z.string() }).loose();

function functionIdOf(parameters: string | undefined): string {
  if (parameters === undefined) return 'unknown';
  try {
    const parsed = parametersSchema.safeParse(JSON.parse(parameters));
    if (!parsed.success) return 'unknown';
    return (
      parsed.data.FunctionName.split(':')
        .at(-1)
        ?.replace(/^signupplus-local-/, '') ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/**
 * Each Lambda call of an execution: TaskScheduled → the first TaskSucceeded,
 * TaskFailed, TaskTimedOut or (for a callback task, when the function has
 * returned) TaskSubmitted after it.
 */
export function taskSpans(history: readonly HistoryEvent[]): TaskSpan[] {
  const spans: TaskSpan[] = [];
  let state = '';
  let open: { functionId: string; start: number } | undefined;
  const close = (end: Date, outcome: TaskSpan['outcome']) => {
    if (!open) return;
    spans.push({ state, functionId: open.functionId, start: open.start, end: end.getTime(), outcome });
    open = undefined;
  };
  for (const event of history) {
    if (event.type === 'TaskStateEntered') state = event.stateEnteredEventDetails?.name ?? '';
    else if (event.type === 'TaskScheduled')
      open = {
        functionId: functionIdOf(event.taskScheduledEventDetails?.parameters),
        start: event.timestamp.getTime(),
      };
    else if (event.type === 'TaskSucceeded') close(event.timestamp, 'succeeded');
    else if (event.type === 'TaskFailed') close(event.timestamp, 'failed');
    else if (event.type === 'TaskTimedOut') close(event.timestamp, 'timed_out');
    else if (event.type === 'TaskSubmitted') close(event.timestamp, 'submitted');
  }
  return spans;
}

/** States entered, in order: AWS bills one state transition per state entered (retries add more). */
export function statesEntered(history: readonly HistoryEvent[]): string[] {
  return history
    .filter((event) => event.type.endsWith('StateEntered'))
    .map((event) => event.stateEnteredEventDetails?.name ?? '?');
}

/** Retries: every TaskScheduled after the first of the same state entry. */
export function taskRetries(history: readonly HistoryEvent[]): number {
  let retries = 0;
  let scheduledInState = 0;
  for (const event of history) {
    if (event.type.endsWith('StateEntered')) scheduledInState = 0;
    if (event.type === 'TaskScheduled') {
      scheduledInState++;
      if (scheduledInState > 1) retries++;
    }
  }
  return retries;
}

/** Total length of the parts of `intervals` that fall inside `windows`. */
export function overlapMs(
  intervals: ReadonlyArray<readonly [number, number]>,
  windows: ReadonlyArray<readonly [number, number]>,
): number {
  let total = 0;
  for (const [start, end] of intervals) {
    for (const [from, to] of windows) total += Math.max(0, Math.min(end, to) - Math.max(start, from));
  }
  return total;
}
