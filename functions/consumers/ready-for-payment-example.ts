import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { parse } from '@aws-lambda-powertools/parser';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { readEnv } from '../commons/env.ts';
import { logger } from '../commons/logger.ts';
import { readyForPaymentDetailSchema } from '../events/contracts.ts';

const { IDEMPOTENCY_TABLE_NAME } = readEnv(z.object({ IDEMPOTENCY_TABLE_NAME: z.string().min(1) }));

/** The whole EventBridge event, with the detail held to the published contract. */
export const readyForPaymentEventSchema = EventBridgeSchema.extend({ detail: readyForPaymentDetailSchema });

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY_TABLE_NAME });

/**
 * An example downstream consumer of Onboarding Ready For Payment, as a payment
 * team would write it: the event is validated against the published contract,
 * and handled once per `detail.event_id` even when EventBridge delivers it
 * twice. Where a real consumer would create a payment, this one records what
 * it would pay to, without logging personal data.
 */
async function handleReadyForPayment(event: unknown, _context: Context) {
  const { detail } = parse(event, undefined, readyForPaymentEventSchema);
  const payee = detail.account.iban ? 'iban' : 'sort_code_account_number';
  logger.info('Ready for payment', { onboarding_id: detail.onboarding_id, event_id: detail.event_id, payee });
  return { onboarding_id: detail.onboarding_id, event_id: detail.event_id, payee };
}

const idempotentHandler = makeIdempotent(handleReadyForPayment, {
  persistenceStore,
  config: new IdempotencyConfig({ eventKeyJmesPath: 'detail.event_id', throwOnNoIdempotencyKey: true }),
});

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  return idempotentHandler(event, context);
};
