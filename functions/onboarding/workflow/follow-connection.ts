import type { Failure } from '../../commons/failure.ts';
import { addSeconds } from '../../commons/time.ts';
import type { ConnectionRecord } from '../../connections/model.ts';
import type { SignupPlusRequestsClient } from '../../connections/signup-plus-requests.ts';
import {
  type ConnectedAccountItem,
  type DataConnectionsClient,
  identifierOf,
} from '../../connections/truelayer-client.ts';
import { stableEventId } from '../../events/event-id.ts';
import type { EndJourneyDependencies } from '../deps.ts';
import { endJourney, settleSoon } from '../end-journey.ts';
import { OnboardingStatusConflictError } from '../errors.ts';
import { failureOf } from '../failure-reasons.ts';
import {
  type AccountChoice,
  maskAccountNumber,
  type Onboarding,
  type OnboardingConnection,
  type OnboardingStatus,
  type TimelineEntry,
  terminalStatuses,
} from '../model.ts';
import { trueLayerFailureOf } from './failures.ts';
import { END_STEP as END, type FollowConnectionResult, waitStep as wait } from './inputs.ts';
import { choiceDeadlineMarginSeconds, choiceWaitSeconds } from './link-accounts.ts';

export interface FollowConnectionDependencies extends EndJourneyDependencies {
  connections: {
    /** `GET /v3/connected-accounts`: answered only once the user has authorised the connection. */
    connectedAccounts: DataConnectionsClient['connectedAccounts'];
    /** The connection's own record, where its return recorded a refusal at the bank. */
    find: (connectionId: string) => Promise<ConnectionRecord | undefined>;
  };
  signupPlus: SignupPlusRequestsClient;
}

/**
 * How long the workflow waits between two looks: at a connection the user
 * has not authorised (yet), as for an unpaid payment, and at a Signup+
 * request TrueLayer is still working on (a second at first: an asynchronous
 * read of data TrueLayer already holds; backing off to ten).
 */
export const CONNECTION_POLL_SECONDS = {
  connection: 5,
  connectionAtMost: 30,
  request: 1,
  requestAtMost: 10,
} as const;

/** A Signup+ request still pending this long after it was made ends the journey `failed`. */
export const SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS = 300;

const ageSeconds = (since: string, now: Date) => (now.getTime() - new Date(since).getTime()) / 1000;
/** A tenth of the age, within the bounds: a user (or TrueLayer) that has not answered soon may never. */
const backoff = (age: number, least: number, most: number) => Math.min(most, Math.max(least, age / 10));

interface Step {
  onboarding: Onboarding;
  connection: OnboardingConnection;
  accountChoiceTimeoutSeconds: number;
}

/**
 * The connection workflow's one step, run until it says `end`. The user
 * authorises a Data v3 connection (created by `POST /connections` with
 * `signup_plus: true`); TrueLayer's connected accounts answer only then. One
 * account is the account; several wait for the user's choice, as in the data
 * flow. Signup+ is then asked about that account (an asynchronous request)
 * and its answer read until it is ready: the identity completes the journey
 * with its ready event. The user declining at the bank ends it `failed`, a
 * link never used `expired`; a TrueLayer refusal ends it here too, and what
 * is worth retrying goes up to the state machine's Retry.
 *
 * Every write is conditional and the request is made with a stable
 * Idempotency-Key and recorded before it is read, so a repeated step, a
 * second execution or the reconciler converge on one request and one end.
 */
export async function followConnection(
  input: { onboardingId: string; accountChoiceTimeoutSeconds: number },
  deps: FollowConnectionDependencies,
): Promise<FollowConnectionResult> {
  const onboarding = await deps.repository.get(input.onboardingId);
  if (terminalStatuses.includes(onboarding.status)) {
    await settleSoon(onboarding, deps);
    return END;
  }
  const { connection } = onboarding;
  if (!connection) throw new Error('The connection workflow started on an onboarding with no connection');
  const step: Step = {
    onboarding,
    connection,
    accountChoiceTimeoutSeconds: input.accountChoiceTimeoutSeconds,
  };
  if (onboarding.account_choice_expires_at && onboarding.status !== 'account_chosen') {
    return awaitChoice(onboarding.account_choice_expires_at, step, deps);
  }
  switch (onboarding.status) {
    case 'awaiting_authorization':
      return awaitAuthorization(step, deps);
    case 'authorized':
      if (connection.account_id === undefined) return awaitAuthorization(step, deps);
      return askSignupPlus(step, connection.account_id, deps);
    case 'account_chosen':
      if (onboarding.chosen_account_id === undefined)
        throw new Error('A choice was recorded without an account');
      return askSignupPlus(step, onboarding.chosen_account_id, deps);
    default:
      throw new Error(`FollowConnection ran on an onboarding that is ${onboarding.status}`);
  }
}

/** Choices are on the record: wait (again, after a restart) until a little after the deadline shown. */
const awaitChoice = (chooseBefore: string, step: Step, deps: FollowConnectionDependencies) => ({
  next: 'choose' as const,
  wait_seconds: choiceWaitSeconds(chooseBefore, step.accountChoiceTimeoutSeconds, deps.now()),
});

/** The failure of a connection its return recorded as refused at the bank, in the journey's words. */
const declined = (record: ConnectionRecord): Failure =>
  failureOf(record.failure?.reason === 'access_denied' ? 'access_denied' : 'authorization_error');

/** Has the user authorised the connection? Its connected accounts say so, and which there are. */
async function awaitAuthorization(
  step: Step,
  deps: FollowConnectionDependencies,
): Promise<FollowConnectionResult> {
  const { onboarding, connection } = step;
  let answer: Awaited<ReturnType<FollowConnectionDependencies['connections']['connectedAccounts']>>;
  try {
    answer = await deps.connections.connectedAccounts(connection.connection_id);
  } catch (error) {
    return failOn(error, step, deps);
  }
  const now = deps.now();
  if (answer === 'not_authorized') {
    const record = await deps.connections.find(connection.connection_id);
    if (record?.status === 'failed') return end(step, { outcome: 'failed', failure: declined(record) }, deps);
    const left = (new Date(onboarding.auth_link_expires_at).getTime() - now.getTime()) / 1000;
    if (left > 0) {
      const age = ageSeconds(onboarding.created_at, now);
      return wait(
        Math.min(
          left,
          backoff(age, CONNECTION_POLL_SECONDS.connection, CONNECTION_POLL_SECONDS.connectionAtMost),
        ),
      );
    }
    return end(step, { outcome: 'expired', failure: failureOf('link_expired') }, deps);
  }
  const accounts = answer.accounts;
  const at = now.toISOString();
  const authorized: TimelineEntry[] =
    onboarding.status === 'awaiting_authorization'
      ? [{ at, step: 'user_authorized', detail: 'connection' }]
      : [];
  const [only, ...others] = accounts;
  if (only === undefined) {
    return end(step, { outcome: 'failed', failure: failureOf('no_connected_account') }, deps, authorized);
  }
  if (others.length === 0) {
    const moved = await move(step, deps, {
      to: 'authorized',
      set: { connection: { ...connection, account_id: only.id } },
      timeline: authorized,
    });
    if (moved === undefined) return wait(1);
    return askSignupPlus(
      { ...step, onboarding: moved, connection: moved.connection ?? connection },
      only.id,
      deps,
    );
  }
  const timeout = step.accountChoiceTimeoutSeconds;
  const chooseBefore = addSeconds(now, timeout - choiceDeadlineMarginSeconds(timeout));
  const moved = await move(step, deps, {
    to: 'authorized',
    set: { account_choices: choicesOf(accounts), account_choice_expires_at: chooseBefore.toISOString() },
    timeline: [...authorized, { at, step: 'accounts_fetched', detail: `${accounts.length} accounts linked` }],
  });
  if (moved === undefined) return wait(1);
  return { next: 'choose', wait_seconds: timeout };
}

/**
 * The accounts as the user picks from them. TrueLayer gives connected
 * accounts no display name, so each is named by its type and the last digits
 * of its number; names two accounts would share are numbered in list order.
 */
function choicesOf(items: readonly ConnectedAccountItem[]): AccountChoice[] {
  const choices = items.map(choiceOf);
  const shared = (name: string) => choices.filter((choice) => choice.display_name === name).length > 1;
  return choices.map((choice, index) =>
    shared(choice.display_name)
      ? { ...choice, display_name: `${choice.display_name} (${index + 1})` }
      : choice,
  );
}

/** One connected account as the user picks from it, the number masked as in the data flow. */
function choiceOf(item: ConnectedAccountItem): AccountChoice {
  const masked = maskAccountNumber(identifierOf(item, 'account_number') ?? identifierOf(item, 'iban'));
  const sortCode = identifierOf(item, 'sort_code');
  const type = item.account_type ?? 'account';
  return {
    account_id: item.id,
    display_name: `${type.charAt(0).toUpperCase()}${type.slice(1)} account${masked ? ` ${masked.slice(-4)}` : ''}`,
    account_type: type,
    currency: item.currency ?? '',
    ...(sortCode ? { sort_code: sortCode } : {}),
    ...(masked ? { account_number_masked: masked } : {}),
  };
}

/**
 * Signup+ on the account: the request is made once (a stable Idempotency-Key,
 * its id recorded before anything reads it), then its answer read until it
 * is ready or too late.
 */
async function askSignupPlus(
  step: Step,
  accountId: string,
  deps: FollowConnectionDependencies,
): Promise<FollowConnectionResult> {
  const { onboarding, connection } = step;
  const requestId = connection.signup_plus_request_id;
  const requestedAt = connection.signup_plus_requested_at;
  if (requestId === undefined || requestedAt === undefined) {
    let id: string;
    try {
      id = await deps.signupPlus.request(connection.connection_id, accountId, {
        idempotencyKey: stableEventId('signup-plus-request', onboarding.onboarding_id, accountId),
      });
    } catch (error) {
      return failOn(error, step, deps);
    }
    const now = deps.now();
    const moved = await move(step, deps, {
      set: {
        connection: {
          ...connection,
          account_id: accountId,
          signup_plus_request_id: id,
          signup_plus_requested_at: now.toISOString(),
        },
      },
      timeline: [{ at: now.toISOString(), step: 'signup_plus_requested' }],
    });
    if (moved === undefined) return wait(1);
    return wait(CONNECTION_POLL_SECONDS.request);
  }
  let state: Awaited<ReturnType<SignupPlusRequestsClient['read']>>;
  try {
    state = await deps.signupPlus.read(connection.connection_id, accountId, requestId);
  } catch (error) {
    return failOn(error, step, deps);
  }
  if (state.status === 'completed') {
    const { account_details, ...user } = state.identity;
    return end(
      step,
      { outcome: 'completed', user, account: account_details, detail: 'holder of the connected account' },
      deps,
    );
  }
  if (state.status === 'failed') {
    return end(step, { outcome: 'failed', failure: failureOf('signup_plus_request_failed') }, deps);
  }
  const age = ageSeconds(requestedAt, deps.now());
  if (age >= SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS) {
    return end(step, { outcome: 'failed', failure: failureOf('signup_plus_request_timeout') }, deps);
  }
  return wait(
    Math.min(
      SIGNUP_PLUS_REQUEST_DEADLINE_SECONDS - age,
      backoff(age, CONNECTION_POLL_SECONDS.request, CONNECTION_POLL_SECONDS.requestAtMost),
    ),
  );
}

/**
 * A conditional write from the status the step read. Another writer got
 * there first (a second execution, a choice landing): `undefined`, and the
 * step looks again in a moment rather than act on what it read.
 */
async function move(
  step: Step,
  deps: FollowConnectionDependencies,
  change: {
    to?: OnboardingStatus;
    set: Parameters<FollowConnectionDependencies['repository']['transition']>[1]['set'];
    timeline: readonly TimelineEntry[];
  },
): Promise<Onboarding | undefined> {
  try {
    return await deps.repository.transition(step.onboarding.onboarding_id, {
      from: [step.onboarding.status],
      ...(change.to === undefined ? {} : { to: change.to }),
      now: deps.now(),
      set: change.set,
      timeline: change.timeline,
    });
  } catch (error) {
    if (error instanceof OnboardingStatusConflictError) return undefined;
    throw error;
  }
}

/** TrueLayer's refusal ends the journey with its reason; anything worth retrying goes up. */
async function failOn(
  error: unknown,
  step: Step,
  deps: FollowConnectionDependencies,
): Promise<FollowConnectionResult> {
  const failure = trueLayerFailureOf(error);
  if (!failure) throw error;
  return end(step, { outcome: 'failed', failure }, deps);
}

async function end(
  step: Step,
  journeyEnd: Parameters<typeof endJourney>[0]['end'],
  deps: FollowConnectionDependencies,
  earlier: readonly TimelineEntry[] = [],
): Promise<FollowConnectionResult> {
  await endJourney(
    { onboarding: step.onboarding, end: journeyEnd, from: [step.onboarding.status], earlier },
    deps,
  );
  return END;
}
