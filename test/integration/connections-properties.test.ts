import { type LocalStack, startLocalStack } from '@signupplus/local';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mostlyValidRequest, nearlyValidRequest, postConnection } from '../helpers/connections.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});

afterAll(async () => {
  await stack?.close();
});

const calls = () => stack.simulator.calls().data_connections ?? 0;

/** Bodies of every kind: near-valid requests, valid ones with swaps, any JSON, and text that is not JSON. */
const anyBody = fc.oneof(
  { weight: 4, arbitrary: mostlyValidRequest },
  { weight: 3, arbitrary: nearlyValidRequest },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => `{${text}`) },
);

describe('POST /connections with arbitrary bodies', () => {
  it('never answers 5xx, and a refused body never reaches TrueLayer or the bus', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        // Prepare
        const before = { calls: calls(), events: stack.events().length };

        // Act
        const response = await postConnection(stack, typeof body === 'string' ? body : JSON.stringify(body));

        // Assess: the product's verdict stands (the simulator re-checks every accepted body independently)
        expect([201, 400]).toContain(response.status);
        if (response.status === 400) {
          expect(response.headers.get('content-type')).toBe('application/problem+json');
          expect(calls()).toBe(before.calls);
          expect(stack.events()).toHaveLength(before.events);
        } else {
          accepted += 1;
          expect(calls()).toBe(before.calls + 1);
        }
      }),
      { numRuns: 150 },
    );
    // The run is only meaningful if both sides of the verdict came up.
    expect(accepted).toBeGreaterThan(5);
  });
});
