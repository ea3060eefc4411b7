import { randomBytes } from 'node:crypto';
import type { AuthRequest } from './auth-request.ts';

/** Where a dialog session stands. */
export type DialogStep = 'provider' | 'consent' | 'login';

/** Server-side state of one auth dialog, found again through its opaque id. */
export interface DialogSession {
  id: string;
  request: AuthRequest;
  step: DialogStep;
  /** The bank chosen (or preselected); set once the provider step is done. */
  providerId?: string;
  expiresAt: number;
}

/** How long an unfinished dialog stays usable. */
export const DIALOG_TTL_MS = 30 * 60 * 1000;

/** Pending dialogs plus the links that are already spent. */
export class DialogStore {
  readonly #now: () => number;
  readonly #sessions = new Map<string, DialogSession>();
  readonly #usedLinks = new Set<string>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Starts a dialog for a validated link; the bank step is skipped when the link fixes the bank. */
  open(request: AuthRequest): DialogSession {
    this.#sweep();
    const session: DialogSession = {
      id: randomBytes(24).toString('base64url'),
      request,
      step: request.preselectedProviderId === undefined ? 'provider' : 'consent',
      expiresAt: this.#now() + DIALOG_TTL_MS,
    };
    if (request.preselectedProviderId !== undefined) session.providerId = request.preselectedProviderId;
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, if any. */
  get(id: string): DialogSession | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (this.#now() >= session.expiresAt) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends a session (after approval or denial). */
  finish(id: string): void {
    this.#sessions.delete(id);
  }

  /** True once the link was approved or denied. */
  isUsed(linkKey: string): boolean {
    return this.#usedLinks.has(linkKey);
  }

  /** Spends the link: every later attempt with it gets an error page. */
  markUsed(linkKey: string): void {
    this.#usedLinks.add(linkKey);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (now >= session.expiresAt) this.#sessions.delete(id);
  }
}
