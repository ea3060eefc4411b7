import type { AwsFaults } from './aws-faults.ts';
import { type AwsJsonServer, AwsServiceError, startAwsJsonServer } from './aws-json-server.ts';

/**
 * The one Secrets Manager operation the functions use, GetSecretValue, so
 * that Powertools Parameters reads the client secret locally exactly as it
 * does on AWS (AWS_ENDPOINT_URL_SECRETS_MANAGER points here).
 */
export function startLocalSecretsManager(
  secrets: Record<string, string>,
  host?: string,
  faults?: AwsFaults,
): Promise<AwsJsonServer> {
  return startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    contentType: 'application/x-amz-json-1.1',
    ...(host === undefined ? {} : { host }),
    ...(faults ? { faults: { registry: faults, service: 'secretsmanager' } } : {}),
    operations: {
      GetSecretValue: (input) => {
        const id = typeof input.SecretId === 'string' ? input.SecretId : '';
        const value = secrets[id];
        if (value === undefined)
          throw new AwsServiceError('ResourceNotFoundException', `Secret ${id} not found`);
        return {
          ARN: `arn:aws:secretsmanager:eu-west-2:000000000000:secret:${id}`,
          Name: id,
          SecretString: value,
          VersionId: 'local',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        };
      },
    },
  });
}
