/**
 * The simulator checks `POST /v3/data-connections` with its own reading of
 * seed 003 (a JSON Schema run by Ajv), written apart from the product's zod
 * validator on purpose. Here both meet the same cases: the simulator must
 * refuse each bad body naming the same field, and on generated requests the
 * two must reach the same verdict, so neither passes by agreeing with itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConnectionRequest } from '../../functions/connections/request.ts';
import { CASES, onWire, SEED_FULL_EXAMPLE } from '../../test/helpers/connection-cases.ts';
import { mostlyValidRequest, nearlyValidRequest } from '../../test/helpers/connections.ts';
import { validateDataConnectionRequest } from '../truelayer-sim/data-v3/index.ts';

describe('the simulator holds requests to the same rules', () => {
  it.each(CASES)('$name', ({ body, field, licensed = false }) => {
    // Prepare
    const wire = onWire(body);

    // Act
    const product = checkConnectionRequest(wire, { aispLicensed: licensed });
    const simulator = validateDataConnectionRequest(wire, { aispLicensed: licensed });

    // Assess: the same verdict as the product, naming the same field
    if (field === undefined) {
      expect(simulator).toMatchObject({ ok: true });
      if (product.ok && simulator.ok) expect(simulator.request.configuration).toBe(product.configuration);
    } else {
      expect(simulator.ok).toBe(false);
      if (!simulator.ok) expect(Object.keys(simulator.errors)).toContain(field);
    }
  });

  it('accepts TrueLayer’s own full example request (seed 003)', () => {
    expect(validateDataConnectionRequest(SEED_FULL_EXAMPLE, { aispLicensed: false })).toMatchObject({
      ok: true,
      request: { configuration: 'hosted_flow', returnUri: 'https://yourapp.com/callback' },
    });
  });
});

describe('the product and the simulator agree', () => {
  const verdict = (body: unknown, aispLicensed: boolean) => {
    const product = checkConnectionRequest(body, { aispLicensed });
    const simulator = validateDataConnectionRequest(body, { aispLicensed });
    return {
      product: product.ok ? product.configuration : 'refused',
      simulator: simulator.ok ? simulator.request.configuration : 'refused',
    };
  };

  it('on requests near the valid ones', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyValidRequest, mostlyValidRequest), fc.boolean(), (body, licensed) => {
        const { product, simulator } = verdict(onWire(body), licensed);
        expect(simulator).toBe(product);
      }),
      { numRuns: 3000 },
    );
  });

  // Arbitrary JSON is almost never a valid request, so "they agree" would hold
  // for two validators that refuse everything: the promise here is that both
  // refuse it, and the tests above and below show both accept valid requests.
  it('both refuse arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        expect(verdict(body, false)).toEqual({ product: 'refused', simulator: 'refused' });
      }),
      { numRuns: 500 },
    );
  });

  it('accept a good share of the generated requests, so the agreement means something', () => {
    const samples = fc.sample(mostlyValidRequest, { numRuns: 500, seed: 42 });
    const accepted = samples.filter(
      (body) => checkConnectionRequest(onWire(body), { aispLicensed: false }).ok,
    );
    expect(accepted.length).toBeGreaterThan(50);
    expect(accepted.length).toBeLessThan(450);
  });
});
