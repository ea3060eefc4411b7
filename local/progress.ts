/**
 * Journey progress for people watching the local runtime: the terminal of
 * `npm start`, the demo page's live timeline and `npm run journey`. One hub
 * turns three sources into one ordered list of steps per journey:
 * - the integrator API's calls (which route answered what, for which journey),
 * - the Step Functions execution history (named after the onboarding id),
 * - the events published on the local bus.
 * Steps of every journey are kept (a bounded number of journeys), so a page
 * that opens the stream after a journey started still sees it from the start.
 * Local only: nothing here exists on AWS, where the execution history and the
 * CloudWatch logs play this part.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { denialFailure } from '../functions/onboarding/denial.ts';
import type { DeliveredEvent } from './eventbridge.ts';
import type { HistoryEvent } from './stepfunctions/index.ts';

export type StepKind = 'api' | 'workflow' | 'state' | 'event';

/** How the step line names an error redirect, by the failure reason the callback records. */
const DENIAL_DETAILS: Readonly<Record<string, string>> = {
  access_denied: 'the user denied access',
  bank_login_failed: 'the bank login failed',
};

/** What a step ended in; `running` and `waiting` are the only ones that are not final for their step. */
export type StepOutcome =
  | 'running'
  | 'waiting'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'aborted'
  | 'started'
  | 'published'
  | `${number}`;

/** One thing that happened in a journey. Carries no secrets; an `event` step carries the published event. */
export interface ProgressStep {
  /** Increases by one per step across the hub: the SSE event id. */
  seq: number;
  at: string;
  /** The onboarding id (or another journey's id, such as a connection id); empty when none is known. */
  journey_id: string;
  kind: StepKind;
  /** Route key, state name, `execution` or detail type. */
  name: string;
  outcome: StepOutcome;
  /** A short, non-personal detail: an error name, an attempt number, an event id. */
  detail?: string;
  /** The event as EventBridge delivers it, for `event` steps. */
  event?: DeliveredEvent;
}

/** The same shape, for clients that read steps from the stream (the CLI, tests). */
export const progressStepSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  journey_id: z.string(),
  kind: z.enum(['api', 'workflow', 'state', 'event']),
  name: z.string(),
  outcome: z.string(),
  detail: z.string().optional(),
  event: z
    .object({
      id: z.string(),
      'detail-type': z.string(),
      source: z.string(),
      time: z.string(),
      detail: z.record(z.string(), z.unknown()),
    })
    .loose()
    .optional(),
});
export type ProgressStepMessage = z.infer<typeof progressStepSchema>;

type Listener = (step: ProgressStep) => void;

/** Journeys whose steps are kept for late subscribers; the oldest are forgotten first. */
const MAX_JOURNEYS = 2_000;
const MAX_STEPS_PER_JOURNEY = 500;
/** A comment line on idle streams, so proxies and browsers keep them open. */
const KEEP_ALIVE_MS = 15_000;

interface ExecutionTrack {
  state: string | undefined;
  attempts: number;
  failed: boolean;
}

const journeyKeys = ['onboarding_id', 'connection_id'] as const;
const idCarrier = z
  .object({ onboarding_id: z.string().optional(), connection_id: z.string().optional() })
  .loose();
const structuredResult = z
  .object({
    statusCode: z.number().optional(),
    body: z.string().optional(),
    headers: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

function idFromJsonText(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const parsed = idCarrier.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.onboarding_id ?? parsed.data.connection_id;
  } catch {
    // not JSON: an HTML page or an empty redirect body
  }
  return undefined;
}

function idFromLocation(location: unknown): string | undefined {
  if (typeof location !== 'string' || location === '') return undefined;
  try {
    const url = new URL(location, 'http://local.invalid');
    for (const key of journeyKeys) {
      const value = url.searchParams.get(key);
      if (value) return value;
    }
  } catch {
    // an unparseable location names no journey
  }
  return undefined;
}

/** Collects, keeps and fans out the steps of every journey. */
export class JourneyProgress {
  readonly #journeys = new Map<string, ProgressStep[]>();
  readonly #listeners = new Set<Listener>();
  readonly #executions = new Map<string, ExecutionTrack>();
  #seq = 0;

  /** Every step of one journey so far, oldest first. */
  steps(journeyId: string): readonly ProgressStep[] {
    return this.#journeys.get(journeyId) ?? [];
  }

  /** Called with every new step, of every journey; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** An integrator API call has been answered. Reads of a resource (GET with a path parameter) are skipped: they are polling, not progress. */
  apiCall(route: { method: string; path: string }, event: APIGatewayProxyEventV2, result: unknown): void {
    if (route.method === 'GET' && route.path.includes('{')) return;
    const parsed = structuredResult.safeParse(result);
    const answer = parsed.success ? parsed.data : {};
    const status = answer.statusCode ?? 200;
    const location = answer.headers?.location;
    const journeyId =
      event.pathParameters?.id ?? idFromJsonText(answer.body) ?? idFromLocation(location) ?? '';
    const denied = typeof location === 'string' && /[?&]outcome=denied/.test(location);
    const query = event.queryStringParameters ?? {};
    // Read the way the callback reads it, so a failed bank login is not shown as a refusal.
    const why = denied ? denialFailure(query.error ?? '', query.error_description).reason : undefined;
    this.#add({
      journey_id: journeyId,
      kind: 'api',
      name: `${route.method} ${route.path}`,
      outcome: `${status}`,
      ...(why ? { detail: DENIAL_DETAILS[why] ?? 'back with an authorisation error' } : {}),
    });
  }

  /** A Step Functions history event (the execution is named after the onboarding id). */
  historyEvent(executionArn: string, event: HistoryEvent): void {
    const track = this.#executions.get(executionArn) ?? { state: undefined, attempts: 0, failed: false };
    this.#executions.set(executionArn, track);
    if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') {
      this.#executions.delete(executionArn);
    }
    const found = stepOfHistoryEvent(event, track);
    if (!found) return;
    const [name, outcome, detail] = found;
    this.#add({
      journey_id: executionArn.split(':').at(-1) ?? executionArn,
      at: event.timestamp.toISOString(),
      kind: name === 'execution' ? 'workflow' : 'state',
      name,
      outcome,
      ...(detail ? { detail } : {}),
    });
  }

  /** An event accepted by the local bus. */
  busEvent(event: DeliveredEvent): void {
    const detail = idCarrier.safeParse(event.detail);
    const journeyId = detail.success ? (detail.data.onboarding_id ?? detail.data.connection_id ?? '') : '';
    const eventId = typeof event.detail.event_id === 'string' ? event.detail.event_id : event.id;
    this.#add({
      journey_id: journeyId,
      kind: 'event',
      name: event['detail-type'],
      outcome: 'published',
      detail: `event_id ${eventId}`,
      event,
    });
  }

  /**
   * `GET /_local/stream?onboarding_id=`: server-sent events, one `step` event
   * per step (JSON `ProgressStep`, id = seq). The journey's steps so far come
   * first, then new ones as they happen; without an id, new steps of every
   * journey. A reconnecting EventSource sends `Last-Event-ID` and gets only
   * what it missed.
   */
  stream(request: IncomingMessage, response: ServerResponse, url: URL): true {
    const journeyId =
      url.searchParams.get('onboarding_id') ??
      url.searchParams.get('connection_id') ??
      url.searchParams.get('journey_id') ??
      undefined;
    const lastHeader = request.headers['last-event-id'];
    const after = Number(Array.isArray(lastHeader) ? lastHeader[0] : (lastHeader ?? -1));
    const seen = Number.isFinite(after) ? after : -1;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n\n');
    const send = (step: ProgressStep) => {
      if (step.seq <= seen) return;
      response.write(`id: ${step.seq}\nevent: step\ndata: ${JSON.stringify(step)}\n\n`);
    };
    if (journeyId !== undefined) for (const step of this.steps(journeyId)) send(step);
    const unsubscribe = this.subscribe((step) => {
      if (journeyId === undefined || step.journey_id === journeyId) send(step);
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    response.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    return true;
  }

  #add(fields: Omit<ProgressStep, 'seq' | 'at'> & { at?: string }): void {
    const step: ProgressStep = { ...fields, seq: ++this.#seq, at: fields.at ?? new Date().toISOString() };
    let steps = this.#journeys.get(step.journey_id);
    if (!steps) {
      steps = [];
      this.#journeys.set(step.journey_id, steps);
      if (this.#journeys.size > MAX_JOURNEYS) {
        const oldest = this.#journeys.keys().next().value;
        if (oldest !== undefined) this.#journeys.delete(oldest);
      }
    }
    if (steps.length < MAX_STEPS_PER_JOURNEY) steps.push(step);
    for (const listener of this.#listeners) {
      try {
        listener(step);
      } catch (error) {
        console.error('progress listener threw', error);
      }
    }
  }
}

type FoundStep = [name: string, outcome: StepOutcome, detail?: string];

/**
 * Which step, if any, a history event reports. `track` remembers the Task the
 * execution is in, because Task* events do not name their state.
 */
function stepOfHistoryEvent(event: HistoryEvent, track: ExecutionTrack): FoundStep | undefined {
  const type = event.type;
  switch (type) {
    case 'ExecutionStarted':
      return ['execution', 'started'];
    case 'ExecutionSucceeded':
      return ['execution', 'succeeded'];
    case 'ExecutionFailed':
      return ['execution', 'failed', event.executionFailedEventDetails?.error];
    case 'ExecutionTimedOut':
      return ['execution', 'timed_out'];
    case 'ExecutionAborted':
      return ['execution', 'aborted'];
  }
  const entered = type.endsWith('StateEntered') ? event.stateEnteredEventDetails?.name : undefined;
  if (entered !== undefined) {
    Object.assign(track, { state: entered, attempts: 0, failed: false });
    if (type === 'TaskStateEntered') return [entered, 'running'];
    if (type === 'FailStateEntered') return [entered, 'failed'];
    return undefined;
  }
  const exited = type.endsWith('StateExited') ? event.stateExitedEventDetails?.name : undefined;
  if (exited !== undefined) {
    // A failed Task that was caught exits too; its failure was already reported.
    return track.state === exited && track.failed ? undefined : [exited, 'succeeded'];
  }
  const state = track.state;
  if (state === undefined) return undefined;
  switch (type) {
    case 'TaskScheduled':
    case 'LambdaFunctionScheduled':
      track.attempts += 1;
      if (track.attempts === 1) return undefined;
      track.failed = false;
      return [state, 'retrying', `attempt ${track.attempts}`];
    case 'TaskSubmitted':
      return [state, 'waiting', 'for a task token'];
    case 'TaskFailed':
    case 'LambdaFunctionFailed':
      track.failed = true;
      return [
        state,
        'failed',
        event.taskFailedEventDetails?.error ?? event.lambdaFunctionFailedEventDetails?.error,
      ];
    case 'TaskTimedOut':
    case 'LambdaFunctionTimedOut':
      track.failed = true;
      return [state, 'timed_out', 'States.Timeout'];
    default:
      return undefined;
  }
}

/** True for steps worth a terminal line: everything but a Task starting (its outcome follows). */
export function isMilestone(step: { outcome: string }): boolean {
  return step.outcome !== 'running';
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `HH:MM:SS.mmm` in local time. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** The first block of a UUID: enough to tell journeys apart on a terminal. */
export function shortId(id: string): string {
  return (id.split('-')[0] ?? id).slice(0, 8).padEnd(8, ' ') || '--------';
}

/**
 * One readable line per step: time, short journey id, kind, name, outcome.
 * `12:03:04.120  3f2a9c1e  state     LinkAccounts                        succeeded`
 */
export function formatStep(
  step: {
    at: string;
    journey_id: string;
    kind: string;
    name: string;
    outcome: string;
    detail?: string | undefined;
  },
  options: { withId?: boolean } = {},
): string {
  const id = options.withId === false ? '' : `${step.journey_id ? shortId(step.journey_id) : '--------'}  `;
  const outcome = step.detail ? `${step.outcome} (${step.detail})` : step.outcome;
  return `${clockTime(step.at)}  ${id}${step.kind.padEnd(8)}  ${step.name.padEnd(38)}  ${outcome}`;
}
