import {
  type CheckoutRecord,
  CheckoutStore,
  failureAtPage,
  type Transition,
  type UndecidedStatus,
} from '../payments/checkout-store.ts';
import type { CreateMandateRequest } from './request.ts';

/** Who revoked a mandate (D:mandate-webhooks): the client through the API, or the user at their bank. */
export type RevocationSource = 'client' | 'user';

/** One mandate as the simulator keeps it. */
export interface MandateRecord extends CheckoutRecord {
  request: CreateMandateRequest;
  revocation?: { at: number; source: RevocationSource };
}

/** Mandate statuses (D:mandate-statuses; NET MandateDetail). */
export type MandateStatus = 'authorization_required' | 'authorizing' | 'authorized' | 'failed' | 'revoked';

/** A mandate's state at one instant. */
export interface MandateState {
  status: MandateStatus;
  authorizedAt?: number;
  failedAt?: number;
  /**
   * The status it failed in. TrueLayer also names `authorization_required` (a mandate refused before
   * the user acts); the simulator fails mandates at the hosted page only, so always `authorizing`.
   */
  failureStage?: 'authorization_required' | 'authorizing';
  failureReason?: 'authorization_failed' | 'canceled';
  revokedAt?: number;
  revocationSource?: RevocationSource;
}

export type MandateTransition = Transition<MandateState>;

/**
 * Mandates and their statuses, on the simulator's clock like payments (payments/checkout-store.ts).
 * At the hosted page `test_executed` authorizes the mandate and `test_authorisation_failed` or
 * Cancel fails it, at the decision's instant (as a payment is authorized at it). A mandate executes
 * nothing when it is authorised, so `test_execution_rejected` has nothing to reject: it authorizes
 * the mandate like `test_executed` (the simulator's choice; TrueLayer documents the mock users for
 * payments only). Revocation adds `revoked` when it happens.
 */
export class MandateStore extends CheckoutStore<MandateRecord, MandateState> {
  create(clientId: string, request: CreateMandateRequest): MandateRecord {
    return this.add({ ...this.fresh(clientId, request.user.id), request });
  }

  /** Whether the mandate may be revoked now: only an authorized one (D:mandate-statuses). */
  revocable(mandate: MandateRecord): boolean {
    return this.stateOf(mandate).status === 'authorized';
  }

  revoke(mandate: MandateRecord, source: RevocationSource): void {
    mandate.revocation = { at: this.now(), source };
    this.changed(mandate);
  }

  timelineOf(mandate: MandateRecord): MandateTransition[] {
    const { decision, revocation } = mandate;
    if (decision === undefined) return [];
    const { at, outcome } = decision;
    const failed = failureAtPage(outcome, at);
    if (failed !== undefined) return [{ at, state: failed }];
    const authorized: MandateTransition = { at, state: { status: 'authorized', authorizedAt: at } };
    if (revocation === undefined) return [authorized];
    const revoked: MandateState = {
      status: 'revoked',
      authorizedAt: at,
      revokedAt: revocation.at,
      revocationSource: revocation.source,
    };
    return [authorized, { at: revocation.at, state: revoked }];
  }

  protected undecided(status: UndecidedStatus): MandateState {
    return { status };
  }
}
