import { epochSeconds } from '../../../functions/commons/time.ts';
import type { OnboardingDetailType } from '../../../functions/contract/onboarding-events.ts';
import type { AnnouncedEvent } from '../../../functions/events/publisher.ts';
import type { RepositoryPort } from '../../../functions/onboarding/deps.ts';
import {
  OnboardingNotFoundError,
  OnboardingStatusConflictError,
} from '../../../functions/onboarding/errors.ts';
import type {
  Failure,
  JourneySecrets,
  Onboarding,
  OutboxEvent,
  StateRecord,
} from '../../../functions/onboarding/model.ts';
import {
  CodeExchangeRefusedError,
  type Journey,
  type TransitionRequest,
} from '../../../functions/onboarding/repository.ts';
import type { CheckPaymentDependencies } from '../../../functions/onboarding/workflow/check-payment.ts';
import type { HostedResource, PaymentProgress } from '../../../functions/truelayer/payments-client.ts';
import type { SignupPlusIdentity } from '../../../functions/truelayer/schemas.ts';

/** Every method the onboarding use cases call on the tables. */
type AllMethods =
  | 'create'
  | 'findState'
  | 'claimWebhook'
  | 'releaseWebhook'
  | 'useState'
  | 'get'
  | 'transition'
  | 'confirmOutbox'
  | 'erase'
  | 'postpone'
  | 'listDue'
  | 'storeAuthorizationCode'
  | 'storeDenial'
  | 'createState'
  | 'storeIdentification'
  | 'getJourney'
  | 'beginCodeExchange'
  | 'abandonCodeExchange'
  | 'storeAccessToken'
  | 'storeTaskToken'
  | 'deleteSecrets';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The onboarding tables in memory, with the same conditions as the DynamoDB
 * repository where the use cases rely on them: transitions only from the
 * statuses asked for, a state used once and only before it expires, a code
 * exchange begun once. `failNext` makes the next call of a method throw.
 */
export class InMemoryOnboardings implements RepositoryPort<AllMethods> {
  readonly records = new Map<string, Onboarding>();
  readonly secrets = new Map<string, JourneySecrets>();
  readonly states = new Map<string, StateRecord>();
  readonly postponed: string[] = [];
  due: string[] = [];
  readonly #failures = new Map<AllMethods, Error>();

  failNext(method: AllMethods, error: Error = new Error(`${method} failed`)): void {
    this.#failures.set(method, error);
  }

  #maybeFail(method: AllMethods): void {
    const error = this.#failures.get(method);
    if (error === undefined) return;
    this.#failures.delete(method);
    throw error;
  }

  /** Puts a record (and its secrets) in place as another step would have left it. */
  seed(onboarding: Onboarding, secrets?: JourneySecrets): void {
    this.records.set(onboarding.onboarding_id, clone(onboarding));
    if (secrets) this.secrets.set(onboarding.onboarding_id, clone(secrets));
  }

  record(onboardingId: string): Onboarding {
    const found = this.records.get(onboardingId);
    if (!found) throw new Error(`no record ${onboardingId}`);
    return clone(found);
  }

  async create(
    onboarding: Onboarding,
    stateHash: string,
    secrets: Pick<JourneySecrets, 'code_verifier'>,
    _retentionUntil: Date,
  ): Promise<void> {
    this.#maybeFail('create');
    this.records.set(onboarding.onboarding_id, clone(onboarding));
    this.secrets.set(onboarding.onboarding_id, clone(secrets));
    this.states.set(stateHash, {
      onboarding_id: onboarding.onboarding_id,
      expires_at_epoch: epochSeconds(new Date(onboarding.auth_link_expires_at)),
    });
  }

  async findState(stateHash: string): Promise<StateRecord | undefined> {
    this.#maybeFail('findState');
    const state = this.states.get(stateHash);
    return state && clone(state);
  }

  readonly webhooks = new Set<string>();

  async claimWebhook(eventId: string, _now: Date): Promise<boolean> {
    this.#maybeFail('claimWebhook');
    if (this.webhooks.has(eventId)) return false;
    this.webhooks.add(eventId);
    return true;
  }

  async releaseWebhook(eventId: string): Promise<void> {
    this.#maybeFail('releaseWebhook');
    this.webhooks.delete(eventId);
  }

  async useState(stateHash: string, outcomeHash: string, now: Date): Promise<StateRecord | undefined> {
    this.#maybeFail('useState');
    const state = this.states.get(stateHash);
    if (!state || state.used_at !== undefined || state.expires_at_epoch <= epochSeconds(now)) {
      return undefined;
    }
    const used = { ...state, used_at: now.toISOString(), outcome_hash: outcomeHash };
    this.states.set(stateHash, used);
    return clone(used);
  }

  async get(onboardingId: string): Promise<Onboarding> {
    this.#maybeFail('get');
    const found = this.records.get(onboardingId);
    if (!found) throw new OnboardingNotFoundError(onboardingId);
    return clone(found);
  }

  async transition(onboardingId: string, request: TransitionRequest): Promise<Onboarding> {
    this.#maybeFail('transition');
    const current = this.records.get(onboardingId);
    if (!current) throw new OnboardingNotFoundError(onboardingId);
    const expected = request.expect ? current[request.expect.field] === request.expect.value : true;
    if (!request.from.includes(current.status) || !expected) {
      throw new OnboardingStatusConflictError(`The onboarding is ${current.status}.`, current.status);
    }
    const next: Onboarding = {
      ...current,
      ...clone(request.set ?? {}),
      status: request.to ?? current.status,
      updated_at: request.now.toISOString(),
      timeline: [...current.timeline, ...(request.timeline === undefined ? [] : [request.timeline].flat())],
      ...(request.announce ? { outbox: [...(current.outbox ?? []), clone(request.announce)] } : {}),
    };
    for (const field of request.remove ?? []) delete next[field];
    this.records.set(onboardingId, next);
    return clone(next);
  }

  async confirmOutbox(onboarding: Onboarding, published: readonly OutboxEvent[], _now: Date): Promise<void> {
    this.#maybeFail('confirmOutbox');
    const current = this.records.get(onboarding.onboarding_id);
    const last = published.at(-1);
    if (!current || last === undefined) return;
    const outbox = current.outbox ?? [];
    if (outbox.length !== published.length || outbox.at(-1)?.event_id !== last.event_id) return;
    const { outbox: _confirmed, ...rest } = current;
    this.records.set(onboarding.onboarding_id, rest);
  }

  async erase(
    onboarding: Onboarding,
    announce: OutboxEvent,
    now: Date,
  ): Promise<{ onboarding: Onboarding; committed: boolean }> {
    this.#maybeFail('erase');
    const current = this.records.get(onboarding.onboarding_id);
    if (!current) throw new OnboardingNotFoundError(onboarding.onboarding_id);
    if (current.erased_at !== undefined) return { onboarding: clone(current), committed: false };
    const {
      user: _user,
      account: _account,
      account_choices: _choices,
      chosen_account_id: _chosen,
      reference: _reference,
      ...kept
    } = current;
    const erased: Onboarding = {
      ...kept,
      erased_at: now.toISOString(),
      updated_at: now.toISOString(),
      timeline: current.timeline.map(({ at, step }) => ({ at, step })),
      outbox: [clone(announce)],
      ...(current.failure
        ? { failure: { reason: current.failure.reason, detail: current.failure.detail } }
        : {}),
    };
    this.records.set(onboarding.onboarding_id, erased);
    return { onboarding: clone(erased), committed: true };
  }

  async postpone(onboarding: Onboarding, _now: Date): Promise<void> {
    this.#maybeFail('postpone');
    this.postponed.push(onboarding.onboarding_id);
  }

  async listDue(_now: Date, limit: number): Promise<string[]> {
    this.#maybeFail('listDue');
    return this.due.slice(0, limit);
  }

  async storeAuthorizationCode(
    onboardingId: string,
    code: { authorizationCode: string; endUserIp: string | undefined },
  ): Promise<boolean> {
    this.#maybeFail('storeAuthorizationCode');
    const secrets = this.secrets.get(onboardingId);
    if (!secrets || secrets.authorization_code || secrets.access_token || secrets.code_exchange_attempt) {
      return false;
    }
    this.secrets.set(onboardingId, {
      ...secrets,
      authorization_code: code.authorizationCode,
      ...(code.endUserIp === undefined ? {} : { end_user_ip: code.endUserIp }),
    });
    return true;
  }

  async storeDenial(onboardingId: string, denial: Failure): Promise<boolean> {
    this.#maybeFail('storeDenial');
    const secrets = this.secrets.get(onboardingId);
    if (!secrets || secrets.authorization_code || secrets.denial) return false;
    this.secrets.set(onboardingId, { ...secrets, denial: clone(denial) });
    return true;
  }

  async createState(stateHash: string, onboardingId: string, expiresAt: Date): Promise<void> {
    this.#maybeFail('createState');
    if (this.states.has(stateHash)) return;
    this.states.set(stateHash, { onboarding_id: onboardingId, expires_at_epoch: epochSeconds(expiresAt) });
  }

  async storeIdentification(
    onboardingId: string,
    identification: { at: Date; reference?: string | undefined },
  ): Promise<void> {
    this.#maybeFail('storeIdentification');
    const secrets = this.secrets.get(onboardingId);
    if (!secrets) return;
    const { reference } = identification;
    this.secrets.set(onboardingId, {
      ...secrets,
      identified_at: secrets.identified_at ?? identification.at.toISOString(),
      ...(secrets.authorization_reference === undefined && reference !== undefined
        ? { authorization_reference: reference }
        : {}),
    });
  }

  async getJourney(onboardingId: string): Promise<Journey> {
    this.#maybeFail('getJourney');
    const onboarding = await this.get(onboardingId);
    const secrets = this.secrets.get(onboardingId);
    return { onboarding, secrets: secrets && clone(secrets) };
  }

  async beginCodeExchange(onboardingId: string, attemptId: string, now: Date): Promise<void> {
    this.#maybeFail('beginCodeExchange');
    const secrets = this.secrets.get(onboardingId);
    if (!secrets?.authorization_code || secrets.code_exchange_attempt) throw new CodeExchangeRefusedError();
    this.secrets.set(onboardingId, {
      ...secrets,
      code_exchange_attempt: attemptId,
      code_exchanged_at: now.toISOString(),
    });
  }

  async abandonCodeExchange(onboardingId: string, attemptId: string): Promise<void> {
    this.#maybeFail('abandonCodeExchange');
    const secrets = this.secrets.get(onboardingId);
    if (secrets?.code_exchange_attempt !== attemptId) return;
    const { code_exchange_attempt: _attempt, code_exchanged_at: _at, ...rest } = secrets;
    this.secrets.set(onboardingId, rest);
  }

  async storeAccessToken(
    onboardingId: string,
    token: { accessToken: string; expiresAt: Date; exchangedAt: Date },
  ): Promise<void> {
    this.#maybeFail('storeAccessToken');
    const { authorization_code: _spent, ...rest } = this.secrets.get(onboardingId) ?? {};
    this.secrets.set(onboardingId, {
      ...rest,
      access_token: token.accessToken,
      access_token_expires_at: token.expiresAt.toISOString(),
      code_exchanged_at: token.exchangedAt.toISOString(),
    });
  }

  async storeTaskToken(onboardingId: string, taskToken: string): Promise<void> {
    this.#maybeFail('storeTaskToken');
    this.secrets.set(onboardingId, { ...this.secrets.get(onboardingId), task_token: taskToken });
  }

  async deleteSecrets(onboardingId: string): Promise<void> {
    this.#maybeFail('deleteSecrets');
    this.secrets.delete(onboardingId);
  }
}

/** A publisher that keeps what it was given, and can refuse. */
export function fakePublisher() {
  const published: Array<AnnouncedEvent<OnboardingDetailType>> = [];
  let refusals = 0;
  return {
    published,
    refuseNext: (times = 1) => {
      refusals = times;
    },
    publish: async (event: AnnouncedEvent<OnboardingDetailType>) => {
      if (refusals > 0) {
        refusals -= 1;
        throw new Error('PutEvents refused the entry');
      }
      published.push(structuredClone(event));
    },
    types: () => published.map((event) => event.detail_type),
  };
}

/** A clock the test moves by hand. */
export function fakeClock(start = '2026-03-01T10:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advanceSeconds: (seconds: number) => {
      current += seconds * 1000;
    },
  };
}

export const ONBOARDING_ID = '6f1c2b9e-3d4a-4c5b-8e7f-9a0b1c2d3e4f';

/** A record in `status`, created at the clock's start, with the steps such a record would have. */
export function onboardingIn(status: Onboarding['status'], overrides: Partial<Onboarding> = {}): Onboarding {
  const at = '2026-03-01T10:00:00.000Z';
  return {
    onboarding_id: ONBOARDING_ID,
    status,
    created_at: at,
    updated_at: at,
    auth_link_expires_at: '2026-03-01T10:15:00.000Z',
    timeline: [{ at, step: 'onboarding_created' }],
    reference: 'customer-42',
    ...overrides,
  };
}

/** What POST /onboardings is configured with, for use cases created in a test. */
export const CREATE_SETTINGS = {
  authBaseUrl: 'https://auth.example.test',
  clientId: 'client-1',
  redirectUri: 'https://api.example.test/callback',
  scopes: ['signupplus'],
  providers: ['uk-ob-all'],
  authLinkTtlSeconds: 900,
  retentionDays: 30,
};

/** A port for a payment or mandate no test expects: being asked for one fails the test. */
export const noPayments = async (): Promise<never> => {
  throw new Error('No payment or mandate was expected in this test');
};

/** Where the product's Finnish identification returns, in the unit tests. */
export const IDENTIFICATION_RETURN_URL = 'https://api.example.test/identification/return';

/**
 * CheckPayment's dependencies over `journey` (seeded, with `secrets`), with a
 * TrueLayer that answers each look at the payment or mandate with the next of
 * `answers`, Signup+ with `identity` and the Finnish identification link with
 * `identificationLink`; `looks`, `asked` and `linksAsked` record what was read.
 */
export function checkingJourney(
  journey: Onboarding,
  answers: PaymentProgress[],
  identity: (
    resource: HostedResource,
    options?: { authorizationReference?: string | undefined },
  ) => Promise<SignupPlusIdentity>,
  finland: {
    secrets?: JourneySecrets;
    identificationLink?: (paymentId: string, state: string) => Promise<string>;
  } = {},
) {
  const repository = new InMemoryOnboardings();
  repository.seed(journey, finland.secrets ?? {});
  const events = fakePublisher();
  const clock = fakeClock();
  const looks: HostedResource[] = [];
  const asked: HostedResource[] = [];
  const linksAsked: Array<{ paymentId: string; state: string }> = [];
  const deps: CheckPaymentDependencies = {
    repository,
    publish: events.publish,
    now: clock.now,
    identificationReturnUrl: IDENTIFICATION_RETURN_URL,
    identificationSeconds: 900,
    payments: {
      progress: async (resource) => {
        looks.push(resource);
        const answer = answers.shift();
        if (!answer) throw new Error('TrueLayer was asked more often than the test expected');
        return answer;
      },
      signupPlusIdentity: async (resource, options) => {
        asked.push(resource);
        return identity(resource, options);
      },
      identificationLink: async (paymentId, state) => {
        linksAsked.push({ paymentId, state });
        if (!finland.identificationLink) throw new Error('No identification link was expected in this test');
        return finland.identificationLink(paymentId, state);
      },
    },
  };
  return { repository, events, clock, looks, asked, linksAsked, deps };
}
