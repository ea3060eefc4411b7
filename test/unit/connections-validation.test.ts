import { describe, expect, it } from 'vitest';
import { checkConnectionRequest } from '../../functions/connections/request.ts';
import { CASES, onWire, pairs, SEED_FULL_EXAMPLE } from '../helpers/connection-cases.ts';
import { EXAMPLES } from '../helpers/connections.ts';

type Body = Record<string, unknown>;
const hosted = EXAMPLES.hosted_flow;
const withUser = (user: Body) => ({ ...hosted, user });

describe('connection request rules', () => {
  it.each(CASES)('$name', ({ body, field, licensed = false }) => {
    // Prepare
    const wire = onWire(body);

    // Act
    const product = checkConnectionRequest(wire, { aispLicensed: licensed });

    // Assess: the verdict, naming the field (the simulator is held to the same cases in local/test)
    if (field === undefined) {
      expect(product).toMatchObject({ ok: true });
    } else {
      expect(product.ok).toBe(false);
      if (!product.ok) expect(product.problems.map((problem) => problem.field)).toContain(field);
    }
  });

  it('accepts TrueLayer’s own full example request (seed 003), as JSON allows it', () => {
    // The seed's copy has a trailing comma after "transactions" (not JSON) and an email address
    // its web copy mangled; both are the copy's faults, not the request's.
    const check = checkConnectionRequest(SEED_FULL_EXAMPLE, { aispLicensed: false });
    expect(check).toMatchObject({ ok: true, configuration: 'hosted_flow' });
  });

  it('classifies each seed example as its own configuration', () => {
    for (const [configuration, body] of Object.entries(EXAMPLES)) {
      expect(checkConnectionRequest(body, { aispLicensed: false })).toMatchObject({
        ok: true,
        configuration,
      });
    }
  });

  it('defaults data_access_type to recurring', () => {
    const check = checkConnectionRequest(hosted, { aispLicensed: false });
    expect(check.ok && check.request.data_access_type).toBe('recurring');
  });

  it('reports every violation in one answer', () => {
    const check = checkConnectionRequest(
      {
        scopes: ['accounts', 'accounts'],
        provider_selection: { type: 'preselected' },
        user: { email: 'nope' },
        metadata: pairs(11),
        user_consent: { type: 'precaptured' },
        hosted_page: { type: 'authorization_flow', language_code: 'EN' },
        authorization_flow: {},
        data_access_type: 'forever',
        extra: true,
      },
      { aispLicensed: false },
    );

    expect(check.ok).toBe(false);
    const fields = check.ok ? [] : check.problems.map((problem) => problem.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'scopes.1',
        'provider_selection.provider_id',
        'user.name',
        'user.email',
        'metadata',
        'user_consent.captured_at',
        'hosted_page.return_uri',
        'hosted_page.language_code',
        'authorization_flow',
        'data_access_type',
        'extra',
      ]),
    );
  });

  it('never quotes the rejected personal data in its messages', () => {
    const check = checkConnectionRequest(withUser({ name: 42, email: 'secret-person@', phone: '0123' }), {
      aispLicensed: false,
    });
    expect(JSON.stringify(check)).not.toContain('secret-person');
    expect(JSON.stringify(check)).not.toContain('0123');
  });
});
