import {
  type App,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { type AppSettings, readSettings } from './config.ts';
import { acknowledgeNag } from './nag.ts';
import { SignupPlusOnboarding } from './signup-plus-onboarding.ts';

/** The value of the placeholder secret the stack creates when no `clientSecretArn` is given. */
export const PLACEHOLDER_CLIENT_SECRET = 'REPLACE_WITH_YOUR_TRUELAYER_CLIENT_SECRET';
/**
 * The value of the placeholder secret the stack creates when no `signingKeySecretArn` is given. Not a
 * PEM key: the functions refuse it by name (`needs key_id and a PEM private_key_pem`) until it is replaced.
 */
export const PLACEHOLDER_SIGNING_KEY = {
  key_id: 'REPLACE_WITH_YOUR_SIGNING_KEY_ID',
  private_key_pem: 'REPLACE_WITH_YOUR_EC_PRIVATE_KEY_PEM',
} as const;

export interface SignupPlusOnboardingStackProps extends StackProps {
  readonly settings: AppSettings;
}

/**
 * The deployable app: one SignupPlusOnboarding construct, the TrueLayer client
 * secret and the Payments v3 signing key (each imported by ARN, or a clearly
 * named placeholder to fill in), and the outputs an integrator needs. Account and region come from the CLI's
 * credentials at deploy time; synthesis needs neither.
 */
export class SignupPlusOnboardingStack extends Stack {
  readonly onboarding: SignupPlusOnboarding;
  readonly clientSecret: secretsmanager.ISecret;
  readonly signingKeySecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SignupPlusOnboardingStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.clientSecret = settings.clientSecretArn
      ? this.importSecret('TrueLayerClientSecret', settings.clientSecretArn, settings.clientSecretKmsKeyArn)
      : this.placeholderSecret(settings, 'TrueLayerClientSecret', {
          what: 'your TrueLayer client secret',
          value: { client_secret: SecretValue.unsafePlainText(PLACEHOLDER_CLIENT_SECRET) },
          rotation:
            'The TrueLayer client secret is issued by TrueLayer and can only be rotated in TrueLayer Console; a ' +
            'Secrets Manager rotation Lambda could not obtain a new one. Rotate it in the Console and update this ' +
            'secret (docs/deploy.md), which the functions re-read within five minutes.',
        });
    this.signingKeySecret = settings.signingKeySecretArn
      ? this.importSecret(
          'TrueLayerSigningKey',
          settings.signingKeySecretArn,
          settings.signingKeySecretKmsKeyArn,
        )
      : this.placeholderSecret(settings, 'TrueLayerSigningKey', {
          what: 'your TrueLayer Payments v3 signing key as JSON {"key_id", "private_key_pem"}',
          value: {
            key_id: SecretValue.unsafePlainText(PLACEHOLDER_SIGNING_KEY.key_id),
            private_key_pem: SecretValue.unsafePlainText(PLACEHOLDER_SIGNING_KEY.private_key_pem),
          },
          rotation:
            'The Payments v3 signing key only works once its public half is uploaded to TrueLayer Console, which ' +
            'a Secrets Manager rotation Lambda cannot do. Rotate by generating a new key pair, uploading its ' +
            'public key in the Console and putting the new key_id and private key here (docs/deploy.md).',
        });

    this.onboarding = new SignupPlusOnboarding(this, 'Onboarding', {
      environment: settings.environment,
      clientId: settings.clientId,
      clientSecret: this.clientSecret,
      signingKeySecret: this.signingKeySecret,
      merchantAccountId: settings.merchantAccountId,
      returnUrl: settings.returnUrl,
      deletionProtection: settings.deletionProtection,
      logLevel: settings.logLevel,
      archiveEvents: settings.archiveEvents,
      ...(settings.reservedConcurrency ? {} : { reservedConcurrency: false }),
      ...(settings.redirectUri ? { redirectUri: settings.redirectUri } : {}),
      ...(settings.connectionReturnUri ? { connectionReturnUri: settings.connectionReturnUri } : {}),
      ...(settings.paymentReturnUri ? { paymentReturnUri: settings.paymentReturnUri } : {}),
      ...(settings.aispLicensed !== undefined ? { aispLicensed: settings.aispLicensed } : {}),
      ...(settings.accountChoiceTimeoutSeconds
        ? { accountChoiceTimeout: Duration.seconds(settings.accountChoiceTimeoutSeconds) }
        : {}),
      ...(settings.alarmTopicArn
        ? { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn) }
        : {}),
      ...(settings.domainName && settings.certificateArn
        ? {
            customDomain: {
              domainName: settings.domainName,
              certificate: acm.Certificate.fromCertificateArn(
                this,
                'DomainCertificate',
                settings.certificateArn,
              ),
              ...(settings.hostedZoneId && settings.hostedZoneName
                ? {
                    hostedZone: route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
                      hostedZoneId: settings.hostedZoneId,
                      zoneName: settings.hostedZoneName,
                    }),
                  }
                : {}),
            },
          }
        : {}),
      ...(settings.backup
        ? { backup: settings.backupCopyVaultArn ? { copyToVaultArn: settings.backupCopyVaultArn } : {} }
        : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.onboarding.apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'RedirectUri', {
      value: this.onboarding.redirectUri,
      description:
        'Register exactly this redirect URI in TrueLayer Console (App settings > Allowed redirect URIs)',
    });
    new CfnOutput(this, 'ConnectionReturnUri', {
      value: this.onboarding.connectionReturnUri,
      description: 'Data API v3 return URI: register it in TrueLayer Console as well',
    });
    new CfnOutput(this, 'PaymentReturnUri', {
      value: this.onboarding.paymentReturnUri,
      description:
        "Payments v3 return URI (the payment page's return_uri): allow it in TrueLayer Console too",
    });
    new CfnOutput(this, 'IdentificationReturnUri', {
      value: this.onboarding.identificationReturnUri,
      description:
        'Signup+ in Finland: where the bank sends the user back after identifying; ask TrueLayer Support to allow-list it',
    });
    new CfnOutput(this, 'WebhookUri', {
      value: this.onboarding.webhookUri,
      description: "TrueLayer's payment webhooks: set it as the webhook URI in TrueLayer Console",
    });
    new CfnOutput(this, 'ClientSecretArn', {
      value: this.clientSecret.secretArn,
      description: 'Secrets Manager secret holding the TrueLayer client secret',
    });
    new CfnOutput(this, 'SigningKeySecretArn', {
      value: this.signingKeySecret.secretArn,
      description: 'Secrets Manager secret holding the Payments v3 signing key (key_id, private_key_pem)',
    });
    new CfnOutput(this, 'TableName', { value: this.onboarding.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.onboarding.eventBus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.onboarding.stateMachine.stateMachineArn,
      description: 'State machine of the data flow',
    });
    new CfnOutput(this, 'PaymentStateMachineArn', {
      value: this.onboarding.paymentStateMachine.stateMachineArn,
      description: 'State machine of the payment flow',
    });
    new CfnOutput(this, 'ConnectionStateMachineArn', {
      value: this.onboarding.connectionStateMachine.stateMachineArn,
      description: 'State machine of the connection flow (Signup+ on a Data v3 connection)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.onboarding.alarmTopic.topicArn,
      description: 'Every alarm notifies this topic: subscribe your on-call rota to it',
    });
    new CfnOutput(this, 'DashboardName', { value: this.onboarding.dashboard.dashboardName });
    if (this.onboarding.domainName) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.onboarding.domainName.regionalDomainName,
        description: 'Point your domain at this name (CNAME or alias) when no hosted zone was given',
      });
    }
  }

  private importSecret(id: string, secretCompleteArn: string, kmsKeyArn: string | undefined) {
    return secretsmanager.Secret.fromSecretAttributes(this, id, {
      secretCompleteArn,
      ...(kmsKeyArn ? { encryptionKey: kms.Key.fromKeyArn(this, `${id}Key`, kmsKeyArn) } : {}),
    });
  }

  private placeholderSecret(
    settings: AppSettings,
    id: string,
    content: {
      readonly what: string;
      readonly value: Record<string, SecretValue>;
      /** Why the secret has no Secrets Manager rotation (the cdk-nag SMG4 acknowledgement). */
      readonly rotation: string;
    },
  ): secretsmanager.Secret {
    // No fixed name: a placeholder retained from a deleted stage (or scheduled for deletion) would
    // otherwise block the stage from being created again. Find it by its output (ClientSecretArn, ...).
    const secret = new secretsmanager.Secret(this, id, {
      description:
        `PLACEHOLDER created by the stack for stage ${settings.stage}: put ${content.what} here ` +
        '(aws secretsmanager put-secret-value, see docs/deploy.md)',
      secretObjectValue: content.value,
      removalPolicy: settings.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeNag(secret, 'AwsSolutions-SMG4', content.rotation);
    return secret;
  }
}

/**
 * Builds the app from its context: the stack for `-c stage` (default `dev`)
 * and the AWS Solutions cdk-nag checks, which fail synthesis on any
 * unacknowledged finding.
 */
export function defineApp(app: App): SignupPlusOnboardingStack {
  const settings = readSettings(app.node);
  const stack = new SignupPlusOnboardingStack(app, `SignupPlusOnboarding-${settings.stage}`, {
    settings,
    description: `Signup+ onboarding workflow (${settings.stage}, TrueLayer ${settings.environment})`,
  });
  Tags.of(stack).add('project', 'signupplus-onboarding');
  Tags.of(stack).add('stage', settings.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
