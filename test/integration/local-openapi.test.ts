/**
 * `GET /openapi.json` on the local API: the document `npm run docs` generated and committed (which
 * `test/unit/openapi.test.ts` keeps current), with the running stack as its first server, so a tool
 * pointed at the local API calls this stack and not the default port.
 */
import { readFileSync } from 'node:fs';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestJson } from '../helpers/http.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});

afterAll(async () => {
  await stack?.close();
});

describe('the served OpenAPI document', () => {
  it('is the committed one with this running stack as first server', async () => {
    // Prepare
    const committed = z
      .looseObject({ servers: z.array(z.unknown()) })
      .parse(JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')));

    // Act
    const served = await requestJson('GET', `${stack.urls.api}/openapi.json`);

    // Assess
    expect(served.status).toBe(200);
    expect(served.body).toEqual({
      ...committed,
      servers: [{ url: stack.urls.api, description: 'This local runtime' }, ...committed.servers],
    });
  });
});
