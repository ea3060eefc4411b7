import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from './stack.ts';
import { loadSandboxUsers } from './truelayer-sim/index.ts';

/**
 * `npm start`: the whole product on this machine. Prints the URLs it serves,
 * then one line per journey step (time, short onboarding id, kind, step,
 * outcome). Flags: --quiet (no step lines), --port N, --account-choice-timeout S,
 * --auth-link-ttl S, --truelayer-latency MS (slows the simulator so a journey
 * can be watched), --log-level LEVEL (the functions' Powertools logs),
 * --data-dir DIR (DynamoDB on disk), --deliver-events-twice (every event
 * reaches every target twice, as EventBridge may deliver it).
 * A bad flag prints one line and exits 2.
 */
function usageError(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(2);
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: process.env.PORT || '3000' },
        quiet: { type: 'boolean', default: false },
        'account-choice-timeout': { type: 'string' },
        'auth-link-ttl': { type: 'string' },
        'truelayer-latency': { type: 'string' },
        'log-level': { type: 'string' },
        'data-dir': { type: 'string' },
        'deliver-events-twice': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
}

/** A whole number in [min, max] written in decimal digits, or the usage error that names the flag. */
function integerFlag(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    const range = min === 1 ? 'a positive integer' : `an integer from ${min} to ${max}`;
    usageError(`--${name} must be ${range}, got '${text}'`);
  }
  return value;
}

const values = parseFlags();
const port = integerFlag('port', values.port, 0, 65_535) ?? 3000;
const accountChoiceTimeoutSeconds = integerFlag(
  'account-choice-timeout',
  values['account-choice-timeout'],
  1,
);
const authLinkTtlSeconds = integerFlag('auth-link-ttl', values['auth-link-ttl'], 1);
const trueLayerLatencyMs = integerFlag('truelayer-latency', values['truelayer-latency'], 0, 600_000);
if (values['data-dir'] === '') usageError('--data-dir needs a directory');
const dataPath = values['data-dir'] === undefined ? undefined : resolve(values['data-dir']);
if (dataPath !== undefined) {
  // DynamoDB Local refuses a -dbPath that does not exist yet.
  try {
    mkdirSync(dataPath, { recursive: true });
  } catch (error) {
    usageError(`--data-dir ${dataPath} cannot be created: ${error instanceof Error ? error.message : error}`);
  }
}

const logLevel = values['log-level']?.toUpperCase();
const isLogLevel = (level: string | undefined): level is 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' =>
  level !== undefined && ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(level);
if (logLevel !== undefined && !isLogLevel(logLevel))
  usageError(`--log-level must be DEBUG, INFO, WARN, ERROR or SILENT, got '${values['log-level']}'`);

const stack = await startLocalStack({
  port,
  ...(process.env.SANDBOX_USERS ? { users: loadSandboxUsers(process.env.SANDBOX_USERS) } : {}),
  ...(accountChoiceTimeoutSeconds === undefined ? {} : { accountChoiceTimeoutSeconds }),
  ...(authLinkTtlSeconds === undefined ? {} : { authLinkTtlSeconds }),
  ...(trueLayerLatencyMs === undefined ? {} : { trueLayerLatencyMs }),
  ...(dataPath === undefined ? {} : { dataPath }),
  deliverEventsTwice: values['deliver-events-twice'],
  ...(isLogLevel(logLevel) ? { logLevel } : {}),
  ...(values.quiet ? {} : { onProgress: (line: string) => console.log(line) }),
});

const { urls } = stack;
const settings = [
  ...(authLinkTtlSeconds === undefined ? [] : [`auth links valid ${authLinkTtlSeconds} s`]),
  ...(dataPath === undefined ? [] : [`DynamoDB data in ${dataPath}`]),
  ...(values['deliver-events-twice'] ? ['every event delivered twice'] : []),
];
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
${settings.length ? `\n  Settings: ${settings.join('; ')}\n` : ''}
  Automation: GET ${urls.api}/_local/urls, ${urls.api}/_local/events, ${urls.api}/_local/stream (SSE)
  AWS fault injection: ${urls.api}/_local/aws-faults (POST a rule, GET, DELETE)
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
