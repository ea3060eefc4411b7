import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { runWithinDeadline } from '../invocation.ts';
import { logger } from '../logger.ts';
import { tracer } from '../tracer.ts';
import { errorPage } from './error-page.ts';
import { problemResponse, toProblem } from './problem.ts';
import { prefersHtml } from './request.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  /** Render problems as a page for the end user when a browser asks for one (the redirect callbacks). */
  htmlErrors?: boolean;
}

/**
 * Wraps a route function: request-scoped log keys, a trace subsegment for
 * the handler (its answer is never recorded: it may carry personal data),
 * and every thrown error turned into problem+json through the one mapping in
 * problem.ts.
 */
export function httpHandler(fn: HttpFunction, options: HttpHandlerOptions = {}) {
  return middy<HttpEvent, HttpResult>((event: HttpEvent, context: Context) =>
    runWithinDeadline(context.getRemainingTimeInMillis(), () => fn(event, context)),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({
      onError: (request) => {
        // The request id is on every log line of this invocation (injectLambdaContext): support finds them by it.
        const problem = toProblem(request.error, request.context.awsRequestId);
        if (problem.status >= 500) {
          logger.error('Request failed', {
            route: request.event.routeKey,
            error: request.error ?? undefined,
          });
        } else {
          logger.info('Request refused', {
            route: request.event.routeKey,
            status: problem.status,
            type: problem.type,
          });
        }
        request.response =
          options.htmlErrors && prefersHtml(request.event) ? errorPage(problem) : problemResponse(problem);
      },
    });
}
