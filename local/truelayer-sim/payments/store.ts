import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CreatePaymentRequest, MockPaymentProviderId } from './request.ts';

/**
 * The mock bank's login names for payments and what each does (D:mock-providers-for-payments-v3):
 * the payment executes, the bank refuses the authorisation, or the bank rejects the execution.
 */
export const PAYMENT_USERS = [
  'test_executed',
  'test_authorisation_failed',
  'test_execution_rejected',
] as const;
export type PaymentUser = (typeof PAYMENT_USERS)[number];

export function isPaymentUser(name: string): name is PaymentUser {
  return PAYMENT_USERS.some((user) => user === name);
}

/** What the user did at the hosted page: paid as a mock user, or cancelled. */
export type PaymentDecision = { kind: 'approve'; user: PaymentUser } | { kind: 'cancel' };

/** One payment as the simulator keeps it. */
export interface PaymentRecord {
  id: string;
  clientId: string;
  resourceToken: string;
  userId: string;
  request: CreatePaymentRequest;
  createdAt: number;
  /** When the hosted page was first opened: the payment is `authorizing` from then. */
  openedAt?: number;
  decision?: { at: number; providerId: MockPaymentProviderId; outcome: PaymentDecision };
}

/** Payments v3 statuses (D:payment-statuses; JAVA/PHP payment detail models). */
export type PaymentStatus =
  | 'authorization_required'
  | 'authorizing'
  | 'authorized'
  | 'executed'
  | 'settled'
  | 'failed';

/** A payment's state at one instant. */
export interface PaymentState {
  status: PaymentStatus;
  authorizedAt?: number;
  executedAt?: number;
  settledAt?: number;
  failedAt?: number;
  failureStage?: 'authorizing' | 'authorized';
  failureReason?: 'authorization_failed' | 'rejected' | 'canceled';
}

/** A status a decided payment enters, and when on the simulator's clock. */
export interface PaymentTransition {
  at: number;
  state: PaymentState;
}

/** What `POST /v3/payments` found for an Idempotency-Key. */
export type IdempotentLookup =
  | { kind: 'new' }
  | { kind: 'replay'; payment: PaymentRecord }
  | { kind: 'conflict' };

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Payments, their Idempotency-Keys and their statuses. A status is worked out from the clock when
 * asked, so tests move the injected clock instead of waiting: after the decision each further step
 * (authorized → executed → settled, or authorized → failed for a rejected execution) takes `stepMs`.
 */
export class PaymentStore {
  readonly #now: () => number;
  readonly #stepMs: number;
  readonly #payments = new Map<string, PaymentRecord>();
  /** `client_id` + Idempotency-Key → the payment and the body hash it was created with. */
  readonly #keys = new Map<string, { bodyHash: string; paymentId: string }>();
  readonly #listeners: ((payment: PaymentRecord) => void)[] = [];

  constructor(now: () => number, options: { stepMs: number }) {
    this.#now = now;
    this.#stepMs = options.stepMs;
  }

  /** A key already used by this client: the same body replays it, another body conflicts (D:add-idempotency). */
  lookupKey(clientId: string, key: string, body: string): IdempotentLookup {
    const seen = this.#keys.get(`${clientId}\n${key}`);
    if (seen === undefined) return { kind: 'new' };
    const payment = this.#payments.get(seen.paymentId);
    if (seen.bodyHash !== hashOf(body) || payment === undefined) return { kind: 'conflict' };
    return { kind: 'replay', payment };
  }

  create(clientId: string, key: string, body: string, request: CreatePaymentRequest): PaymentRecord {
    const payment: PaymentRecord = {
      id: randomUUID(),
      clientId,
      resourceToken: randomBytes(24).toString('base64url'),
      userId: request.user.id ?? randomUUID(),
      request,
      createdAt: this.#now(),
    };
    this.#payments.set(payment.id, payment);
    this.#keys.set(`${clientId}\n${key}`, { bodyHash: hashOf(body), paymentId: payment.id });
    return payment;
  }

  get(id: string): PaymentRecord | undefined {
    return this.#payments.get(id);
  }

  /** The hosted page was opened: authorization_required becomes authorizing. */
  markOpened(payment: PaymentRecord): void {
    payment.openedAt ??= this.#now();
  }

  /** Whether the user can still act on the payment's hosted page. */
  awaitsDecision(payment: PaymentRecord): boolean {
    return payment.decision === undefined;
  }

  decide(payment: PaymentRecord, providerId: MockPaymentProviderId, outcome: PaymentDecision): void {
    payment.decision = { at: this.#now(), providerId, outcome };
    for (const listener of this.#listeners) listener(payment);
  }

  /** Calls `listener` with each payment the moment its user decides (webhooks start from there). */
  onDecided(listener: (payment: PaymentRecord) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Every status the payment goes through after the decision, in order, each with the instant (on
   * the simulator's clock) it starts and the payment's state from then on. Fixed once decided; empty
   * before. `stateOf` and the webhooks both read it, so they cannot disagree.
   */
  timelineOf(payment: PaymentRecord): PaymentTransition[] {
    const { decision } = payment;
    if (decision === undefined) return [];
    const at = decision.at;
    const { outcome } = decision;
    if (outcome.kind === 'cancel') {
      const state: PaymentState = {
        status: 'failed',
        failedAt: at,
        failureStage: 'authorizing',
        failureReason: 'canceled',
      };
      return [{ at, state }];
    }
    if (outcome.user === 'test_authorisation_failed') {
      const state: PaymentState = {
        status: 'failed',
        failedAt: at,
        failureStage: 'authorizing',
        failureReason: 'authorization_failed',
      };
      return [{ at, state }];
    }
    const step = this.#stepMs;
    const authorized: PaymentTransition = { at, state: { status: 'authorized', authorizedAt: at } };
    if (outcome.user === 'test_execution_rejected') {
      const failed: PaymentState = {
        status: 'failed',
        authorizedAt: at,
        failedAt: at + step,
        failureStage: 'authorized',
        failureReason: 'rejected',
      };
      return [authorized, { at: at + step, state: failed }];
    }
    const executed: PaymentState = { status: 'executed', authorizedAt: at, executedAt: at + step };
    const settled: PaymentState = { ...executed, status: 'settled', settledAt: at + 2 * step };
    return [authorized, { at: at + step, state: executed }, { at: at + 2 * step, state: settled }];
  }

  /** The payment's status now. */
  stateOf(payment: PaymentRecord): PaymentState {
    if (payment.decision === undefined) {
      return { status: payment.openedAt === undefined ? 'authorization_required' : 'authorizing' };
    }
    const now = this.#now();
    const timeline = this.timelineOf(payment);
    const reached = timeline.filter((transition) => transition.at <= now);
    // A clock set back before the decision still shows the first status after it.
    const current = reached.at(-1) ?? timeline[0];
    if (current === undefined) throw new Error(`payment ${payment.id} has a decision but no timeline`);
    return current.state;
  }
}
