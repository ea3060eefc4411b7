import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger } from '../commons/logger.ts';
import { readyForPaymentDetailSchema } from '../contract/onboarding-events.ts';
import { IDEMPOTENCY_TABLE_NAME } from '../wiring/idempotency-table.ts';
import { READY_FOR_PAYMENT_EXAMPLE_KEY_PREFIX } from './idempotency-record.ts';

/**
 * The whole EventBridge event, with the detail held to the published contract.
 * The envelope is Powertools Parser's EventBridgeSchema, written out in
 * zod/mini: the Parser loads classic zod, which a consumer pays for on every
 * cold start.
 */
export const readyForPaymentEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: readyForPaymentDetailSchema,
  'replay-name': z.optional(z.string()),
});

/** The event breaks the published contract; only the failing fields are named, never their values. */
export class ReadyForPaymentContractError extends Error {
  override readonly name = 'ReadyForPaymentContractError';
}

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY_TABLE_NAME });

/**
 * An example downstream consumer of Onboarding Ready For Payment, as a payment
 * team would write it: the event is validated against the published contract,
 * and handled once per `detail.event_id` even when EventBridge delivers it
 * twice. Where a real consumer would create a payment, this one records what
 * it would pay to, without logging personal data.
 */
async function handleReadyForPayment(event: unknown, _context: Context) {
  const parsed = readyForPaymentEventSchema.safeParse(event);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(event)');
    throw new ReadyForPaymentContractError(`Not an Onboarding Ready For Payment event: ${fields.join(', ')}`);
  }
  const { detail } = parsed.data;
  const payee = detail.account.iban ? 'iban' : 'sort_code_account_number';
  logger.info('Ready for payment', { onboarding_id: detail.onboarding_id, event_id: detail.event_id, payee });
  return { onboarding_id: detail.onboarding_id, event_id: detail.event_id, payee };
}

// A fixed key prefix (not the function's generated name), so that erasing a journey can find its record.
const idempotentHandler = makeIdempotent(handleReadyForPayment, {
  persistenceStore,
  config: new IdempotencyConfig({ eventKeyJmesPath: 'detail.event_id', throwOnNoIdempotencyKey: true }),
  keyPrefix: READY_FOR_PAYMENT_EXAMPLE_KEY_PREFIX,
});

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  return idempotentHandler(event, context);
};
