import { parseArgs } from 'node:util';
import { startLocalStack } from './stack.ts';
import { loadSandboxUsers } from './truelayer-sim/index.ts';

/**
 * `npm start`: the whole product on this machine. Prints the URLs it serves,
 * then one line per journey step (time, short onboarding id, kind, step,
 * outcome). Flags: --quiet (no step lines), --port N, --account-choice-timeout S,
 * --truelayer-latency MS (slows the simulator so a journey can be watched),
 * --log-level LEVEL (the functions' Powertools logs).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    quiet: { type: 'boolean', default: false },
    'account-choice-timeout': { type: 'string' },
    'truelayer-latency': { type: 'string' },
    'log-level': { type: 'string' },
  },
});

const logLevel = values['log-level']?.toUpperCase();
const isLogLevel = (level: string | undefined): level is 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' =>
  level !== undefined && ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(level);

const stack = await startLocalStack({
  port: Number(values.port),
  ...(process.env.SANDBOX_USERS ? { users: loadSandboxUsers(process.env.SANDBOX_USERS) } : {}),
  ...(values['account-choice-timeout']
    ? { accountChoiceTimeoutSeconds: Number(values['account-choice-timeout']) }
    : {}),
  ...(values['truelayer-latency'] ? { trueLayerLatencyMs: Number(values['truelayer-latency']) } : {}),
  ...(isLogLevel(logLevel) ? { logLevel } : {}),
  ...(values.quiet ? {} : { onProgress: (line: string) => console.log(line) }),
});

const { urls } = stack;
console.log(`
Signup+ onboarding, running locally

  Demo (open in a browser)   ${urls.demo}
  Integrator API             ${urls.api}
  OpenAPI document           ${urls.api}/openapi.json
  TrueLayer auth (simulator) ${urls.truelayer_auth}
  TrueLayer API (simulator)  ${urls.truelayer_api}
  ${`DynamoDB (${stack.dynamoDbEngine})`.padEnd(27)}${urls.dynamodb}
  Step Functions (local)     ${urls.stepfunctions}
  EventBridge (local)        ${urls.eventbridge}
  Secrets Manager (local)    ${urls.secretsmanager}

  Automation: GET ${urls.api}/_local/urls, ${urls.api}/_local/events, ${urls.api}/_local/stream (SSE)
  A journey from the terminal: npm run journey -- --user john
  Sandbox users: ${stack.simulator.users.map((user) => user.username).join(', ')}
  Press Ctrl+C to stop.
${values.quiet ? '' : '\nJourney progress, one line per step (time, onboarding, kind, step, outcome); --quiet hides it:\n'}`);

const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
