/**
 * The integrator API as an OpenAPI 3.1 document, built with zod-openapi from
 * the same schemas the handlers parse with. Every route of the manifest's
 * ROUTES is in it, with the security the deployed HTTP API enforces (SigV4 on
 * `iam` routes, none on `/callback`). Served by the local runtime at
 * `GET /openapi.json`; `npm run docs` writes it to docs/openapi.json.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { FUNCTIONS, ROUTES, type RouteSpec } from '../../../functions/contract/manifest.ts';
import { OPERATIONS, type OperationDoc, problem } from './operations.ts';

export const SIGV4 = 'sigv4';

const packageJson = z
  .object({ version: z.string(), description: z.string(), license: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')));

const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The operation of a route nobody has described yet: what the manifest knows, and the error shape every route shares. */
function fromManifest(route: RouteSpec): OperationDoc {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const operationId = `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;
  return {
    operationId,
    summary: FUNCTIONS[route.function].description,
    description: 'Documented from the manifest only: the request and answer schemas are not described yet.',
    ...(names.length
      ? { requestParams: { path: z.object(Object.fromEntries(names.map((name) => [name, z.string()]))) } }
      : {}),
    ...(route.method === 'POST'
      ? { requestBody: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } }
      : {}),
    responses: {
      '2XX': {
        description: 'Success',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
      '4XX': problem('The request was refused.'),
      '5XX': problem('Internal error.'),
    },
  };
}

/** Routes the manifest declares that have no description in operations.ts (the generator warns about them). */
export function undocumentedRoutes(): RouteSpec[] {
  return ROUTES.filter((route) => !(routeKey(route) in OPERATIONS));
}

/**
 * API Gateway's own answers, which never reach the product: not problem+json but `{"message"}`.
 * The bodies are the HTTP API's (IAM authorization and throttling).
 */
const gatewayErrorSchema = z
  .object({ message: z.string().meta({ description: "API Gateway's text, not the product's." }) })
  .meta({ id: 'GatewayError' });

const gatewayAnswer = (
  description: string,
  examples: Record<string, { summary: string; value: unknown }>,
) => ({
  description,
  content: { 'application/json': { schema: gatewayErrorSchema, examples } },
});

const GATEWAY_403 = gatewayAnswer(
  'From API Gateway, not the product: the request is unsigned, its signature or credentials do not hold, or ' +
    'the caller is not allowed `execute-api:Invoke` on this route. Check the signing (service `execute-api`, ' +
    "the API's region) and the caller's IAM policy.",
  {
    forbidden: { summary: 'Unsigned, or not allowed', value: { message: 'Forbidden' } },
    signature: {
      summary: 'A signature that does not match',
      value: {
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      },
    },
  },
);

const GATEWAY_429 = gatewayAnswer(
  'From API Gateway, not the product: the stage is throttling requests. Retry with exponential backoff and jitter.',
  { throttled: { summary: 'Throttled', value: { message: 'Too Many Requests' } } },
);

/** Builds the document (the local runtime serves the committed copy, with itself as first server). */
export function openApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of ROUTES) {
    const doc = OPERATIONS[routeKey(route)] ?? fromManifest(route);
    const operation: ZodOpenApiOperationObject = {
      ...doc,
      responses: {
        ...doc.responses,
        ...(route.authorization === 'iam' ? { '403': GATEWAY_403 } : {}),
        '429': GATEWAY_429,
      },
      tags: [route.authorization === 'none' ? 'Browser redirect' : 'Integrator API'],
      security: route.authorization === 'iam' ? [{ [SIGV4]: [] }] : [],
    };
    const method = ({ GET: 'get', POST: 'post', DELETE: 'delete' } as const)[route.method];
    paths[route.path] = { ...paths[route.path], [method]: operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Signup+ onboarding API',
      version: packageJson.version,
      summary: packageJson.description,
      description:
        'Takes an end user from "Sign up with your bank" to "ready for payment" with TrueLayer Signup+. ' +
        'Your backend calls the integrator routes, signed with AWS SigV4 (IAM authorization on the HTTP API); ' +
        "the user's browser comes back through the public `/callback`, protected by the single-use `state`. " +
        'JSON in and out, snake_case fields, errors as `application/problem+json`. The outcome is also ' +
        'published as EventBridge events: see docs/events.md and schemas/events/.',
      license: { name: packageJson.license, identifier: packageJson.license },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'The deployed HTTP API (CDK output ApiUrl)',
        variables: { apiId: { default: 'abcdef1234' }, region: { default: 'eu-west-2' } },
      },
      {
        url: 'http://127.0.0.1:3000',
        description: 'The local runtime (npm start); it does not check signatures',
      },
    ],
    tags: [
      { name: 'Integrator API', description: "Your backend's calls; IAM-authorized (SigV4) on AWS." },
      { name: 'Browser redirect', description: "Where TrueLayer sends the user's browser back; public." },
    ],
    security: [{ [SIGV4]: [] }],
    paths,
    components: {
      securitySchemes: {
        [SIGV4]: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 for service `execute-api`, signed with credentials allowed ' +
            '`execute-api:Invoke` on the API (API Gateway HTTP API IAM authorization).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  });
}
