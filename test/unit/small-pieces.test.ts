import { describe, expect, it } from 'vitest';
import { stableEventId } from '../../functions/events/event-id.ts';
import { denialFailure } from '../../functions/onboarding/denial.ts';
import { FAILURE_REASONS, failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { maskAccountNumber } from '../../functions/onboarding/model.ts';
import { failureFromCatch } from '../../functions/onboarding/workflow/failures.ts';
import { buildAuthLink } from '../../functions/truelayer/auth-link.ts';
import { signupPlusIdentitySchema } from '../../functions/truelayer/schemas.ts';

describe('buildAuthLink', () => {
  it('writes every parameter TrueLayer expects, spaces as %20', () => {
    const link = buildAuthLink({
      authBaseUrl: 'https://auth.truelayer-sandbox.com',
      clientId: 'client',
      redirectUri: 'https://example.com/callback',
      scopes: ['info', 'accounts', 'signupplus'],
      providers: ['uk-cs-mock', 'uk-ob-all'],
      state: 'abc',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    });
    expect(link).toBe(
      'https://auth.truelayer-sandbox.com/?response_type=code&client_id=client&scope=info%20accounts%20signupplus' +
        '&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&providers=uk-cs-mock%20uk-ob-all&state=abc' +
        '&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256',
    );
  });
});

describe('stableEventId', () => {
  it('is a UUID that depends only on its parts', () => {
    const id = stableEventId('onboarding-1', 'Onboarding Ready For Payment');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableEventId('onboarding-1', 'Onboarding Ready For Payment')).toBe(id);
    expect(stableEventId('onboarding-2', 'Onboarding Ready For Payment')).not.toBe(id);
  });
});

describe('maskAccountNumber', () => {
  it.each([
    ['30000000', '••••0000'],
    ['GB71MONZ04435141923452', `${'•'.repeat(18)}3452`],
    ['123', '123'],
    [undefined, undefined],
  ])('masks %s', (input, expected) => {
    expect(maskAccountNumber(input)).toBe(expected);
  });
});

describe('Signup+ identity schema', () => {
  const base = {
    first_name: 'Joe',
    last_name: 'Blogs',
    date_of_birth: '2000-06-20',
    account_details: { sort_code: '04-01-02', account_number: '41921234', provider_id: 'ob-monzo' },
  };

  it("accepts the guide's country_code and the SDK's country, keeping one field", () => {
    const address = { address_line1: 'Flat 1a', city: 'Stockport', zip: 'SK3 9LQ' };
    const fromGuide = signupPlusIdentitySchema.parse({
      ...base,
      address: { ...address, country_code: 'GB' },
    });
    const fromSdk = signupPlusIdentitySchema.parse({ ...base, address: { ...address, country: 'GB' } });
    expect(fromGuide.address).toEqual(fromSdk.address);
    expect(fromGuide.address).toMatchObject({ country: 'GB' });
  });

  it('accepts a user without title or sort code, with a national id and sex (fields TrueLayer’s SDKs model)', () => {
    const ibanOnly = signupPlusIdentitySchema.parse({
      first_name: 'Ivy',
      last_name: 'Banks',
      date_of_birth: '1988-02-29',
      national_identification_number: '290288-123A',
      sex: 'F',
      address: { address_line1: '5 Canal Walk', city: 'Manchester', zip: 'M1 2AB', country: 'GB' },
      account_details: { iban: 'GB33BUKB20201555555555', provider_id: 'ob-barclays' },
    });
    expect(ibanOnly.national_identification_number).toBe('290288-123A');
  });

  it('refuses account details with neither IBAN nor sort code and number', () => {
    const result = signupPlusIdentitySchema.safeParse({
      ...base,
      address: { address_line1: 'a', city: 'b', zip: 'c', country: 'GB' },
      account_details: { provider_id: 'ob-monzo' },
    });
    expect(result.success).toBe(false);
  });
});

describe('failureFromCatch', () => {
  it('names TrueLayer unavailability and hides everything else behind internal_error', () => {
    expect(failureFromCatch({ Error: 'TrueLayerUnavailableError' })).toEqual(
      failureOf('truelayer_unavailable'),
    );
    const internal = failureFromCatch({ Error: 'TypeError' });
    expect(internal.reason).toBe('internal_error');
    expect(internal.detail).toBe(FAILURE_REASONS.internal_error.detail);
  });

  it('copes with no error at all, as when the Choice falls through', () => {
    expect(failureFromCatch(undefined).reason).toBe('internal_error');
  });
});

describe('denialFailure', () => {
  it('keeps a known OAuth error code and a cleaned, shortened description', () => {
    expect(denialFailure('access_denied', 'User said\u0000 no "thanks"')).toEqual({
      ...failureOf('access_denied'),
      oauth: { error: 'access_denied', description: 'User said no thanks' },
    });
    const long = denialFailure('server_error', 'x'.repeat(500));
    expect(long.reason).toBe('authorization_error');
    expect(long.oauth?.description).toHaveLength(200);
  });

  it.each([
    ['The bank rejected the login credentials', 'bank_login_failed'],
    ['Login failed at the bank', 'bank_login_failed'],
    ['User authentication failed', 'bank_login_failed'],
    ['Wrong password', 'bank_login_failed'],
    ['The user denied access', 'access_denied'],
    ['User cancelled', 'access_denied'],
    [undefined, 'access_denied'],
  ])(
    'tells a failed bank login from a refusal by what access_denied says: %j is %s',
    (description, reason) => {
      expect(denialFailure('access_denied', description).reason).toBe(reason);
    },
  );

  it('keeps nothing of an error code the RFC does not define', () => {
    expect(denialFailure('<script>alert(1)</script>', 'anything')).toEqual({
      ...failureOf('authorization_error'),
      oauth: { error: 'unknown' },
    });
  });
});
