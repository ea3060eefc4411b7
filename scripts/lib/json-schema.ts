/**
 * A JSON Schema (draft 2020-12) validator: Ajv with formats, strict. Used by the
 * tests to prove the published schemas accept the real events and reject broken ones.
 * ajv and ajv-formats are installed with asl-validator (see package-lock.json).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** `strict: false` lets OpenAPI's own keywords (`example`) through when validating its schema objects. */
export function jsonSchemaValidator(options: { strict?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: options.strict ?? true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}
