import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { journeySettingsSchema } from '../commons/journey-settings.ts';
import { taskHandler } from '../commons/task-handler.ts';
import { checkPayment } from '../onboarding/workflow/check-payment.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { payments } from '../wiring/payment-status.ts';
import { now, repository } from '../wiring/repository.ts';

const { IDENTIFICATION_RETURN_URL, AUTH_LINK_TTL_SECONDS } = readEnv(
  z.extend(journeySettingsSchema, { IDENTIFICATION_RETURN_URL: z.url() }),
);

/** Payment workflow step CheckPayment: tells the Choice whether the journey ended or when to look again. */
export const handler = taskHandler(stepInputSchema, (input) =>
  checkPayment(
    { onboardingId: input.onboarding_id },
    {
      repository,
      publish,
      now,
      payments,
      identificationReturnUrl: IDENTIFICATION_RETURN_URL,
      identificationSeconds: AUTH_LINK_TTL_SECONDS,
    },
  ),
);
