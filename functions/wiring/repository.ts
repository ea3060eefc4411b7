import * as z from 'zod/mini';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';
import { tableSettingsSchema } from '../commons/journey-settings.ts';
import { OnboardingRepository } from '../onboarding/repository.ts';

const { TABLE_NAME, SECRETS_TABLE_NAME, JOURNEY_STALL_SECONDS } = readEnv(
  z.extend(tableSettingsSchema, {
    // How long a journey may sit in an in-between status before the reconciler looks at it.
    JOURNEY_STALL_SECONDS: positiveIntFromEnv(120),
  }),
);

/** The onboarding tables, configured once per execution environment. */
export const repository = new OnboardingRepository(
  documentClient,
  { records: TABLE_NAME, secrets: SECRETS_TABLE_NAME },
  { stallSeconds: JOURNEY_STALL_SECONDS },
);
export const now = () => new Date();
