import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';
import { logger } from '../commons/logger.ts';
import { expireConnections } from '../connections/expire-connections.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';
import { publish } from '../wiring/publisher.ts';

const { RECONCILE_BATCH_SIZE } = readEnv(z.object({ RECONCILE_BATCH_SIZE: positiveIntFromEnv(50) }));

/**
 * Settles the Data v3 connections whose link's time ran out (on a schedule,
 * like the reconciler): TrueLayer's outcome if it has one, `expired` if not,
 * and every recorded outcome whose event was not confirmed, published again.
 */
export const handler = middy(async () => {
  const report = await expireConnections({
    trueLayer: dataConnections,
    repository: connectionRepository,
    publish,
    now: () => new Date(),
    batchSize: RECONCILE_BATCH_SIZE,
  });
  if (report.due > 0) logger.info('Settled due connections', { ...report });
  return report;
}).use(injectLambdaContext(logger, { resetKeys: true }));
