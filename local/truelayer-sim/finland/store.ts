import { randomBytes, randomUUID } from 'node:crypto';

/** What became of an identification session. */
export type IdentificationOutcome =
  /** The user identified; `reference` is the `authorization_reference` issued (none for a known user). */
  | { kind: 'approved'; at: number; reference?: string }
  /** The user cancelled at their bank. */
  | { kind: 'denied'; at: number };

/**
 * One `POST /signup-plus/authuri`: the link where the payer of a euro payment identifies at their
 * bank, and what came of it. `id` is the authorization's id (the expiry webhook's
 * `authorization_id`); `uuid` is the link's second half, which only the link carries.
 */
export interface Identification {
  id: string;
  uuid: string;
  clientId: string;
  paymentId: string;
  state?: string;
  createdAt: number;
  /** When the link dies unused, on the simulator's clock (moved to now by the expire hook). */
  expiresAt: number;
  /** TrueLayer already knew the user: no link, done when asked for (`identification_known_user`). */
  knownUser: boolean;
  outcome?: IdentificationOutcome;
}

/** Where one identification stands now. */
export type IdentificationStatus = 'open' | 'approved' | 'denied' | 'expired';

/** What Signup+ in Finland knows of a payment's payer now, over all its identifications. */
export type PaymentIdentification =
  /** Identified (at least once): the references issued, and whether a known user's counts among them. */
  | { kind: 'identified'; references: readonly string[]; knownUser: boolean }
  /** The newest link died unused. */
  | { kind: 'expired' }
  /** Never asked for, still open, or cancelled. */
  | { kind: 'unidentified' };

/**
 * The identification sessions of Signup+ in Finland, on the simulator's clock like payments: a
 * session expires when the clock passes `expiresAt`, so tests move the clock instead of waiting,
 * and the webhooks' poll (webhooks/subjects.ts) sees the expiry the same way.
 */
export class IdentificationStore {
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #sessions = new Map<string, Identification>();
  readonly #listeners: ((session: Identification) => void)[] = [];

  constructor(now: () => number, options: { ttlSeconds: number }) {
    this.#now = now;
    this.#ttlMs = options.ttlSeconds * 1000;
  }

  /** A new link for the payment; each call is a session of its own. */
  open(clientId: string, paymentId: string, state: string | undefined): Identification {
    return this.#add(clientId, paymentId, state, false);
  }

  /** TrueLayer already knew the user: the identification is done as it is asked for, with no link. */
  recordKnownUser(clientId: string, paymentId: string, state: string | undefined): Identification {
    return this.#add(clientId, paymentId, state, true);
  }

  #add(clientId: string, paymentId: string, state: string | undefined, knownUser: boolean): Identification {
    const now = this.#now();
    const session: Identification = {
      id: randomUUID(),
      uuid: randomUUID(),
      clientId,
      paymentId,
      ...(state === undefined ? {} : { state }),
      createdAt: now,
      expiresAt: now + this.#ttlMs,
      knownUser,
      ...(knownUser ? { outcome: { kind: 'approved', at: now } } : {}),
    };
    this.#sessions.set(session.id, session);
    for (const listener of this.#listeners) listener(session);
    return session;
  }

  /** The session a link names: its id and its uuid must both match. */
  find(id: string, uuid: string): Identification | undefined {
    const session = this.#sessions.get(id);
    return session?.uuid === uuid ? session : undefined;
  }

  statusOf(session: Identification): IdentificationStatus {
    if (session.outcome !== undefined) return session.outcome.kind;
    return this.#now() >= session.expiresAt ? 'expired' : 'open';
  }

  /** The user approved (a fresh `authorization_reference`) or cancelled; only an open session can be. */
  decide(session: Identification, decision: 'approve' | 'deny'): IdentificationOutcome {
    if (this.statusOf(session) !== 'open') throw new Error(`identification ${session.id} is not open`);
    const at = this.#now();
    session.outcome =
      decision === 'approve'
        ? { kind: 'approved', at, reference: randomBytes(18).toString('base64url') }
        : { kind: 'denied', at };
    return session.outcome;
  }

  /** Ends an open session now, as if its time had run out (the expire hook). */
  expireNow(session: Identification): void {
    if (this.statusOf(session) === 'open') session.expiresAt = this.#now();
  }

  /**
   * The payment's payer as its identifications tell: identified once any was approved; else expired
   * when the newest one died unused; else not (yet) identified.
   */
  identificationOf(paymentId: string): PaymentIdentification {
    const sessions = [...this.#sessions.values()].filter((session) => session.paymentId === paymentId);
    const approved = sessions.filter((session) => session.outcome?.kind === 'approved');
    if (approved.length > 0) {
      return {
        kind: 'identified',
        references: approved.flatMap((session) =>
          session.outcome?.kind === 'approved' && session.outcome.reference !== undefined
            ? [session.outcome.reference]
            : [],
        ),
        knownUser: approved.some((session) => session.knownUser),
      };
    }
    const newest = sessions.at(-1);
    if (newest !== undefined && this.statusOf(newest) === 'expired') return { kind: 'expired' };
    return { kind: 'unidentified' };
  }

  /** Calls `listener` with each new session (the webhooks follow it until it expires or is used). */
  onOpened(listener: (session: Identification) => void): void {
    this.#listeners.push(listener);
  }
}
