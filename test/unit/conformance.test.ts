/**
 * The conformance run's pieces that need no TrueLayer: its settings
 * (scripts/conformance-args.ts), its redaction (scripts/conformance-redact.ts)
 * and the switch matrix's profiles (scripts/conformance-profiles.ts).
 */

import { existsSync } from 'node:fs';
import { parseSwitches, SwitchesSchema } from '@signupplus/local';
import { describe, expect, it } from 'vitest';
import { ConformanceUsageError, parseConformanceArgs } from '../../scripts/conformance-args.ts';
import { MATRIX_FILES, PROFILES } from '../../scripts/conformance-profiles.ts';
import { keptHeaders, Redactor } from '../../scripts/conformance-redact.ts';

const SANDBOX_ENV = {
  TRUELAYER_CLIENT_ID: 'sandbox-abc',
  TRUELAYER_CLIENT_SECRET: 'very-secret',
  TRUELAYER_REDIRECT_URI: 'http://localhost:3000/callback',
};

describe('parseConformanceArgs', () => {
  it('runs against the sandbox with all three settings, and names what it needs otherwise', () => {
    const sandbox = parseConformanceArgs(['--truelayer', 'sandbox'], SANDBOX_ENV);

    expect(sandbox).toMatchObject({
      truelayer: 'sandbox',
      clientId: 'sandbox-abc',
      clientSecret: 'very-secret',
      redirectUri: 'http://localhost:3000/callback',
      username: 'john',
      password: 'doe',
      providers: 'uk-cs-mock',
      pkce: true,
      dataV3: true,
      outDir: 'test/fixtures/truelayer-conformance/sandbox',
    });
    expect(() =>
      parseConformanceArgs(['--truelayer', 'sandbox'], { ...SANDBOX_ENV, TRUELAYER_CLIENT_SECRET: '' }),
    ).toThrow(/needs TRUELAYER_CLIENT_SECRET/);
  });

  it('is the same command against the simulator when none of the settings is there', () => {
    const fallback = parseConformanceArgs(['--truelayer', 'sandbox'], {});
    const plain = parseConformanceArgs([], SANDBOX_ENV);

    expect(fallback).toMatchObject({
      truelayer: 'simulator',
      username: 'jane',
      fallback: expect.stringContaining('TRUELAYER_CLIENT_ID'),
    });
    expect(plain.truelayer).toBe('simulator');
    expect(plain).not.toHaveProperty('clientSecret');
    expect(plain.outDir).toBe('test/fixtures/truelayer-conformance/simulator');
  });

  it.each([
    [['--truelayer', 'live'], SANDBOX_ENV, /sandbox or simulator/],
    [
      ['--truelayer', 'sandbox'],
      { ...SANDBOX_ENV, TRUELAYER_REDIRECT_URI: 'https://app.example.com/cb' },
      /loopback/,
    ],
    [['--truelayer', 'sandbox', '--switches', 'gzip=true'], SANDBOX_ENV, /simulator only/],
    [['--colour', 'blue'], {}, /colour/],
  ])('refuses %j', (argv, env, message) => {
    expect(() => parseConformanceArgs(argv, env)).toThrow(ConformanceUsageError);
    expect(() => parseConformanceArgs(argv, env)).toThrow(message);
  });

  it('reads the options', () => {
    const settings = parseConformanceArgs(
      [
        '--user',
        'john1',
        '--password',
        'doe1',
        '--no-pkce',
        '--no-data-v3',
        '--manual',
        '--out',
        '/tmp/x',
        '--switches',
        'gzip=true',
      ],
      { CHROMIUM_PATH: '/opt/chromium' },
    );

    expect(settings).toMatchObject({
      username: 'john1',
      password: 'doe1',
      pkce: false,
      dataV3: false,
      manual: true,
      outDir: '/tmp/x',
      chromiumPath: '/opt/chromium',
      switches: 'gzip=true',
    });
  });
});

describe('Redactor', () => {
  const identity = {
    title: 'Mr',
    first_name: 'Johnathan',
    last_name: 'Doesworth',
    date_of_birth: '1985-04-12',
    address: {
      address_line1: '14 Sandbox Street',
      address_line2: '',
      state: null,
      zip: 'EC1A 1BB',
      country: 'GB',
    },
    account_details: {
      sort_code: '04-00-04',
      account_number: '12345678',
      iban: 'GB62MONZ04000412345678',
      provider_id: 'ob-monzo',
    },
  };

  it('keeps the shape, nulls, empties and formats, and replaces the person', () => {
    const redacted = new Redactor().redact(identity);

    expect(redacted).toEqual({
      title: 'Mx',
      first_name: 'Redacted',
      last_name: 'Person',
      date_of_birth: '1970-01-01',
      address: {
        address_line1: '1 Redacted Street',
        address_line2: '',
        state: null,
        zip: 'RE1 1AA',
        country: 'GB',
      },
      account_details: {
        sort_code: '00-00-00',
        account_number: '00000000',
        iban: 'GB00000000000000000000',
        provider_id: 'ob-monzo',
      },
    });
    expect(Object.keys(redacted ?? {})).toEqual(Object.keys(identity));
  });

  it('replaces an identifier the same way everywhere it appears, keys and links included', () => {
    const redactor = new Redactor();
    const listed = redactor.redact({
      result: 'multiple_accounts_linked',
      links: { 'acc-aa360adff0f1574e1': '/acc-aa360adff0f1574e1' },
      accounts: [{ account_id: 'acc-aa360adff0f1574e1' }],
    });

    expect(listed).toEqual({
      result: 'multiple_accounts_linked',
      links: { 'account-1': '/account-1' },
      accounts: [{ account_id: 'account-1' }],
    });
    expect(redactor.redact('acc-aa360adff0f1574e1', 'account_id')).toBe('account-1');
  });

  it('scrubs registered secrets inside any text and refuses a fixture that still holds one', () => {
    const redactor = new Redactor();
    redactor.secret('the-authorization-code', '<code>');
    redactor.redact(identity);

    expect(redactor.scrub('https://x.test/cb?code=the-authorization-code')).toBe(
      'https://x.test/cb?code=<code>',
    );
    expect(() => redactor.assertClean('{"note":"Doesworth"}', 'fixture')).toThrow(/unredacted/);
    expect(() => redactor.assertClean('{"note":"fine"}', 'fixture')).not.toThrow();
  });

  it('keeps the correlation headers as present only', () => {
    expect(
      keptHeaders({
        'x-tl-correlation-id': 'abc',
        'tl-trace-id': 'def',
        'content-encoding': 'gzip',
        'set-cookie': 'x',
      }),
    ).toEqual({
      'content-encoding': 'gzip',
      'x-tl-correlation-id': '<present>',
      'tl-trace-id': '<present>',
    });
  });
});

describe('the switch matrix', () => {
  it('plays, with the defaults, every value of every switch', () => {
    const played = [
      SwitchesSchema.parse({}),
      ...Object.entries(PROFILES).map(([name, text]) => parseSwitches(text, name)),
    ];
    const values = (key: keyof ReturnType<typeof SwitchesSchema.parse>) =>
      new Set(played.map((switches) => switches[key]));

    expect(values('multiple_accounts_status')).toEqual(new Set([200, 300, 400, 409]));
    expect(values('return_connection_id')).toEqual(new Set([true, false]));
    expect(values('data_connection_endpoint')).toEqual(new Set(['present', 'absent']));
    expect(values('gzip')).toEqual(new Set([true, false]));
    expect(values('absent_fields')).toEqual(new Set(['omit', 'null', 'empty']));
    expect(values('address_country_key')).toEqual(new Set(['country', 'country_code']));
    expect(values('authuri_status')).toEqual(new Set([201, 200]));
    expect(values('identification_return_reference')).toEqual(new Set(['query', 'absent']));
    expect(values('identification_reference_required')).toEqual(new Set([false, true]));
    expect(values('identification_expired_type')).toEqual(
      new Set(['authuri_expired', 'authorization_expired', 'webhook_authorisation_expired']),
    );
    expect(values('signup_plus_request_shape')).toEqual(new Set(['nested', 'flat']));
    expect(values('signup_plus_request_status_words')).toEqual(new Set(['plain', 'alternate']));
    expect(values('signup_plus_request_pending_polls')).toEqual(new Set([1, 0, 3]));
    // A journey of another shape (no identification step): finland-journeys.test.ts plays it on its own.
    expect(values('identification_known_user')).toEqual(new Set([false]));
    // Another end: connection-signup-journeys.test.ts plays failed and problem on their own.
    expect(values('signup_plus_request_outcome')).toEqual(new Set(['completed']));
  });

  it('runs test files that exist', () => {
    for (const file of MATRIX_FILES) expect(existsSync(file), file).toBe(true);
  });
});
