import {
  type CheckoutRecord,
  CheckoutStore,
  failureAtPage,
  type Transition,
  type UndecidedStatus,
} from './checkout-store.ts';
import type { CreatePaymentRequest } from './request.ts';

/** One payment as the simulator keeps it. */
export interface PaymentRecord extends CheckoutRecord {
  request: CreatePaymentRequest;
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
export type PaymentTransition = Transition<PaymentState>;

/**
 * Payments and their statuses (Idempotency-Keys: idempotency.ts). After the decision each further
 * step (authorized → executed → settled, or authorized → failed for a rejected execution) takes
 * `stepMs` on the simulator's clock.
 */
export class PaymentStore extends CheckoutStore<PaymentRecord, PaymentState> {
  readonly #stepMs: number;

  constructor(now: () => number, options: { stepMs: number }) {
    super(now);
    this.#stepMs = options.stepMs;
  }

  create(clientId: string, request: CreatePaymentRequest): PaymentRecord {
    return this.add({ ...this.fresh(clientId, request.user.id), request });
  }

  timelineOf(payment: PaymentRecord): PaymentTransition[] {
    const { decision } = payment;
    if (decision === undefined) return [];
    const { at, outcome } = decision;
    const failed = failureAtPage(outcome, at);
    if (failed !== undefined) return [{ at, state: failed }];
    const step = this.#stepMs;
    const authorized: PaymentTransition = { at, state: { status: 'authorized', authorizedAt: at } };
    if (outcome.kind === 'approve' && outcome.user === 'test_execution_rejected') {
      const rejected: PaymentState = {
        status: 'failed',
        authorizedAt: at,
        failedAt: at + step,
        failureStage: 'authorized',
        failureReason: 'rejected',
      };
      return [authorized, { at: at + step, state: rejected }];
    }
    const executed: PaymentState = { status: 'executed', authorizedAt: at, executedAt: at + step };
    const settled: PaymentState = { ...executed, status: 'settled', settledAt: at + 2 * step };
    return [authorized, { at: at + step, state: executed }, { at: at + 2 * step, state: settled }];
  }

  protected undecided(status: UndecidedStatus): PaymentState {
    return { status };
  }
}
