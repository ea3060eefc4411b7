import { createHash } from 'node:crypto';
import { PROVIDERS, type Provider } from '../providers.ts';
import type { AcceptedRequest, SimFilter } from './validate.ts';

export type SimConnectionStatus = 'authorization_required' | 'authorizing' | 'authorized' | 'failed';

/** Where the user is in the simulated journey. */
export type JourneyStep = 'provider' | 'consent' | 'login' | 'result' | 'done';

/** One connection as the simulator keeps it. */
export interface SimConnection {
  id: string;
  clientId: string;
  /** What the hosted pages call the application (the client's name, else its id). */
  clientName: string;
  userId: string;
  status: SimConnectionStatus;
  request: AcceptedRequest;
  /** Banks the hosted page offers (one when preselected). */
  providers: Provider[];
  providerId?: string;
  step: JourneyStep;
  username?: string;
  /** When the user authorised it (the simulator's clock): user info is readable for five minutes. */
  authorizedAt?: number;
  failureReason?: string;
  /** `Tl-User-IP` as received, kept so tests can see it arrived. */
  userIp?: string;
  idempotencyKey?: string;
  /** The body exactly as received, for inspection. */
  body: unknown;
  createdAt: number;
}

/**
 * One `POST /v3/connections/{connection_id}/accounts/{account_id}/signup-plus/requests` as the
 * simulator keeps it: what it was asked for, and how often its result has been read.
 */
export interface SimSignupPlusRequest {
  id: string;
  clientId: string;
  connectionId: string;
  accountId: string;
  /** Reads of `GET …/signup-plus/requests/{id}` so far (faulted reads never reach it). */
  polls: number;
  idempotencyKey?: string;
  /** The body exactly as received; `undefined` when there was none. */
  body: unknown;
  /** The simulator's clock when it was made. */
  createdAt: number;
}

/** A stored answer to an idempotent create. */
interface IdempotentAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** Stable JSON of a value (sorted keys), so that key order does not change a fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const fingerprint = (body: unknown) => createHash('sha256').update(canonical(body)).digest('hex');

/** A bank that is not in the illustrative catalogue still works: the simulator makes one up. */
export function providerFor(id: string): Provider {
  return PROVIDERS.find((provider) => provider.id === id) ?? { id, name: `Bank ${id}`, country: 'GB' };
}

/** The banks a user-selected journey offers under the request's filter. */
export function offeredProviders(filter: SimFilter): Provider[] {
  const countries = filter.countries;
  const excluded = new Set(filter.excludes ?? []);
  const offered = new Map<string, Provider>();
  for (const provider of PROVIDERS) {
    if (countries === undefined || countries.includes(provider.country)) offered.set(provider.id, provider);
  }
  for (const id of filter.provider_ids ?? []) offered.set(id, providerFor(id));
  return [...offered.values()].filter((provider) => !excluded.has(provider.id));
}

/** Connections, their Signup+ requests and idempotency answers of one simulator. */
export class DataConnectionStore {
  readonly #connections = new Map<string, SimConnection>();
  readonly #signupPlusRequests = new Map<string, SimSignupPlusRequest>();
  readonly #answers = new Map<string, IdempotentAnswer>();

  add(connection: SimConnection): void {
    this.#connections.set(connection.id, connection);
  }

  get(id: string): SimConnection | undefined {
    return this.#connections.get(id);
  }

  addSignupPlusRequest(request: SimSignupPlusRequest): void {
    this.#signupPlusRequests.set(request.id, request);
  }

  signupPlusRequest(id: string): SimSignupPlusRequest | undefined {
    return this.#signupPlusRequests.get(id);
  }

  /** Every Signup+ request so far, oldest first; of one connection when `connectionId` is given. */
  signupPlusRequests(connectionId?: string): SimSignupPlusRequest[] {
    return [...this.#signupPlusRequests.values()]
      .filter((request) => connectionId === undefined || request.connectionId === connectionId)
      .map((request) => ({ ...request }));
  }

  /** The stored answer for a client's key, if any. */
  answerFor(clientId: string, key: string): IdempotentAnswer | undefined {
    return this.#answers.get(`${clientId}\u0000${key}`);
  }

  remember(clientId: string, key: string, answer: IdempotentAnswer): void {
    this.#answers.set(`${clientId}\u0000${key}`, answer);
  }
}
