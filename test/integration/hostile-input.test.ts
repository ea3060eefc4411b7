import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/contract/manifest.ts';

let stack: LocalStack;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  dynamo = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  await stack?.close();
});

/** Strings that have broken other systems: injections, unicode tricks, control characters, sheer size. */
const HOSTILE = [
  "' OR '1'='1' --",
  '{"$gt":""}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\u202Egnp.exe',
  'a\u0000b',
  '\uFEFF\u200B\u200D',
  '𝕳𝖊𝖑𝖑𝖔',
  'Ｃａｌｌｂａｃｋ',
  '\uD800',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style probe, on purpose
  '${jndi:ldap://127.0.0.1/a}',
  '%00%0d%0aSet-Cookie:x=1',
  'x'.repeat(20_000),
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string(),
);
const body = fc.oneof(
  fc.constant(''),
  fc.json(),
  hostileString,
  fc.dictionary(hostileString, fc.jsonValue()).map((value) => JSON.stringify(value)),
  fc
    .record({ account_id: fc.jsonValue(), reference: fc.jsonValue(), providers: fc.jsonValue() })
    .map((value) => JSON.stringify(value)),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
);
const query = fc.dictionary(
  fc.oneof(fc.constantFrom('code', 'state', 'error', 'error_description'), hostileString),
  hostileString,
  {
    maxKeys: 5,
  },
);
const pathId = fc.oneof(
  fc.uuid(),
  // '.' and '..' are dot segments: the URL parser removes them before sending, so the request
  // reaches another path (API Gateway answers an unknown route itself, not with problem+json).
  hostileString.filter((value) => value.length > 0 && value !== '.' && value !== '..'),
);

async function storedItems(): Promise<number> {
  const { Count = 0 } = await dynamo.send(
    new ScanCommand({ TableName: stack.tables.onboardings, Select: 'COUNT' }),
  );
  return Count;
}

function urlFor(path: string, id: string, parameters: Record<string, string>): string {
  const search = new URLSearchParams(parameters).toString();
  // A lone surrogate cannot be percent-encoded; browsers send U+FFFD in its place.
  return `${stack.urls.api}${path.replace('{id}', encodeURIComponent(id.toWellFormed()))}${search ? `?${search}` : ''}`;
}

describe('hostile and malformed input', () => {
  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers 4xx problem+json, never 5xx, and writes nothing it refuses',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(pathId, query, body, contentType, async (id, parameters, payload, type) => {
          const before = { items: await storedItems(), executions: stack.stepFunctions.executions().length };
          const response = await fetch(urlFor(route.path, id, parameters), {
            method: route.method,
            redirect: 'manual',
            headers: { accept: 'application/json', ...(type ? { 'content-type': type } : {}) },
            ...(route.method === 'GET' || payload === '' ? {} : { body: payload }),
          });
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toBe('application/problem+json');
            const problem: unknown = JSON.parse(text);
            expect(problem).toMatchObject({
              status: response.status,
              title: expect.any(String),
              detail: expect.any(String),
            });
            expect(await storedItems()).toBe(before.items);
            expect(stack.stepFunctions.executions()).toHaveLength(before.executions);
          }
        }),
        { numRuns: 60 },
      );
    },
    60_000,
  );

  it('names the offending field', async () => {
    const response = await fetch(`${stack.urls.api}/onboardings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 42, providers: ['ok-provider', 'NOT VALID'], extra: true }),
    });
    const problem = await response.json();
    expect(response.status).toBe(400);
    expect(problem.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'extra',
      'providers.1',
      'reference',
    ]);
  });

  it('refuses a wrong content type with 415', async () => {
    const response = await fetch(`${stack.urls.api}/onboardings`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'reference=1',
    });
    expect(response.status).toBe(415);
  });

  it('refuses an oversized body with 413 and a huge query string with 400', async () => {
    const big = await fetch(`${stack.urls.api}/onboardings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 'x'.repeat(100_000) }),
    });
    const hugeQuery = await fetch(`${stack.urls.api}/callback?state=${'s'.repeat(30_000)}&code=c`, {
      headers: { accept: 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(hugeQuery.status).toBe(400);
  });
});
