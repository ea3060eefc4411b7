import { randomBytes, randomUUID } from 'node:crypto';
import type { MockPaymentProviderId } from './request.ts';

/**
 * The mock bank's login names for payments and what each does (D:mock-providers-for-payments-v3):
 * the payment executes, the bank refuses the authorisation, or the bank rejects the execution.
 * The hosted page takes the same names for a mandate (mandates/store.ts says what each does there).
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

/** What the user did at the hosted page: authorised as a mock user, or cancelled. */
export type PaymentDecision = { kind: 'approve'; user: PaymentUser } | { kind: 'cancel' };

/** What the hosted page authorises (a payment or a mandate), as its store keeps it. */
export interface CheckoutRecord {
  id: string;
  clientId: string;
  /** What the hosted page link must carry (`resource_token`). */
  resourceToken: string;
  userId: string;
  createdAt: number;
  /** When the hosted page was first opened: `authorizing` from then. */
  openedAt?: number;
  decision?: { at: number; providerId: MockPaymentProviderId; outcome: PaymentDecision };
}

/** The statuses before the user decides, shared by payments and mandates (D:payment-statuses, D:mandate-statuses). */
export type UndecidedStatus = 'authorization_required' | 'authorizing';

/** A status a decided record enters, and when on the simulator's clock. */
export interface Transition<S> {
  at: number;
  state: S;
}

/**
 * Failing at the hosted page, the same for a payment and a mandate: the bank refuses the
 * authorisation (`test_authorisation_failed`) or the user cancels, at the `authorizing` stage.
 * Undefined for an outcome that does not fail there.
 */
export function failureAtPage(
  outcome: PaymentDecision,
  at: number,
):
  | {
      status: 'failed';
      failedAt: number;
      failureStage: 'authorizing';
      failureReason: 'canceled' | 'authorization_failed';
    }
  | undefined {
  if (outcome.kind === 'approve' && outcome.user !== 'test_authorisation_failed') return undefined;
  return {
    status: 'failed',
    failedAt: at,
    failureStage: 'authorizing',
    failureReason: outcome.kind === 'cancel' ? 'canceled' : 'authorization_failed',
  };
}

/**
 * What payments and mandates share: ids and resource tokens, the hosted page's opening and decision,
 * listeners (the webhooks), and a status worked out from the clock when asked, so tests move the
 * injected clock instead of waiting. Each subclass says which statuses follow a decision
 * (`timelineOf`).
 */
export abstract class CheckoutStore<R extends CheckoutRecord, S extends { status: string }> {
  protected readonly now: () => number;
  readonly #records = new Map<string, R>();
  readonly #listeners: ((record: R) => void)[] = [];

  constructor(now: () => number) {
    this.now = now;
  }

  /** The fields every new record starts with; `userId` is the request's `user.id` when it has one. */
  protected fresh(clientId: string, userId: string | undefined): CheckoutRecord {
    return {
      id: randomUUID(),
      clientId,
      resourceToken: randomBytes(24).toString('base64url'),
      userId: userId ?? randomUUID(),
      createdAt: this.now(),
    };
  }

  protected add(record: R): R {
    this.#records.set(record.id, record);
    return record;
  }

  get(id: string): R | undefined {
    return this.#records.get(id);
  }

  /** The hosted page was opened: authorization_required becomes authorizing. */
  markOpened(record: R): void {
    record.openedAt ??= this.now();
  }

  /** Whether the user can still act on the hosted page. */
  awaitsDecision(record: R): boolean {
    return record.decision === undefined;
  }

  decide(record: R, providerId: MockPaymentProviderId, outcome: PaymentDecision): void {
    record.decision = { at: this.now(), providerId, outcome };
    this.changed(record);
  }

  /** Calls `listener` with each record the moment its timeline grows (webhooks start from there). */
  onChanged(listener: (record: R) => void): void {
    this.#listeners.push(listener);
  }

  protected changed(record: R): void {
    for (const listener of this.#listeners) listener(record);
  }

  /**
   * Every status the record goes through after the decision, in order, each with the instant (on
   * the simulator's clock) it starts and the state from then on. Empty before the decision.
   * `stateOf` and the webhooks both read it, so they cannot disagree.
   */
  abstract timelineOf(record: R): Transition<S>[];

  /** The state before the decision. */
  protected abstract undecided(status: UndecidedStatus): S;

  /** The record's status now. */
  stateOf(record: R): S {
    if (record.decision === undefined) {
      return this.undecided(record.openedAt === undefined ? 'authorization_required' : 'authorizing');
    }
    const now = this.now();
    const timeline = this.timelineOf(record);
    const reached = timeline.filter((transition) => transition.at <= now);
    // A clock set back before the decision still shows the first status after it.
    const current = reached.at(-1) ?? timeline[0];
    if (current === undefined) throw new Error(`${record.id} has a decision but no timeline`);
    return current.state;
  }
}
