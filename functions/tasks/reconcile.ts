import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';
import { logger } from '../commons/logger.ts';
import { recordReconciled } from '../onboarding/journey-metrics.ts';
import { reconcile } from '../onboarding/reconcile.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { resumeWorkflow } from '../wiring/resume-workflow.ts';
import { startWorkflow } from '../wiring/start-workflow.ts';
import { workflowState } from '../wiring/workflow-state.ts';

const { RECONCILE_BATCH_SIZE } = readEnv(z.object({ RECONCILE_BATCH_SIZE: positiveIntFromEnv(50) }));

/**
 * The reconciler, invoked on a schedule (EventBridge Scheduler on AWS, a timer
 * in the local runtime). Its input is ignored: everything it needs is on the
 * due index.
 */
export const handler = middy(async () => {
  const report = await reconcile({
    repository,
    publish,
    now,
    workflowState,
    startWorkflow,
    resumeWorkflow,
    batchSize: RECONCILE_BATCH_SIZE,
  });
  if (report.due > 0) logger.info('Reconciled due journeys', { ...report });
  recordReconciled(report.outcomes);
  return report;
}).use(injectLambdaContext(logger, { resetKeys: true }));
