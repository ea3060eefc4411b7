import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_CLIENT_ID,
  EXAMPLE_MERCHANT_ACCOUNT_ID,
  EXAMPLE_RETURN_URL,
  readSettings,
} from '../../infra/config.ts';
import { synthApp } from './helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/client-secret-AbCdEf';
const SIGNING_KEY_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:truelayer/signing-key-GhIjKl';
const KMS_KEY_ARN = 'arn:aws:kms:eu-west-2:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
const LIVE = {
  environment: 'live',
  clientId: 'live-client',
  clientSecretArn: SECRET_ARN,
  signingKeySecretArn: SIGNING_KEY_ARN,
  merchantAccountId: '200552da-13da-43c5-a9ba-04ee1502ac57',
};
const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('CDK context', () => {
  it('has safe example defaults, so `cdk synth` works out of the box', () => {
    expect(settingsOf({})).toEqual({
      stage: 'dev',
      environment: 'sandbox',
      clientId: EXAMPLE_CLIENT_ID,
      merchantAccountId: EXAMPLE_MERCHANT_ACCOUNT_ID,
      returnUrl: EXAMPLE_RETURN_URL,
      logLevel: 'INFO',
      archiveEvents: false,
      backup: false,
      deletionProtection: false,
      reservedConcurrency: false,
    });
  });

  it('takes a custom domain with its certificate, and a hosted zone whole', () => {
    const certificateArn = 'arn:aws:acm:eu-west-2:123456789012:certificate/abc';
    expect(settingsOf({ domainName: 'onboarding.example.com', certificateArn })).toMatchObject({
      domainName: 'onboarding.example.com',
      certificateArn,
    });
    expect(() => settingsOf({ domainName: 'onboarding.example.com' })).toThrow(/go together/);
    expect(() =>
      settingsOf({ domainName: 'onboarding.example.com', certificateArn, hostedZoneId: 'Z123ABC' }),
    ).toThrow(/hostedZoneName/);
    expect(() =>
      settingsOf({ backupCopyVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:dr' }),
    ).toThrow(/backup=true/);
  });

  it('reserves concurrency on protected stages unless told not to, and on any stage when told to', () => {
    expect(settingsOf({ stage: 'prod' }).reservedConcurrency).toBe(true);
    expect(settingsOf({ stage: 'prod', reservedConcurrency: 'false' }).reservedConcurrency).toBe(false);
    expect(settingsOf({ stage: 'staging', reservedConcurrency: 'true' }).reservedConcurrency).toBe(true);
  });

  it('reads `-c key=value` strings, booleans included', () => {
    const settings = settingsOf({
      stage: 'staging',
      clientId: 'sandbox-myapp-1a2b3c',
      clientSecretArn: SECRET_ARN,
      signingKeySecretArn: SIGNING_KEY_ARN,
      signingKeySecretKmsKeyArn: KMS_KEY_ARN,
      merchantAccountId: 'merchant-1',
      redirectUri: 'https://onboarding.example.com/callback',
      paymentReturnUri: 'https://onboarding.example.com/payments/return',
      returnUrl: 'https://app.example.com/done',
      accountChoiceTimeoutSeconds: '600',
      logLevel: 'DEBUG',
      archiveEvents: 'true',
      deletionProtection: 'true',
      aispLicensed: 'false',
    });
    expect(settings).toMatchObject({
      stage: 'staging',
      clientSecretArn: SECRET_ARN,
      signingKeySecretArn: SIGNING_KEY_ARN,
      signingKeySecretKmsKeyArn: KMS_KEY_ARN,
      merchantAccountId: 'merchant-1',
      paymentReturnUri: 'https://onboarding.example.com/payments/return',
      accountChoiceTimeoutSeconds: 600,
      archiveEvents: true,
      deletionProtection: true,
      aispLicensed: false,
    });
  });

  it.each([
    ['prod', true],
    ['production', true],
    ['dev', false],
  ])('protects data on stage %s: %s', (stage, protectedStage) => {
    expect(settingsOf({ stage }).deletionProtection).toBe(protectedStage);
  });

  it('lets a protected stage opt out explicitly', () => {
    expect(settingsOf({ stage: 'prod', deletionProtection: 'false' }).deletionProtection).toBe(false);
  });

  it('treats an empty value as unset', () => {
    expect(settingsOf({ clientSecretArn: '', redirectUri: '' })).not.toHaveProperty('clientSecretArn');
  });

  it('lists every invalid key in one error', () => {
    expect(() =>
      settingsOf({
        environment: 'prod',
        clientSecretArn: 'my-secret',
        signingKeySecretArn: 'arn:aws:kms:eu-west-2:123456789012:key/abc',
        paymentReturnUri: 'http://example.com/payments/return',
        returnUrl: 'not a url',
        accountChoiceTimeoutSeconds: '3600',
      }),
    ).toThrow(
      /-c environment:.*-c clientSecretArn:.*-c signingKeySecretArn:.*-c paymentReturnUri:.*-c returnUrl:.*-c accountChoiceTimeoutSeconds:/,
    );
  });

  it('refuses live without a real client id, client secret, signing key and merchant account', () => {
    expect(() => settingsOf({ environment: 'live' })).toThrow(/environment=live needs your own/);
    expect(settingsOf(LIVE).environment).toBe('live');
    for (const key of ['clientId', 'clientSecretArn', 'signingKeySecretArn', 'merchantAccountId'] as const) {
      const { [key]: _, ...without } = LIVE;
      expect(() => settingsOf(without), key).toThrow(
        new RegExp(`environment=live needs .*missing: ${key}\\)`),
      );
    }
    expect(() => settingsOf({ ...LIVE, merchantAccountId: EXAMPLE_MERCHANT_ACCOUNT_ID })).toThrow(
      /missing: merchantAccountId/,
    );
  });

  it('stops `cdk synth` of a live stage without signingKeySecretArn, before any resource exists', () => {
    const { signingKeySecretArn: _, ...withoutSigningKey } = LIVE;
    expect(() => synthApp(withoutSigningKey)).toThrow(/missing: signingKeySecretArn/);
    expect(() => synthApp({ ...LIVE, merchantAccountId: '' })).toThrow(/missing: merchantAccountId/);
  });
});
