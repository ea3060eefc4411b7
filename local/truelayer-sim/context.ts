import type { IncomingMessage } from 'node:http';
import type { ClientRegistry } from './clients.ts';
import type { DialogStore } from './dialog-store.ts';
import type { FaultController } from './faults.ts';
import type { IdentificationStore } from './finland/store.ts';
import type { GrantStore } from './grants.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { MandateStore } from './mandates/store.ts';
import type { PaymentStore } from './payments/store.ts';
import type { SwitchBoard } from './switches.ts';
import type { SandboxUser } from './users.ts';
import type { WebhookController } from './webhooks/dispatcher.ts';

/** Shared state of one simulator, handed to every route (built-in and extra). */
export interface SimulatorState {
  readonly clients: ClientRegistry;
  readonly users: readonly SandboxUser[];
  /** The user with this bank login name. */
  findUser(username: string): SandboxUser | undefined;
  /** Clock in epoch milliseconds (injectable for tests). */
  readonly now: () => number;
  readonly grants: GrantStore;
  readonly dialogs: DialogStore;
  /** Payments v3 payments (payments/). */
  readonly payments: PaymentStore;
  /** Payments v3 mandates, sweeping VRP (mandates/). */
  readonly mandates: MandateStore;
  /** Signup+ in Finland: the identification links handed out for euro payments (finland/). */
  readonly identifications: IdentificationStore;
  /** The Idempotency-Keys of the signed Payments v3 POSTs (payments and mandates). */
  readonly idempotency: IdempotencyStore;
  readonly faults: FaultController;
  /** Payments v3 webhooks (payments and mandates): their faults and deliveries (webhooks/). */
  readonly webhooks: WebhookController;
  /** How the simulator answers where TrueLayer is undocumented (switches.ts). */
  readonly switches: SwitchBoard;
  /**
   * What each `GET /signup-plus/accounts` carried that tests check and nothing
   * else keeps: the user, the account asked for and the `X-PSU-IP` header.
   */
  readonly signupPlusRequests: SignupPlusRequest[];
  /** Base URLs, known once the servers listen (`webhooks`: the JWKS host). */
  readonly urls: { auth: string; api: string; webhooks: string };
}

/** One `GET /signup-plus/accounts` as the simulator received it. */
export interface SignupPlusRequest {
  username: string;
  account_id: string | null;
  x_psu_ip: string | null;
}

/** What a route handler receives for one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Values of `:name` segments in the route path. */
  readonly params: Readonly<Record<string, string>>;
  /** Sent back as `X-Tl-Correlation-Id`. */
  readonly correlationId: string;
  /** Sent back as `Tl-Trace-Id` and used as `trace_id` in problem bodies. */
  readonly traceId: string;
  readonly sim: SimulatorState;
}
