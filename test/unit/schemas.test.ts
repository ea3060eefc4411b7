/**
 * The published event contracts: schemas/events/*.json are exactly what the
 * generator makes from functions/contract/events.ts now, they are valid
 * draft 2020-12 schemas, the committed example events (real ones, from
 * `npm run docs:examples`) validate against them and against the zod schemas,
 * and docs/events.md documents every detail type and shows those examples.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detailSchemas, EVENT_SOURCE } from '../../functions/contract/events.ts';
import {
  committedExamples,
  EVENTS_DOC,
  exampleBlocks,
  readExample,
} from '../../scripts/lib/event-examples.ts';
import { detailTypeNames, eventSchema, eventSchemaFiles, slug } from '../../scripts/lib/event-schemas.ts';
import { fromRoot, staleFiles } from '../../scripts/lib/files.ts';
import { orphanedEventSchemas } from '../../scripts/lib/generated.ts';
import { jsonSchemaValidator } from '../../scripts/lib/json-schema.ts';

const committedSchema = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fromRoot(path), 'utf8'));

describe('event JSON Schemas', () => {
  it('are committed exactly as the generator makes them now (run npm run schemas when this fails)', () => {
    expect(staleFiles(eventSchemaFiles())).toEqual([]);
    expect(orphanedEventSchemas()).toEqual([]);
  });

  it('cover every detail type of the contracts, one versioned file each', () => {
    const paths = eventSchemaFiles().map((file) => file.path);

    expect(paths).toHaveLength(Object.keys(detailSchemas).length);
    expect(paths).toContain('schemas/events/onboarding-ready-for-payment.v1.json');
    for (const detailType of detailTypeNames) {
      expect(paths).toContain(`schemas/events/${slug(detailType)}.v1.json`);
    }
  });

  it.each(detailTypeNames)('%s: a strict draft 2020-12 schema requiring the envelope', (detailType) => {
    const { path } = eventSchema(detailType);
    const schema = committedSchema(path);

    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => jsonSchemaValidator().compile(schema)).not.toThrow();
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['schema_version', 'event_id', 'onboarding_id', 'occurred_at']),
      properties: { schema_version: { const: '1' }, event_id: { format: 'uuid' } },
    });
  });
});

describe('example events', () => {
  it.each(detailTypeNames)('%s: a real example exists, as EventBridge delivers it', (detailType) => {
    const example = readExample(detailType);

    expect(example, `no example for ${detailType}: run npm run docs:examples`).toBeDefined();
    expect(example?.['detail-type']).toBe(detailType);
    expect(example?.source).toBe(EVENT_SOURCE);
  });

  it.each(detailTypeNames)(
    '%s: the example validates against the JSON Schema and the zod schema',
    (detailType) => {
      const example = readExample(detailType);
      const validate = jsonSchemaValidator().compile(committedSchema(eventSchema(detailType).path));

      const valid = validate(example?.detail);

      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      expect(detailSchemas[detailType].safeParse(example?.detail).success).toBe(true);
    },
  );

  it('are rejected by the schemas once broken: a missing field, a wrong version, a malformed id', () => {
    const example = readExample('Onboarding Ready For Payment');
    const validate = jsonSchemaValidator().compile(
      committedSchema(eventSchema('Onboarding Ready For Payment').path),
    );
    const detail = { ...example?.detail };

    const { user: _user, ...withoutUser } = detail;
    expect(validate(withoutUser)).toBe(false);
    expect(validate({ ...detail, schema_version: '2' })).toBe(false);
    expect(validate({ ...detail, event_id: 'not-a-uuid' })).toBe(false);
    expect(validate({ ...detail, occurred_at: 'yesterday' })).toBe(false);
    // a field the consumer does not know yet is allowed: the contract is open within a version
    expect(validate({ ...detail, added_later: true })).toBe(true);
  });
});

describe('docs/events.md', () => {
  const doc = readFileSync(fromRoot(EVENTS_DOC), 'utf8');

  it.each(detailTypeNames)('documents %s in its own section, linking its schema', (detailType) => {
    expect(doc).toContain(`\n## ${detailType}\n`);
    expect(doc).toContain(`(../${eventSchema(detailType).path})`);
  });

  it('shows exactly the committed examples (run npm run docs:examples when this fails)', () => {
    // Compared as JSON: Biome lays out the blocks of the markdown its own way.
    const parsed = (blocks: Map<string, string>) =>
      Object.fromEntries([...blocks].map(([name, text]) => [name, JSON.parse(text)]));

    expect(parsed(exampleBlocks(doc))).toEqual(parsed(committedExamples()));
    expect(exampleBlocks(doc).size).toBe(detailTypeNames.length);
  });

  it('states the dedupe rule and which events carry personal data', () => {
    expect(doc).toMatch(/Deduplicate on `detail\.event_id`/);
    expect(doc).toMatch(/\*\*Personal data: yes\.\*\*/);
  });
});
