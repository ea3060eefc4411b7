import type { RepositoryPort } from './deps.ts';
import { OnboardingStatusConflictError } from './errors.ts';
import type { OnboardingStatus } from './model.ts';

/**
 * The user authorised at TrueLayer (a callback with a code, a payment seen
 * authorised): `awaiting_authorization` → `authorized`, recorded once.
 * Returns the status the record is in afterwards: `authorized`, or what a
 * duplicate finds (moved on) or a late one (over).
 */
export async function recordAuthorization(
  onboardingId: string,
  deps: { repository: RepositoryPort<'transition'>; now: () => Date },
): Promise<OnboardingStatus> {
  const now = deps.now();
  try {
    const moved = await deps.repository.transition(onboardingId, {
      from: ['awaiting_authorization'],
      to: 'authorized',
      now,
      timeline: { at: now.toISOString(), step: 'user_authorized' },
    });
    return moved.status;
  } catch (error) {
    if (error instanceof OnboardingStatusConflictError) return error.currentStatus;
    throw error;
  }
}
