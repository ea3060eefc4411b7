import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per process. Service name and level come from the standard
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL variables. Event logging stays
 * off: API Gateway events carry the authorization code in the query string.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'signupplus-onboarding',
});
