import type { LocalStack } from '@signupplus/local';
import fc from 'fast-check';
import { z } from 'zod';
import type { ConnectionConfiguration } from '../../functions/connections/configurations.ts';
import { requestJson } from './http.ts';

/** Where the integrator wants the user back (the product keeps it and sends TrueLayer its own). */
export const CALLER_RETURN_URI = 'https://app.example.com/callback';
export const USER = { name: 'Jane Smith', email: 'jane@example.com' };
const CAPTURED_AT = '2025-01-01T12:00:00Z';

/** The seed's five example requests, with the user the table requires. */
export const EXAMPLES: Record<ConnectionConfiguration, Record<string, unknown>> = {
  hosted_flow: {
    scopes: ['accounts', 'transactions'],
    provider_selection: { type: 'user_selected' },
    user: USER,
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: CALLER_RETURN_URI },
  },
  own_provider_selection: {
    scopes: ['accounts', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: USER,
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: CALLER_RETURN_URI },
  },
  own_provider_selection_and_consent: {
    scopes: ['accounts', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: USER,
    user_consent: { type: 'precaptured', captured_at: CAPTURED_AT },
    hosted_page: { type: 'authorization_flow', return_uri: CALLER_RETURN_URI },
  },
  own_flow_with_result_page: {
    scopes: ['accounts', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: USER,
    user_consent: { type: 'precaptured', captured_at: CAPTURED_AT },
    hosted_page: { type: 'result_page', return_uri: CALLER_RETURN_URI },
  },
  fully_custom: {
    scopes: ['accounts', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user: USER,
    user_consent: { type: 'precaptured', captured_at: CAPTURED_AT },
    authorization_flow: { redirect: { return_uri: CALLER_RETURN_URI } },
  },
};

/** Drops the keys whose value is `undefined`, as JSON would. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

const uri = fc.constantFrom(
  CALLER_RETURN_URI,
  'http://localhost:3000/cb',
  'http://example.com/cb',
  '/relative',
  'https://app.example.com/cb#frag',
  'not a url',
);
const providerId = fc.constantFrom('ob-monzo', 'mock', 'OB-Monzo', '-x', 'ob-barclays');
const stringList = (values: string[]) =>
  fc.oneof(fc.array(fc.constantFrom(...values), { maxLength: 4 }), fc.constant('GB'));

const filter = fc
  .record({
    countries: maybe(stringList(['GB', 'FI', 'XX', 'gb', 'UK'])),
    release_channel: maybe(fc.constantFrom('general_availability', 'public_beta', 'private_beta', 'public')),
    customer_segments: maybe(stringList(['retail', 'business', 'corporate', 'consumer'])),
    provider_ids: maybe(stringList(['ob-monzo', 'mock', 'Bad Id'])),
    excludes: maybe(stringList(['ob-barclays', 'x'])),
    banks: maybe(fc.constant(['ob-monzo'])),
  })
  .map(defined);

const metadata = fc.oneof(
  fc.dictionary(
    fc.oneof(
      fc.string({ minLength: 0, maxLength: 42 }),
      fc.constant('k'.repeat(40)),
      fc.constant('k'.repeat(41)),
    ),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constant('v'.repeat(500)),
      fc.constant('v'.repeat(501)),
      fc.integer(),
    ),
    { maxKeys: 12 },
  ),
  fc.constant([]),
  fc.constant(null),
);

/**
 * Requests near the valid ones: every field drawn from a pool of good and bad
 * values (or left out), so that both acceptances and each kind of refusal
 * come up often.
 */
export const nearlyValidRequest: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    scopes: maybe(
      fc.oneof(
        fc.subarray(['info', 'accounts', 'balance', 'transactions'], { minLength: 1 }),
        stringList(['info', 'accounts', 'cards']),
      ),
    ),
    provider_selection: maybe(
      fc
        .record({
          type: maybe(fc.constantFrom('preselected', 'user_selected', 'bank')),
          provider_id: maybe(providerId),
          filter: maybe(filter),
        })
        .map(defined),
    ),
    user: maybe(
      fc
        .record({
          id: maybe(fc.constantFrom('user-1', '  ', 'u'.repeat(129))),
          name: maybe(fc.constantFrom('Jane Smith', '', '   ', 'J'.repeat(201))),
          email: maybe(fc.constantFrom('jane@example.com', 'jane@', 'jane@example', 'a b@example.com')),
          phone: maybe(fc.constantFrom('+447700900000', '07700900000', '+0447700900000', '+44')),
          date_of_birth: maybe(fc.constant('1990-01-01')),
        })
        .map(defined),
    ),
    metadata: maybe(metadata),
    user_consent: maybe(
      fc
        .record({
          type: maybe(fc.constantFrom('precaptured', 'authorization_flow_captured', 'implicit')),
          captured_at: maybe(
            fc.constantFrom(
              '2025-01-01T12:00:00Z',
              '2024-02-29T23:59:59.5+01:00',
              '2023-02-29T00:00:00Z',
              '2025-01-01 12:00:00Z',
              '2025-01-01T12:00Z',
              '2025-01-01t12:00:00z',
            ),
          ),
        })
        .map(defined),
    ),
    hosted_page: maybe(
      fc
        .record({
          type: maybe(fc.constantFrom('authorization_flow', 'result_page', 'page')),
          return_uri: maybe(uri),
          country_code: maybe(fc.constantFrom('GB', 'gb', 'GBR', 'XK')),
          language_code: maybe(fc.constantFrom('en', 'EN', 'eng', 'xx')),
        })
        .map(defined),
    ),
    authorization_flow: maybe(
      fc.oneof(
        fc.constant({}),
        fc.record({ redirect: fc.record({ return_uri: maybe(uri) }).map(defined) }),
        fc.constant({ redirect: { return_uri: CALLER_RETURN_URI }, extra: true }),
      ),
    ),
    data_access_type: maybe(fc.constantFrom('one_time', 'recurring', 'forever')),
    unexpected: fc.option(fc.constant(1), { nil: undefined, freq: 10 }),
  })
  .map(defined);

/** Mostly the seed's examples with one or two fields replaced: valid requests come up often. */
export const mostlyValidRequest: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...Object.values(EXAMPLES)), nearlyValidRequest, fc.integer({ min: 0, max: 2 }))
  .map(([example, other, swaps]) => {
    const keys = Object.keys(other).slice(0, swaps);
    return { ...example, ...Object.fromEntries(keys.map((key) => [key, other[key]])) };
  });

export const createdConnectionSchema = z.object({
  onboarding_id: z.string(),
  connection_id: z.string(),
  user: z.object({ id: z.string() }),
  status: z.enum(['authorization_required', 'authorizing']),
  configuration: z.string(),
  data_access_type: z.enum(['one_time', 'recurring']),
  redirect_to: z.string(),
  hosted_page: z.object({ uri: z.string() }).optional(),
  authorization_flow: z
    .object({ actions: z.object({ next: z.object({ type: z.string(), uri: z.string() }) }) })
    .optional(),
});

export async function postConnection(stack: LocalStack, body: unknown, headers: Record<string, string> = {}) {
  return requestJson('POST', `${stack.urls.api}/connections`, body, headers);
}

/**
 * The simulator's one non-interactive approval hook, which takes a connection's link like every other:
 * where the browser would be sent after the user's decision.
 */
export async function authorizeConnection(
  stack: LocalStack,
  uri: string,
  decision: 'approve' | 'deny' = 'approve',
  user = 'john',
) {
  const response = await requestJson('POST', `${stack.urls.truelayer_auth}/_sandbox/authorize`, {
    auth_link: uri,
    user,
    decision,
  });
  if (response.status !== 200) {
    throw new Error(`authorize answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return z.object({ redirect_to: z.string() }).parse(response.body).redirect_to;
}
