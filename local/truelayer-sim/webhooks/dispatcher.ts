import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientRegistry } from '../clients.ts';
import type { IdentificationStore } from '../finland/store.ts';
import type { MandateStore } from '../mandates/store.ts';
import type { PaymentStore } from '../payments/store.ts';
import type { RandomSource } from '../rng.ts';
import type { IdentificationExpiredType, WebhookAbout, WebhookEvent, WebhookType } from './events.ts';
import { type WebhookFaults, WebhookFaultsSchema } from './faults.ts';
import type { WebhookSigner } from './signer.ts';
import { identificationSubject, mandateSubject, paymentSubject, type WebhookSubject } from './subjects.ts';

/** One attempt to deliver a webhook, about a payment (`payment_id`) or a mandate (`mandate_id`). */
export type WebhookDelivery = WebhookAbout & {
  event_id: string;
  type: WebhookType;
  /** 1 for the first attempt of a delivery, then 2, 3, … for its retries (a duplicate starts again at 1). */
  attempt: number;
  /** The receiver's HTTP status, or `network_error` (refused, reset, timed out). */
  status: number | 'network_error';
  /** When it was sent, on the simulator's clock (the `X-Tl-Webhook-Timestamp` it carried). */
  at: string;
};

/** Control and observation of the simulator's webhooks (`sim.webhooks`). */
export interface WebhookController {
  /** Replaces the webhook faults (validated); `times` restarts. */
  setFaults(faults: WebhookFaults): void;
  clearFaults(): void;
  /** The faults in force (with `times` counting down), or undefined. */
  currentFaults(): WebhookFaults | undefined;
  /** Every delivery attempt so far, oldest first. */
  deliveries(): readonly WebhookDelivery[];
  /**
   * Resolves once no webhook is due (on the simulator's clock), waiting (faults, retries) or in flight.
   * @throws when that takes longer than `timeoutMs` (default 10 000).
   */
  drain(timeoutMs?: number): Promise<void>;
}

/** The retry schedule and timings: TrueLayer's are far longer; these keep tests quick. */
export interface WebhookTimings {
  /** How often due webhooks are looked for (real ms). */
  pollMs: number;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Retry n waits `retryBaseMs * 2^(n-1)`, jittered to 50–100 % of it. */
  retryBaseMs: number;
  /** A receiver that has not answered by then is a `network_error`. */
  requestTimeoutMs: number;
  /** With `reorder`, how long a payment's (or mandate's) due webhooks are gathered before going out newest first. */
  reorderWindowMs: number;
}

export const DEFAULT_WEBHOOK_TIMINGS: WebhookTimings = {
  pollMs: 25,
  maxAttempts: 5,
  retryBaseMs: 100,
  requestTimeoutMs: 5000,
  reorderWindowMs: 150,
};

export interface WebhookDispatcherOptions {
  payments: PaymentStore;
  mandates: MandateStore;
  /** Signup+ in Finland's identification links: each one that expires unused sends a webhook. */
  identifications: IdentificationStore;
  /** The `type` of that webhook when it falls due (switch `identification_expired_type`). */
  identificationExpiredType: () => IdentificationExpiredType;
  clients: ClientRegistry;
  signer: WebhookSigner;
  /** The simulator's clock (epoch ms): when transitions fall due, timestamps. */
  now: () => number;
  /** Jitter of the retry schedule. */
  random: RandomSource;
  timings?: Partial<WebhookTimings>;
  log?: (line: string) => void;
}

/** Faults fixed onto one event when it falls due. */
type AppliedFaults = Omit<WebhookFaults, 'times'>;

/** An event on its way to one client's webhook URI. */
interface Outgoing {
  event: WebhookEvent;
  uri: string;
  /** Path of the URI, as signed. */
  path: string;
  faults: AppliedFaults;
}

/** One attempt waiting for its (real) time. */
interface Send {
  outgoing: Outgoing;
  attempt: number;
  /** Real time (performance.now) it may go. */
  sendAt: number;
  /** First attempts of one payment (or mandate) go one at a time, in order; retries do not wait. */
  ordered: boolean;
  seq: number;
}

interface Tracked {
  subject: WebhookSubject;
  uri: string;
  /** How many steps have been turned into webhooks (or skipped). */
  emitted: number;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Turns payment and mandate transitions, and identification links expiring unused (subjects.ts),
 * into webhooks and delivers them. Transitions fall due on the simulator's clock, which may jump
 * (the local stack's controlled clock), so a short real-time poll looks for due ones instead of
 * timers set per webhook; delays and retries run on real time.
 */
export class WebhookDispatcher implements WebhookController {
  readonly #options: WebhookDispatcherOptions;
  readonly #timings: WebhookTimings;
  readonly #tracked = new Map<string, Tracked>();
  readonly #reorder = new Map<string, { flushAt: number; outgoing: Outgoing[] }>();
  #pending: Send[] = [];
  readonly #busyLanes = new Set<string>();
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #closing = new AbortController();
  #faults: { faults: AppliedFaults; remaining: number | undefined } | undefined;
  #inFlight = 0;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#timings = { ...DEFAULT_WEBHOOK_TIMINGS, ...options.timings };
    options.payments.onChanged((payment) =>
      this.#track(paymentSubject(options.payments, payment, options.clients)),
    );
    options.mandates.onChanged((mandate) => this.#track(mandateSubject(options.mandates, mandate)));
    options.identifications.onOpened((session) =>
      this.#track(identificationSubject(session, options.identificationExpiredType)),
    );
  }

  /** Starts the poll. */
  start(): void {
    this.#timer ??= setInterval(() => this.#tick(), this.#timings.pollMs);
    this.#timer.unref();
  }

  /** Stops the poll, aborts requests in flight and forgets everything waiting. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#closing.abort();
    this.#tracked.clear();
    this.#reorder.clear();
    this.#pending = [];
  }

  setFaults(faults: WebhookFaults): void {
    const { times, ...applied } = WebhookFaultsSchema.parse(faults);
    this.#faults = { faults: applied, remaining: times };
  }

  clearFaults(): void {
    this.#faults = undefined;
  }

  currentFaults(): WebhookFaults | undefined {
    if (this.#faults === undefined) return undefined;
    const { faults, remaining } = this.#faults;
    return remaining === undefined ? { ...faults } : { ...faults, times: remaining };
  }

  deliveries(): readonly WebhookDelivery[] {
    return this.#deliveries.map((delivery) => ({ ...delivery }));
  }

  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.#tick();
      if (this.#closing.signal.aborted || this.#idle()) return;
      if (performance.now() > deadline) {
        throw new Error(
          `webhooks not drained within ${timeoutMs} ms: ${this.#pending.length} waiting, ${this.#inFlight} in flight`,
        );
      }
      await sleep(5);
    }
  }

  #idle(): boolean {
    return this.#pending.length === 0 && this.#inFlight === 0 && this.#reorder.size === 0;
  }

  /** Follows a subject's steps; one already followed reads its steps afresh, so it is kept as it is. */
  #track(subject: WebhookSubject): void {
    const client = this.#options.clients.get(subject.clientId);
    if (client?.webhook_uri === undefined || this.#closing.signal.aborted) return;
    if (this.#tracked.has(subject.id)) return;
    this.#tracked.set(subject.id, { subject, uri: client.webhook_uri, emitted: subject.sent });
  }

  #tick(): void {
    if (this.#closing.signal.aborted) return;
    this.#scan();
    this.#flushReorder();
    this.#dispatchDue();
  }

  /** Turns every step that has fallen due on the simulator's clock into an event, in order. */
  #scan(): void {
    const now = this.#options.now();
    for (const [id, tracked] of this.#tracked) {
      const steps = tracked.subject.steps();
      while (tracked.emitted < steps.length) {
        const step = steps[tracked.emitted];
        if (step === undefined || step.at > now) break;
        tracked.emitted += 1;
        const event = step.event();
        if (event !== undefined) this.#emit(event, tracked.uri);
      }
      if (tracked.emitted >= steps.length) this.#tracked.delete(id);
    }
  }

  /** The faults for the next event; a `times` count goes down by one. */
  #takeFaults(): AppliedFaults {
    const current = this.#faults;
    if (current === undefined) return {};
    if (current.remaining !== undefined) {
      if (current.remaining <= 0) {
        this.#faults = undefined;
        return {};
      }
      current.remaining -= 1;
      if (current.remaining === 0) this.#faults = undefined;
    }
    return current.faults;
  }

  #emit(event: WebhookEvent, uri: string): void {
    const faults = this.#takeFaults();
    if (faults.drop === true) {
      this.#options.log?.(`[truelayer-sim] webhook ${event.type} ${event.eventId} dropped (fault)`);
      return;
    }
    const outgoing: Outgoing = { event, uri, path: new URL(uri).pathname, faults };
    if (faults.reorder === true) {
      const held = this.#reorder.get(event.subjectId);
      if (held === undefined) {
        const flushAt = performance.now() + this.#timings.reorderWindowMs;
        this.#reorder.set(event.subjectId, { flushAt, outgoing: [outgoing] });
      } else {
        held.outgoing.push(outgoing);
      }
      return;
    }
    this.#queue(outgoing);
  }

  #flushReorder(): void {
    const real = performance.now();
    for (const [subjectId, held] of this.#reorder) {
      if (held.flushAt > real) continue;
      this.#reorder.delete(subjectId);
      for (const outgoing of held.outgoing.reverse()) this.#queue(outgoing);
    }
  }

  /** Queues the first attempt (twice with `duplicate`), `delayMs` late. */
  #queue(outgoing: Outgoing): void {
    const sendAt = performance.now() + (outgoing.faults.delayMs ?? 0);
    const copies = outgoing.faults.duplicate === true ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      this.#pending.push({ outgoing, attempt: 1, sendAt, ordered: true, seq: this.#seq++ });
    }
  }

  #dispatchDue(): void {
    const real = performance.now();
    const due = this.#pending
      .filter((send) => send.sendAt <= real)
      .sort((a, b) => a.sendAt - b.sendAt || a.seq - b.seq);
    for (const send of due) {
      const lane = send.outgoing.event.subjectId;
      if (send.ordered) {
        if (this.#busyLanes.has(lane)) continue;
        this.#busyLanes.add(lane);
      }
      this.#pending = this.#pending.filter((other) => other !== send);
      void this.#attempt(send);
    }
  }

  async #attempt(send: Send): Promise<void> {
    const { outgoing, attempt } = send;
    const { event } = outgoing;
    this.#inFlight += 1;
    const sentAt = this.#options.now();
    const timestamp = isoSeconds(sentAt);
    const signature = this.#options.signer.sign({
      path: outgoing.path,
      timestamp,
      body: event.body,
      bad: outgoing.faults.badSignature === true,
    });
    let status: number | 'network_error';
    try {
      const res = await fetch(outgoing.uri, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Tl-Signature': signature,
          'X-TL-Webhook-Timestamp': timestamp,
        },
        body: event.body,
        redirect: 'manual',
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#timings.requestTimeoutMs)]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 'network_error';
    } finally {
      this.#inFlight -= 1;
      if (send.ordered) this.#busyLanes.delete(event.subjectId);
    }
    if (this.#closing.signal.aborted) return;
    this.#deliveries.push({
      event_id: event.eventId,
      type: event.type,
      ...event.about,
      attempt,
      status,
      at: new Date(sentAt).toISOString(),
    });
    const delivered = typeof status === 'number' && status >= 200 && status < 300;
    this.#options.log?.(
      `[truelayer-sim] webhook ${event.type} ${event.eventId} attempt ${attempt} -> ${status}`,
    );
    if (!delivered && attempt < this.#timings.maxAttempts) {
      const backoff = this.#timings.retryBaseMs * 2 ** (attempt - 1);
      const wait = backoff * (0.5 + this.#options.random() / 2);
      this.#pending.push({
        outgoing,
        attempt: attempt + 1,
        sendAt: performance.now() + wait,
        ordered: false,
        seq: this.#seq++,
      });
    }
    this.#tick();
  }
}
