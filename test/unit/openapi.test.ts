/**
 * docs/openapi.json: current (regenerated and compared), OpenAPI 3.1, and
 * faithful to the manifest: every route of ROUTES documented with the
 * security the deployed HTTP API applies, nothing documented that does not
 * exist; every example valid against the schema it illustrates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROUTES } from '../../functions/contract/manifest.ts';
import { connectionRequestSchema } from '../../functions/contract/requests.ts';
import {
  accountChoiceAcceptedSchema,
  connectionViewSchema,
  createdConnectionSchema,
  createdOnboardingSchema,
  onboardingViewSchema,
  problemSchema,
} from '../../functions/contract/responses.ts';
import { createOnboarding } from '../../functions/onboarding/create-onboarding.ts';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { getOnboarding } from '../../functions/onboarding/get-onboarding.ts';
import { fromRoot, staleFiles } from '../../scripts/lib/files.ts';
import { OPENAPI_DOC, openApiFiles } from '../../scripts/lib/generated.ts';
import { jsonSchemaValidator } from '../../scripts/lib/json-schema.ts';
import { SIGV4 } from '../../scripts/lib/openapi/document.ts';
import {
  accountChoiceAcceptedExample,
  connectionRequestExamples,
  connectionViewExample,
  createdConnectionExample,
  createdExample,
  onboardingExamples,
  problemExamples,
} from '../../scripts/lib/openapi/examples.ts';
import { OPERATIONS } from '../../scripts/lib/openapi/operations.ts';
import {
  CREATE_SETTINGS,
  fakeClock,
  InMemoryOnboardings,
  noPayments,
  onboardingIn,
} from './fakes/onboarding.ts';

const record = z.record(z.string(), z.unknown());
const mediaSchema = z
  .object({
    schema: record.optional(),
    examples: z.record(z.string(), z.object({ value: z.unknown() })).optional(),
  })
  .loose();
const operationSchema = z
  .object({
    operationId: z.string(),
    summary: z.string(),
    security: z.array(z.record(z.string(), z.array(z.string()))),
    parameters: z.array(z.object({ in: z.string(), name: z.string() }).loose()).optional(),
    requestBody: z
      .object({ content: z.record(z.string(), mediaSchema) })
      .loose()
      .optional(),
    responses: z.record(
      z.string(),
      z.object({ content: z.record(z.string(), mediaSchema).optional() }).loose(),
    ),
  })
  .loose();
const documentSchema = z
  .object({
    openapi: z.string(),
    paths: z.record(z.string(), z.record(z.string(), operationSchema)),
    components: z.object({ schemas: record, securitySchemes: record }).loose(),
  })
  .loose();

const committed = documentSchema.parse(JSON.parse(readFileSync(fromRoot(OPENAPI_DOC), 'utf8')));
const operations = Object.entries(committed.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
);

describe('docs/openapi.json', () => {
  it('is committed exactly as the generator makes it now (run npm run docs when this fails)', () => {
    expect(staleFiles(openApiFiles())).toEqual([]);
  });

  it('is an OpenAPI 3.1 document with the SigV4 security scheme of API Gateway', () => {
    expect(committed.openapi).toBe('3.1.0');
    expect(committed.components.securitySchemes[SIGV4]).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('documents every route of the manifest and nothing else', () => {
    const documented = operations.map(({ method, path }) => `${method} ${path}`).sort();
    const declared = ROUTES.map((route) => `${route.method} ${route.path}`).sort();

    expect(documented).toEqual(declared);
  });

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: carries the security the HTTP API applies, and its path parameters',
    (_key, route) => {
      const operation = committed.paths[route.path]?.[route.method.toLowerCase()];

      expect(operation?.security).toEqual(route.authorization === 'iam' ? [{ [SIGV4]: [] }] : []);
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort()).toEqual(names.sort());
    },
  );

  it('gives every operation a unique id, a success answer and problem+json errors, but for API Gateway’s own', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { operation } of operations) {
      const codes = Object.keys(operation.responses);
      expect(codes.some((code) => /^[23]/.test(code))).toBe(true);
      for (const code of codes.filter((c) => /^[45]/.test(c) && c !== '403' && c !== '429')) {
        expect(Object.keys(operation.responses[code]?.content ?? {})).toContain('application/problem+json');
      }
    }
  });

  it('documents API Gateway’s own 403 (IAM routes) and 429 (every route) with their real bodies', () => {
    for (const { operation } of operations) {
      const signed = (operation.security ?? []).length > 0;
      const answers = operation.responses;
      expect(answers['429']?.content?.['application/json']?.examples).toMatchObject({
        throttled: { value: { message: 'Too Many Requests' } },
      });
      if (signed) {
        expect(answers['403']?.content?.['application/json']?.examples).toMatchObject({
          forbidden: { value: { message: 'Forbidden' } },
        });
      } else {
        expect(answers['403']).toBeUndefined();
      }
    }
  });

  it('describes no route that is gone from the manifest', () => {
    // A new route without a description is still documented, from the manifest (npm run docs warns).
    const declared = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(Object.keys(OPERATIONS).filter((key) => !declared.includes(key))).toEqual([]);
  });

  it('has examples that validate against the schemas they illustrate', () => {
    const ajv = jsonSchemaValidator({ strict: false });
    // OpenAPI 3.1 schema objects are JSON Schema 2020-12: resolve $refs against the document's components.
    ajv.addSchema({ $id: 'https://openapi.invalid/document', components: committed.components });
    const resolve = (schema: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"https://openapi.invalid/document#/components/'),
      );
    let checked = 0;
    for (const { method, path, operation } of operations) {
      const media = [
        ...Object.values(operation.requestBody?.content ?? {}),
        ...Object.values(operation.responses).flatMap((response) => Object.values(response.content ?? {})),
      ];
      for (const { schema, examples } of media) {
        if (!schema || !examples) continue;
        const validate = ajv.compile(resolve(schema));
        for (const [name, example] of Object.entries(examples)) {
          checked++;
          expect(
            validate(example.value),
            `${method} ${path} example ${name}: ${ajv.errorsText(validate.errors)}`,
          ).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('response schemas', () => {
  it('parse the examples written for them', () => {
    expect(createdOnboardingSchema.safeParse(createdExample).success).toBe(true);
    expect(accountChoiceAcceptedSchema.safeParse(accountChoiceAcceptedExample).success).toBe(true);
    for (const example of Object.values(onboardingExamples)) {
      expect(onboardingViewSchema.safeParse(example.value).error).toBeUndefined();
    }
    for (const example of Object.values(problemExamples)) {
      expect(problemSchema.safeParse(example.value).success).toBe(true);
    }
    expect(createdConnectionSchema.safeParse(createdConnectionExample).error).toBeUndefined();
    expect(connectionViewSchema.safeParse(connectionViewExample).error).toBeUndefined();
    for (const example of Object.values(connectionRequestExamples)) {
      expect(connectionRequestSchema.safeParse(example.value).error).toBeUndefined();
    }
  });

  // The use cases' return types are derived from these schemas (functions/contract/responses.ts), so
  // the compiler holds their shape; what is checked here is what types cannot say (formats, enums, UUIDs).
  it('parse what the onboarding use cases really return, in every status', async () => {
    // Prepare: a journey created through the use case, then records in each status
    const repository = new InMemoryOnboardings();
    const clock = fakeClock();
    const created = await createOnboarding(
      { reference: 'customer-42' },
      {
        repository,
        now: clock.now,
        settings: CREATE_SETTINGS,
        startPayment: noPayments,
        startMandate: noPayments,
      },
    );
    const records = [
      onboardingIn('awaiting_authorization'),
      onboardingIn('authorized'),
      onboardingIn('awaiting_account_choice', {
        account_choices: [
          { account_id: 'a1', display_name: 'Current', account_type: 'CURRENT', currency: 'GBP' },
        ],
        account_choice_expires_at: '2026-03-01T10:14:00.000Z',
      }),
      onboardingIn('account_chosen'),
      onboardingIn('completed', {
        user: { first_name: 'Ada', last_name: 'Lovelace' },
        account: { sort_code: '040004', account_number: '12345678' },
      }),
      onboardingIn('failed', { failure: failureOf('access_denied') }),
      onboardingIn('expired', { failure: failureOf('link_expired') }),
    ];

    // Act / Assess
    expect(createdOnboardingSchema.safeParse(created).error).toBeUndefined();
    for (const record of records) {
      const onboardings = new InMemoryOnboardings();
      onboardings.seed(record);
      const view = await getOnboarding(record.onboarding_id, onboardings);
      expect(onboardingViewSchema.safeParse(view).error, record.status).toBeUndefined();
    }
  });
});
