import * as z from 'zod/mini';
import { connectionEventFields } from '../connections/model.ts';
import {
  type DetailType,
  DetailTypes,
  detailEnvelopeSchema,
  onboardingDetailSchemas,
} from './onboarding-events.ts';

/*
 * Every event the product publishes. The onboarding events live in
 * onboarding-events.ts (re-exported here), so that the onboarding
 * functions can validate them without bundling the Data v3 schemas.
 */
export {
  accountChoiceRequiredDetailSchema,
  type DetailType,
  DetailTypes,
  detailEnvelopeSchema,
  EVENT_SOURCE,
  erasedDetailSchema,
  expiredDetailSchema,
  failedDetailSchema,
  type OnboardingDetailType,
  onboardingDetailSchemas,
  readyForPaymentDetailSchema,
  SCHEMA_VERSION,
} from './onboarding-events.ts';

/** Data v3: ids, the configuration and what was asked for; no personal data. */
export const dataConnectionCreatedDetailSchema = z.extend(
  detailEnvelopeSchema,
  connectionEventFields.created,
);
/** The user came back and TrueLayer confirmed the connection: later data calls need `connection_id`. */
export const dataConnectionAuthorizedDetailSchema = z.extend(
  detailEnvelopeSchema,
  connectionEventFields.authorized,
);
export const dataConnectionFailedDetailSchema = z.extend(detailEnvelopeSchema, connectionEventFields.failed);
/** The user never authorised the connection before its link's time ran out. */
export const dataConnectionExpiredDetailSchema = z.extend(
  detailEnvelopeSchema,
  connectionEventFields.expired,
);

export const detailSchemas = {
  ...onboardingDetailSchemas,
  [DetailTypes.dataConnectionCreated]: dataConnectionCreatedDetailSchema,
  [DetailTypes.dataConnectionAuthorized]: dataConnectionAuthorizedDetailSchema,
  [DetailTypes.dataConnectionFailed]: dataConnectionFailedDetailSchema,
  [DetailTypes.dataConnectionExpired]: dataConnectionExpiredDetailSchema,
} as const;

export type DetailOf<T extends DetailType> = z.infer<(typeof detailSchemas)[T]>;
