import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/commons/env.ts';
import { readConnectionSettings } from '../../functions/connections/settings.ts';
import { readCreateOnboardingSettings } from '../../functions/onboarding/settings.ts';

const env = {
  TRUELAYER_CLIENT_ID: 'client-1',
  TRUELAYER_REDIRECT_URI: 'https://api.example.com/callback',
  CONNECTION_RETURN_URL: 'https://api.example.com/connections/return',
};

describe('readCreateOnboardingSettings', () => {
  it('reads the defaults, with the sandbox mock bank among the providers', () => {
    const settings = readCreateOnboardingSettings(env);

    expect(settings).toMatchObject({
      clientId: 'client-1',
      scopes: ['info', 'accounts', 'signupplus'],
      authLinkTtlSeconds: 600,
      retentionDays: 30,
    });
    expect(settings.providers).toContain('uk-cs-mock');
  });

  it('refuses scopes without signupplus as a configuration error', () => {
    expect(() => readCreateOnboardingSettings({ ...env, TRUELAYER_SCOPES: 'info accounts' })).toThrow(
      ConfigurationError,
    );
  });

  it('reads retention and link lifetime under the same names as the connections do', () => {
    const shared = { ...env, RECORD_RETENTION_DAYS: '7', AUTH_LINK_TTL_SECONDS: '120' };

    const onboarding = readCreateOnboardingSettings(shared);
    const connections = readConnectionSettings(shared);

    expect([onboarding.retentionDays, onboarding.authLinkTtlSeconds]).toEqual([7, 120]);
    expect([connections.retentionDays, connections.linkTtlSeconds]).toEqual([7, 120]);
  });
});
