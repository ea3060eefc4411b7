/**
 * Every rule of seed 003's create-connection table as cases, both sides of
 * each boundary, with the field a refusal must name. The product's validator
 * is held to them in test/unit/connections-validation.test.ts, the
 * simulator's in local/test/connections-agreement.test.ts.
 */
import { CALLER_RETURN_URI, EXAMPLES } from './connections.ts';

type Body = Record<string, unknown>;

const hosted = EXAMPLES.hosted_flow;
const preselected = EXAMPLES.own_provider_selection;
const precaptured = EXAMPLES.own_provider_selection_and_consent;
const withUser = (user: Body) => ({ ...hosted, user });
const withFilter = (filter: Body) => ({ ...hosted, provider_selection: { type: 'user_selected', filter } });
const withHostedPage = (fields: Body) => ({
  ...hosted,
  hosted_page: { type: 'authorization_flow', return_uri: CALLER_RETURN_URI, ...fields },
});
const withConsent = (consent: Body) => ({ ...precaptured, user_consent: consent });
export const pairs = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, 'v']));

export interface Case {
  name: string;
  body: unknown;
  /** The field the refusal names; absent when the body is valid. */
  field?: string;
  licensed?: boolean;
}

/** Every rule of the seed's table, both sides of each boundary. */
export const CASES: Case[] = [
  // the five configurations
  ...Object.entries(EXAMPLES).map(([name, body]) => ({ name: `the seed's ${name} example`, body })),
  // scopes
  { name: 'all four scopes', body: { ...hosted, scopes: ['info', 'accounts', 'balance', 'transactions'] } },
  { name: 'one scope', body: { ...hosted, scopes: ['info'] } },
  { name: 'empty scopes', body: { ...hosted, scopes: [] }, field: 'scopes' },
  { name: 'missing scopes', body: { ...hosted, scopes: undefined }, field: 'scopes' },
  { name: 'duplicate scopes', body: { ...hosted, scopes: ['accounts', 'accounts'] }, field: 'scopes.1' },
  { name: 'an unknown scope', body: { ...hosted, scopes: ['cards'] }, field: 'scopes.0' },
  { name: 'scopes as a string', body: { ...hosted, scopes: 'accounts' }, field: 'scopes' },
  // provider selection
  {
    name: 'missing provider_selection',
    body: { ...hosted, provider_selection: undefined },
    field: 'provider_selection',
  },
  {
    name: 'an unknown selection type',
    body: { ...hosted, provider_selection: { type: 'bank' } },
    field: 'provider_selection.type',
  },
  {
    name: 'preselected without provider_id',
    body: { ...preselected, provider_selection: { type: 'preselected' } },
    field: 'provider_selection.provider_id',
  },
  {
    name: 'a malformed provider_id',
    body: { ...preselected, provider_selection: { type: 'preselected', provider_id: 'OB Monzo' } },
    field: 'provider_selection.provider_id',
  },
  {
    name: 'user_selected with a provider_id',
    body: { ...hosted, provider_selection: { type: 'user_selected', provider_id: 'ob-monzo' } },
    field: 'provider_selection.provider_id',
  },
  {
    name: 'preselected with a filter',
    body: {
      ...preselected,
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo', filter: {} },
    },
    field: 'provider_selection.filter',
  },
  // filter
  {
    name: 'a full filter',
    body: withFilter({
      countries: ['GB', 'FI'],
      release_channel: 'private_beta',
      customer_segments: ['retail', 'business', 'corporate'],
      provider_ids: ['ob-monzo'],
      excludes: ['ob-barclays'],
    }),
  },
  {
    name: 'release_channel general_availability',
    body: withFilter({ release_channel: 'general_availability' }),
  },
  { name: 'release_channel public_beta', body: withFilter({ release_channel: 'public_beta' }) },
  { name: 'the seed example’s release_channel "public"', body: withFilter({ release_channel: 'public' }) },
  {
    name: 'an unknown release_channel',
    body: withFilter({ release_channel: 'beta' }),
    field: 'provider_selection.filter.release_channel',
  },
  {
    name: 'an unassigned country code',
    body: withFilter({ countries: ['XX'] }),
    field: 'provider_selection.filter.countries.0',
  },
  {
    name: 'a lower-case country code',
    body: withFilter({ countries: ['gb'] }),
    field: 'provider_selection.filter.countries.0',
  },
  {
    name: 'UK, which ISO 3166-1 does not assign',
    body: withFilter({ countries: ['UK'] }),
    field: 'provider_selection.filter.countries.0',
  },
  {
    name: 'an empty country list',
    body: withFilter({ countries: [] }),
    field: 'provider_selection.filter.countries',
  },
  {
    name: 'a repeated country',
    body: withFilter({ countries: ['GB', 'GB'] }),
    field: 'provider_selection.filter.countries.1',
  },
  {
    name: 'an unknown customer segment',
    body: withFilter({ customer_segments: ['consumer'] }),
    field: 'provider_selection.filter.customer_segments.0',
  },
  {
    name: 'a malformed excluded provider',
    body: withFilter({ excludes: ['Bad Id'] }),
    field: 'provider_selection.filter.excludes.0',
  },
  {
    name: 'an unknown filter field',
    body: withFilter({ banks: ['ob-monzo'] }),
    field: 'provider_selection.filter.banks',
  },
  // user, and the AISP licence switch
  { name: 'missing user', body: { ...hosted, user: undefined }, field: 'user' },
  { name: 'a user with phone only', body: withUser({ name: 'Jane Smith', phone: '+447700900000' }) },
  { name: 'a user with email only', body: withUser({ name: 'Jane Smith', email: 'jane@example.com' }) },
  {
    name: 'a user with their own id',
    body: withUser({ id: 'user-123', name: 'Jane Smith', email: 'jane@example.com' }),
  },
  {
    name: 'a user without name (no licence)',
    body: withUser({ email: 'jane@example.com' }),
    field: 'user.name',
  },
  {
    name: 'a user without name (AISP licence)',
    body: withUser({ email: 'jane@example.com' }),
    licensed: true,
  },
  {
    name: 'a user without email or phone (no licence)',
    body: withUser({ name: 'Jane Smith' }),
    field: 'user.email',
  },
  {
    name: 'a user without email or phone (AISP licence)',
    body: withUser({ name: 'Jane Smith' }),
    licensed: true,
  },
  { name: 'an empty user (AISP licence)', body: withUser({}), licensed: true },
  { name: 'an empty user (no licence)', body: withUser({}), field: 'user.name' },
  {
    name: 'a malformed email even with a licence',
    body: withUser({ email: 'jane@' }),
    field: 'user.email',
    licensed: true,
  },
  {
    name: 'an email without a domain dot',
    body: withUser({ name: 'J', email: 'jane@example' }),
    field: 'user.email',
  },
  {
    name: 'a national phone number',
    body: withUser({ name: 'J', phone: '07700900000' }),
    field: 'user.phone',
  },
  {
    name: 'a phone with country code 0',
    body: withUser({ name: 'J', phone: '+0447700900000' }),
    field: 'user.phone',
  },
  { name: 'a blank name', body: withUser({ name: '   ', email: 'jane@example.com' }), field: 'user.name' },
  {
    name: 'an unknown user field',
    body: withUser({ ...{ name: 'J', email: 'j@x.io' }, date_of_birth: '1990-01-01' }),
    field: 'user.date_of_birth',
  },
  // metadata
  { name: 'no metadata pairs', body: { ...hosted, metadata: {} } },
  { name: '10 metadata pairs', body: { ...hosted, metadata: pairs(10) } },
  { name: '11 metadata pairs', body: { ...hosted, metadata: pairs(11) }, field: 'metadata' },
  { name: 'a 40-character key', body: { ...hosted, metadata: { ['k'.repeat(40)]: 'v' } } },
  {
    name: 'a 41-character key',
    body: { ...hosted, metadata: { ['k'.repeat(41)]: 'v' } },
    field: `metadata.${'k'.repeat(41)}`,
  },
  { name: 'a 40-character key of emoji', body: { ...hosted, metadata: { ['😀'.repeat(40)]: 'v' } } },
  { name: 'a 500-character value', body: { ...hosted, metadata: { key: 'v'.repeat(500) } } },
  {
    name: 'a 501-character value',
    body: { ...hosted, metadata: { key: 'v'.repeat(501) } },
    field: 'metadata.key',
  },
  { name: 'a number as a value', body: { ...hosted, metadata: { key: 1 } }, field: 'metadata.key' },
  { name: 'metadata as a list', body: { ...hosted, metadata: ['a'] }, field: 'metadata' },
  // user consent
  {
    name: 'precaptured without captured_at',
    body: withConsent({ type: 'precaptured' }),
    field: 'user_consent.captured_at',
  },
  {
    name: 'captured_at with an offset',
    body: withConsent({ type: 'precaptured', captured_at: '2025-01-01T12:00:00+01:00' }),
  },
  {
    name: 'captured_at on 29 February of a leap year',
    body: withConsent({ type: 'precaptured', captured_at: '2024-02-29T23:59:59.123Z' }),
  },
  {
    name: 'captured_at on 29 February of another year',
    body: withConsent({ type: 'precaptured', captured_at: '2023-02-29T00:00:00Z' }),
    field: 'user_consent.captured_at',
  },
  {
    name: 'captured_at in month 13',
    body: withConsent({ type: 'precaptured', captured_at: '2025-13-01T00:00:00Z' }),
    field: 'user_consent.captured_at',
  },
  {
    name: 'captured_at without seconds',
    body: withConsent({ type: 'precaptured', captured_at: '2025-01-01T12:00Z' }),
    field: 'user_consent.captured_at',
  },
  {
    name: 'captured_at without a zone',
    body: withConsent({ type: 'precaptured', captured_at: '2025-01-01T12:00:00' }),
    field: 'user_consent.captured_at',
  },
  {
    name: 'captured_at with authorization_flow_captured',
    body: {
      ...hosted,
      user_consent: { type: 'authorization_flow_captured', captured_at: '2025-01-01T12:00:00Z' },
    },
    field: 'user_consent.captured_at',
  },
  { name: 'an unknown consent type', body: withConsent({ type: 'implicit' }), field: 'user_consent.type' },
  // hosted page
  {
    name: 'a hosted page without return_uri',
    body: { ...hosted, hosted_page: { type: 'authorization_flow' } },
    field: 'hosted_page.return_uri',
  },
  {
    name: 'the seed example’s hosted_page.redirect nesting',
    body: {
      ...hosted,
      hosted_page: { type: 'authorization_flow', redirect: { return_uri: CALLER_RETURN_URI } },
    },
  },
  {
    name: 'both hosted_page.return_uri and a different hosted_page.redirect.return_uri',
    body: {
      ...hosted,
      hosted_page: {
        type: 'authorization_flow',
        return_uri: CALLER_RETURN_URI,
        redirect: { return_uri: 'https://app.example.com/other' },
      },
    },
    field: 'hosted_page.redirect.return_uri',
  },
  {
    name: 'an unknown field under hosted_page.redirect',
    body: {
      ...hosted,
      hosted_page: { type: 'authorization_flow', redirect: { return_uri: CALLER_RETURN_URI, x: 1 } },
    },
    field: 'hosted_page.redirect.x',
  },
  {
    name: 'a plain http return_uri',
    body: withHostedPage({ return_uri: 'http://app.example.com/cb' }),
    field: 'hosted_page.return_uri',
  },
  {
    name: 'an http return_uri on localhost',
    body: withHostedPage({ return_uri: 'http://localhost:3000/cb' }),
  },
  {
    name: 'an http return_uri on 127.0.0.1',
    body: withHostedPage({ return_uri: 'http://127.0.0.1:8080/cb' }),
  },
  {
    name: 'a relative return_uri',
    body: withHostedPage({ return_uri: '/cb' }),
    field: 'hosted_page.return_uri',
  },
  {
    name: 'a return_uri with a fragment',
    body: withHostedPage({ return_uri: 'https://app.example.com/cb#x' }),
    field: 'hosted_page.return_uri',
  },
  {
    name: 'country_code GB and language_code en',
    body: withHostedPage({ country_code: 'GB', language_code: 'en' }),
  },
  {
    name: 'a three-letter country_code',
    body: withHostedPage({ country_code: 'GBR' }),
    field: 'hosted_page.country_code',
  },
  {
    name: 'a three-letter language_code',
    body: withHostedPage({ language_code: 'eng' }),
    field: 'hosted_page.language_code',
  },
  {
    name: 'an upper-case language_code',
    body: withHostedPage({ language_code: 'EN' }),
    field: 'hosted_page.language_code',
  },
  {
    name: 'an unassigned language_code',
    body: withHostedPage({ language_code: 'xx' }),
    field: 'hosted_page.language_code',
  },
  { name: 'an unknown hosted page type', body: withHostedPage({ type: 'page' }), field: 'hosted_page.type' },
  // authorization flow
  {
    name: 'authorization_flow with a hosted page of type authorization_flow',
    body: { ...hosted, authorization_flow: {} },
    field: 'authorization_flow',
  },
  { name: 'fully custom without a redirect', body: { ...EXAMPLES.fully_custom, authorization_flow: {} } },
  {
    name: 'an http custom return_uri',
    body: { ...EXAMPLES.fully_custom, authorization_flow: { redirect: { return_uri: 'http://x.test/' } } },
    field: 'authorization_flow.redirect.return_uri',
  },
  // data access type
  { name: 'data_access_type one_time', body: { ...hosted, data_access_type: 'one_time' } },
  { name: 'data_access_type recurring', body: { ...hosted, data_access_type: 'recurring' } },
  {
    name: 'an unknown data_access_type',
    body: { ...hosted, data_access_type: 'forever' },
    field: 'data_access_type',
  },
  // the body as a whole
  { name: 'an unknown top-level field', body: { ...hosted, reference: 'abc' }, field: 'reference' },
  { name: 'a list as the body', body: [hosted], field: '(body)' },
  { name: 'null as the body', body: null, field: '(body)' },
  // combinations outside the five configurations
  {
    name: 'user_selected with precaptured consent',
    body: { ...hosted, user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' } },
    field: '(configuration)',
  },
  {
    name: 'user_selected with a result page',
    body: withHostedPage({ type: 'result_page' }),
    field: '(configuration)',
  },
  {
    name: 'consent captured by TrueLayer with a result page',
    body: { ...preselected, hosted_page: { type: 'result_page', return_uri: CALLER_RETURN_URI } },
    field: '(configuration)',
  },
  {
    name: 'neither hosted page nor authorization flow',
    body: { ...precaptured, hosted_page: undefined },
    field: '(configuration)',
  },
  {
    name: 'a result page with an authorization flow',
    body: { ...EXAMPLES.own_flow_with_result_page, authorization_flow: {} },
    field: '(configuration)',
  },
  {
    name: 'a custom flow with user_selected',
    body: {
      ...EXAMPLES.fully_custom,
      provider_selection: { type: 'user_selected' },
      user_consent: { type: 'authorization_flow_captured' },
    },
    field: '(configuration)',
  },
];

/** Seed 003's last example, field for field. */
export const SEED_FULL_EXAMPLE = {
  provider_selection: {
    type: 'user_selected',
    filter: { countries: ['GB'], release_channel: 'public', customer_segments: ['retail'] },
  },
  hosted_page: { type: 'authorization_flow', redirect: { return_uri: 'https://yourapp.com/callback' } },
  scopes: ['accounts', 'transactions'],
  user: { name: 'Jane Smith', email: 'jane.smith@example.com', phone: '+447700900000' },
  user_consent: { type: 'authorization_flow_captured' },
  data_access_type: 'recurring',
};

/** JSON has no `undefined`: drop such keys the way a wire round trip would. */
export const onWire = (body: unknown): unknown => JSON.parse(JSON.stringify(body));
