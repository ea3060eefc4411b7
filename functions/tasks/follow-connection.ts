import { taskHandler } from '../commons/task-handler.ts';
import { followConnection } from '../onboarding/workflow/follow-connection.ts';
import { linkAccountsInputSchema } from '../onboarding/workflow/inputs.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { signupPlusRequests } from '../wiring/signup-plus-requests.ts';

/** Connection workflow step FollowConnection: tells the Choice to end, to look again, or to wait for a choice. */
export const handler = taskHandler(linkAccountsInputSchema, (input) =>
  followConnection(
    { onboardingId: input.onboarding_id, accountChoiceTimeoutSeconds: input.account_choice_timeout_seconds },
    {
      repository,
      publish,
      now,
      connections: {
        connectedAccounts: (connectionId) => dataConnections.connectedAccounts(connectionId),
        find: (connectionId) => connectionRepository.find(connectionId),
      },
      signupPlus: signupPlusRequests,
    },
  ),
);
