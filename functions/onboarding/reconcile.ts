import { logger } from '../commons/logger.ts';
import type { OnboardingFlow } from '../contract/onboarding-requests.ts';
import { recordAuthorization } from './authorization.ts';
import type { ResumeOutcome, WorkflowState } from './choose-account.ts';
import type { EndJourneyMethods, OnboardingDependencies } from './deps.ts';
import { endJourney, settleJourney } from './end-journey.ts';
import { OnboardingNotFoundError } from './errors.ts';
import { failureOf } from './failure-reasons.ts';
import { flowOf, type Onboarding, terminalStatuses } from './model.ts';
import type { Journey } from './repository.ts';

export interface ReconcileDependencies
  extends OnboardingDependencies<EndJourneyMethods | 'listDue' | 'getJourney' | 'postpone'> {
  /** DescribeExecution on the flow's state machine. */
  workflowState: (onboardingId: string, flow: OnboardingFlow) => Promise<WorkflowState>;
  /** StartExecution on the flow's state machine, named after the onboarding (idempotent). */
  startWorkflow: (onboardingId: string, flow: OnboardingFlow) => Promise<void>;
  resumeWorkflow: (taskToken: string, output: { account_id: string }) => Promise<ResumeOutcome>;
  /** Records read per shard of the due index in one run. */
  batchSize: number;
}

/** What the reconciler did with one record. */
export type Reconciled =
  | 'settled'
  | 'expired'
  | 'started'
  | 'resumed'
  | 'running'
  | 'ended'
  | 'waiting'
  | 'gone';

export interface ReconcileReport {
  due: number;
  outcomes: Partial<Record<Reconciled | 'failed', number>>;
}

const isTerminal = (onboarding: Onboarding) => terminalStatuses.includes(onboarding.status);
const RECONCILE_CONCURRENCY = 8;

/**
 * The journey's safety net, run on a schedule (every minute on AWS). It reads
 * the records the due index names and brings each to where it should be:
 * an end whose secrets, event or confirmation is missing is settled; an auth
 * link never used ends `expired` (a payment or mandate link's execution is
 * started to ask TrueLayer whether it was used); a code that reached the table without its
 * record moving on (the callback failed half-way) moves it on and starts the
 * workflow; a journey in an in-between status gets its execution started
 * when there is none, its recorded choice resent to a waiting execution, and
 * an end of its own when the execution is over without having recorded one.
 * Every action is one of the journey's own idempotent steps, so a run that
 * fails half-way, or two runs at once, change nothing twice.
 */
export async function reconcile(deps: ReconcileDependencies): Promise<ReconcileReport> {
  const ids = await deps.repository.listDue(deps.now(), deps.batchSize);
  const outcomes: ReconcileReport['outcomes'] = {};
  const unique = [...new Set(ids)];
  const queue = [...unique];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let outcome: Reconciled | 'failed';
      try {
        outcome = await reconcileOne(id, deps);
      } catch (error) {
        outcome = 'failed';
        logger.warn('Reconciling a journey failed; it stays due', {
          onboarding_id: id,
          error_name: error instanceof Error ? error.name : 'unknown',
        });
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: RECONCILE_CONCURRENCY }, worker));
  return { due: unique.length, outcomes };
}

/** One record, from what it says and what its execution is doing. */
export async function reconcileOne(onboardingId: string, deps: ReconcileDependencies): Promise<Reconciled> {
  let journey: Journey;
  try {
    journey = await deps.repository.getJourney(onboardingId);
  } catch (error) {
    if (error instanceof OnboardingNotFoundError) return 'gone';
    throw error;
  }
  const { onboarding, secrets } = journey;
  if (isTerminal(onboarding)) {
    await settleJourney(onboarding, deps);
    return 'settled';
  }
  // A pending announcement of a journey still under way (Account Choice Required).
  if (onboarding.outbox?.length) await settleJourney(onboarding, deps);
  const now = deps.now();
  const flow = flowOf(onboarding);
  const linkOpen = now.getTime() < new Date(onboarding.auth_link_expires_at).getTime();

  if (onboarding.status === 'awaiting_authorization' && (flow === 'data' || linkOpen)) {
    if (secrets?.authorization_code) return moveOnAuthorized(onboarding, deps);
    // The user came back with an error, and the callback could not end the journey.
    if (secrets?.denial) {
      await endJourney(
        { onboarding, end: { outcome: 'failed', failure: secrets.denial }, from: ['awaiting_authorization'] },
        deps,
      );
      return 'ended';
    }
    if (linkOpen) {
      await deps.repository.postpone(onboarding, now);
      return 'waiting';
    }
    await endJourney(
      {
        onboarding,
        end: { outcome: 'expired', failure: failureOf('link_expired') },
        from: ['awaiting_authorization'],
      },
      deps,
    );
    return 'expired';
  }

  // From here on the journey's execution decides. A payment's or mandate's
  // link that expired lands here too: only TrueLayer knows whether the user
  // paid or gave the mandate (and never came back to say so), and the payment
  // workflow asks it.
  const state = await deps.workflowState(onboardingId, flow);
  if (state === 'not_found') {
    // The callback (or the payment return) could not start it, or the local
    // runtime restarted: the workflow's steps pick the journey up wherever
    // the record says it is.
    await deps.startWorkflow(onboardingId, flow);
    await deps.repository.postpone(onboarding, now);
    return 'started';
  }
  if (state === 'running') {
    const taskToken = secrets?.task_token;
    const accountId = onboarding.chosen_account_id;
    if (onboarding.status === 'account_chosen' && taskToken && accountId) {
      // The choice may never have reached the waiting task: answer it again (a closed token is harmless).
      const outcome = await deps.resumeWorkflow(taskToken, { account_id: accountId });
      await deps.repository.postpone(onboarding, now);
      return outcome === 'resumed' ? 'resumed' : 'running';
    }
    await deps.repository.postpone(onboarding, now);
    return 'running';
  }
  // The execution is over and recorded no end (its last step kept failing, it
  // was stopped, or it timed out): the journey ends here.
  const deadline = onboarding.account_choice_expires_at;
  const choiceTimedOut =
    onboarding.status === 'awaiting_account_choice' &&
    deadline !== undefined &&
    now.getTime() >= new Date(deadline).getTime();
  await endJourney(
    {
      onboarding,
      end: choiceTimedOut
        ? { outcome: 'expired', failure: failureOf('account_choice_timeout') }
        : { outcome: 'failed', failure: failureOf('internal_error') },
    },
    deps,
  );
  return 'ended';
}

/** The callback stored the code but did not get to move the record on. */
async function moveOnAuthorized(onboarding: Onboarding, deps: ReconcileDependencies): Promise<Reconciled> {
  const status = await recordAuthorization(onboarding.onboarding_id, deps);
  if (terminalStatuses.includes(status)) return 'ended';
  await deps.startWorkflow(onboarding.onboarding_id, 'data');
  return 'started';
}
