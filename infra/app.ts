/**
 * CDK entry point (cdk.json: `node infra/app.ts`). Settings come from context:
 *   npx cdk deploy -c stage=dev -c environment=sandbox -c clientId=... \
 *     -c clientSecretArn=arn:aws:secretsmanager:... -c returnUrl=https://...
 * See docs/deploy.md for every key and its default.
 */
import { App } from 'aws-cdk-lib';
import { defineApp } from './stack.ts';

const app = new App();
defineApp(app);
app.synth();
