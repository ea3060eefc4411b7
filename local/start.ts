import { parseArgs } from 'node:util';
import { loadSandboxUsers } from './truelayer-sim/index.ts';
import { startLocalStack } from './stack.ts';

/**
 * `npm start`: the whole product on this machine. Prints the URLs it serves
 * and one line per journey step. Flags: --quiet (no step lines), --port N.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    quiet: { type: 'boolean', default: false },
    'account-choice-timeout': { type: 'string' },
    'log-level': { type: 'string' },
  },
});

const logLevel = values['log-level']?.toUpperCase();
const isLogLevel = (level: string | undefined): level is 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' =>
  level !== undefined && ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(level);

const stack = await startLocalStack({
  port: Number(values.port),
  ...(process.env.SANDBOX_USERS ? { users: loadSandboxUsers(process.env.SANDBOX_USERS) } : {}),
  ...(values['account-choice-timeout'] ? { accountChoiceTimeoutSeconds: Number(values['account-choice-timeout']) } : {}),
  ...(isLogLevel(logLevel) ? { logLevel } : {}),
  ...(values.quiet ? {} : { onProgress: (line: string) => console.log(line) }),
});

const { urls } = stack;
console.log(`
Signup+ onboarding, running locally

  Demo (open in a browser)   ${urls.demo}
  Integrator API             ${urls.api}
  TrueLayer auth (simulator) ${urls.truelayer_auth}
  TrueLayer API (simulator)  ${urls.truelayer_api}
  DynamoDB (dynalite)        ${urls.dynamodb}
  Step Functions (local)     ${urls.stepfunctions}
  EventBridge (local)        ${urls.eventbridge}
  Secrets Manager (local)    ${urls.secretsmanager}

  Automation: GET ${urls.api}/_local/urls and ${urls.api}/_local/events
  Sandbox users: ${stack.simulator.users.map((user) => user.username).join(', ')}
  Press Ctrl+C to stop.
`);

if (!values.quiet) {
  stack.bus.subscribe((event) => {
    console.log(`${String(event.detail.onboarding_id ?? '')}  event: ${event['detail-type']}`);
  });
}

const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
