/**
 * The deployable app's settings, read from CDK context (`-c key=value` or
 * cdk.json `context`). Every key has a safe example default so that
 * `npx cdk synth` works out of the box; docs/deploy.md lists them.
 */
import type { Node } from 'constructs';
import { z } from 'zod';

/** Example values: enough to synthesize, never enough to onboard anyone. */
export const EXAMPLE_CLIENT_ID = 'sandbox-example-client-id';
export const EXAMPLE_MERCHANT_ACCOUNT_ID = 'sandbox-example-merchant-account-id';
export const EXAMPLE_RETURN_URL = 'https://example.com/onboarding/complete';

/** Stages whose data is protected (deletion protection, RETAIN) unless `deletionProtection=false`. */
export const PROTECTED_STAGES: readonly string[] = ['prod', 'production'];

/** `-c flag=true` arrives as a string; cdk.json may hold a real boolean. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const arn = (service: string) =>
  z
    .string()
    .regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`), `must be a ${service} ARN`);

export const contextSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and dashes, starting with a letter')
    .default('dev'),
  environment: z.enum(['sandbox', 'live']).default('sandbox'),
  clientId: z.string().min(1).default(EXAMPLE_CLIENT_ID),
  /** Complete ARN (with the 6-character suffix), as `aws secretsmanager create-secret` prints it. */
  clientSecretArn: arn('secretsmanager').optional(),
  /** Only when that secret is encrypted with a customer-managed KMS key. */
  clientSecretKmsKeyArn: arn('kms').optional(),
  /** Payments v3 signing key: complete ARN of a secret holding JSON `{"key_id", "private_key_pem"}`. */
  signingKeySecretArn: arn('secretsmanager').optional(),
  /** Only when that secret is encrypted with a customer-managed KMS key. */
  signingKeySecretKmsKeyArn: arn('kms').optional(),
  /** The TrueLayer merchant account payments are paid into (Console → Payments → Merchant accounts). */
  merchantAccountId: z.string().trim().min(1).default(EXAMPLE_MERCHANT_ACCOUNT_ID),
  redirectUri: z.url({ protocol: /^https$/ }).optional(),
  connectionReturnUri: z.url({ protocol: /^https$/ }).optional(),
  paymentReturnUri: z.url({ protocol: /^https$/ }).optional(),
  aispLicensed: flag.optional(),
  returnUrl: z.url({ protocol: /^https?$/ }).default(EXAMPLE_RETURN_URL),
  accountChoiceTimeoutSeconds: z.coerce.number().int().positive().max(3300).optional(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  archiveEvents: flag.default(false),
  deletionProtection: flag.optional(),
  /** Reserved concurrency for the workflow and caps for the public routes; off needs no account quota. */
  reservedConcurrency: flag.optional(),
  alarmTopicArn: arn('sns').optional(),
  /** The API's own domain (needs certificateArn): a redirect URI that survives a re-created stack. */
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case DNS name')
    .optional(),
  /** ACM certificate for domainName, in the stack's region. */
  certificateArn: arn('acm').optional(),
  /** Route 53 hosted zone of domainName (with hostedZoneName): the alias record is created. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id')
    .optional(),
  hostedZoneName: z.string().min(1).optional(),
  /** A daily AWS Backup of the records table, beside point-in-time recovery. */
  backup: flag.default(false),
  /** Copy the backups to this vault (another region): arn:aws:backup:<region>:<account>:backup-vault:<name>. */
  backupCopyVaultArn: arn('backup').optional(),
});

export type AppSettings = z.infer<typeof contextSchema> & {
  readonly deletionProtection: boolean;
  readonly reservedConcurrency: boolean;
};

/** Reads and validates the settings; throws one error listing every problem. */
export function readSettings(node: Node): AppSettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(contextSchema.shape)) {
    const value: unknown = node.tryGetContext(key);
    // An empty `-c key=` means "not set".
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `-c ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  if (settings.environment === 'live') {
    const missing = [
      settings.clientId === EXAMPLE_CLIENT_ID ? 'clientId' : undefined,
      settings.clientSecretArn ? undefined : 'clientSecretArn',
      settings.signingKeySecretArn ? undefined : 'signingKeySecretArn',
      settings.merchantAccountId === EXAMPLE_MERCHANT_ACCOUNT_ID ? 'merchantAccountId' : undefined,
    ].filter((key) => key !== undefined);
    if (missing.length > 0) {
      throw new Error(
        '-c environment=live needs your own -c clientId, -c clientSecretArn, -c signingKeySecretArn and ' +
          `-c merchantAccountId (missing: ${missing.join(', ')})`,
      );
    }
  }
  if ((settings.domainName === undefined) !== (settings.certificateArn === undefined)) {
    throw new Error('-c domainName and -c certificateArn go together');
  }
  if ((settings.hostedZoneId === undefined) !== (settings.hostedZoneName === undefined)) {
    throw new Error('-c hostedZoneId and -c hostedZoneName go together');
  }
  if (settings.hostedZoneId && !settings.domainName) throw new Error('-c hostedZoneId needs -c domainName');
  if (settings.backupCopyVaultArn && !settings.backup)
    throw new Error('-c backupCopyVaultArn needs -c backup=true');
  const deletionProtection = settings.deletionProtection ?? PROTECTED_STAGES.includes(settings.stage);
  return {
    ...settings,
    deletionProtection,
    // Production sizing on protected stages; a fresh account (concurrency quota 10) deploys dev stages as they are.
    reservedConcurrency: settings.reservedConcurrency ?? deletionProtection,
  };
}
