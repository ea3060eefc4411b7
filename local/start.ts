import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DYNAMODB_ENGINE_VARIABLE, DYNAMODB_ENGINES, dynamoDbEngineFromEnv } from './dynamodb.ts';
import type { LocalStack, LocalStackOptions } from './stack.ts';
import { SWITCHES_ENV, SwitchesError } from './truelayer-sim/switches.ts';
import { loadSandboxUsers, SandboxUsersFileError } from './truelayer-sim/users.ts';

/**
 * `npm start`: the whole product on this machine. Prints the URLs it serves,
 * then one line per journey step (time, short onboarding id, kind, step,
 * outcome). `npm start -- --help` lists every flag and variable. Whatever
 * goes wrong before the stack is up (a bad flag or value, a port in use, a
 * broken users file) is one or two plain lines and a non-zero exit: 2 for
 * what was asked, 1 for what the machine refused. The stack itself is loaded
 * only once the flags are known to be good, so a refusal or --help answers at
 * once.
 */
const DEFAULT_PORT = 3000;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const HELP = `Usage: npm start [-- <flags>]

Runs the whole product on this machine (API, workflow, DynamoDB, EventBridge, the TrueLayer
simulator and a demo page), on 127.0.0.1 only.

Flags:
  --port N                       the API's port (default ${DEFAULT_PORT}, or PORT); 0 picks a free one
  --quiet                        no journey step lines
  --account-choice-timeout S     how long a journey waits for an account choice (default 900)
  --auth-link-ttl S              how long an auth link is accepted; then the journey ends expired (default 600)
  --truelayer-latency MS         slow every simulated TrueLayer call down, to watch the steps
  --log-level LEVEL              the functions' logs: ${LOG_LEVELS.join(', ')} (default WARN)
  --data-dir DIR                 keep DynamoDB's data on disk in DIR across restarts (default: in memory)
  --deliver-events-twice         every event reaches every target twice, as EventBridge may deliver it
  --controlled-clock             let POST /_local/clock {"advance_seconds": N} move time on (expiries, timeouts)
  -h, --help                     this text

Variables:
  PORT                           the API's port when --port is not given
  SANDBOX_USERS=path             replace the simulator's users with this JSON file
                                 (format: local/truelayer-sim/README.md)
  ${SWITCHES_ENV.padEnd(31)}the simulator's answers where TrueLayer's documents are silent,
                                 e.g. multiple_accounts_status=409,gzip=true
  ${DYNAMODB_ENGINE_VARIABLE.padEnd(31)}${DYNAMODB_ENGINES.join(' (default) or ')} (needs Java 17+)
  TRUELAYER_CLIENT_SECRET        the simulated client's secret (default: a random one)
  TRUELAYER_AISP_LICENSED=true   Data API v3 as an AISP-licensed client

Examples:
  npm start -- --port 3417
  npm start -- --truelayer-latency 400 --account-choice-timeout 30
  SANDBOX_USERS=./my-users.json npm start`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  port: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  'account-choice-timeout': { type: 'string' },
  'auth-link-ttl': { type: 'string' },
  'truelayer-latency': { type: 'string' },
  'log-level': { type: 'string' },
  'data-dir': { type: 'string' },
  'deliver-events-twice': { type: 'boolean', default: false },
  'controlled-clock': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** node:util's messages, in this command's words. */
function flagProblem(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument '${quoted}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[\w-]+/.exec(message)?.[0] ?? 'a flag';
    return message.includes('argument missing') ? `${flag} needs a value` : `${flag} takes no value`;
  }
  return message;
}

/** A whole number in [min, max] written in decimal digits, or the usage error that names its source. */
function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    const range = min === 1 ? 'a positive integer' : `an integer from ${min} to ${max}`;
    throw new UsageError(`${name} must be ${range}, got '${text}'`);
  }
  return value;
}

const isLogLevel = (level: string | undefined): level is LogLevel =>
  LOG_LEVELS.some((known) => known === level);

interface Settings {
  options: LocalStackOptions;
  port: number;
  quiet: boolean;
  notes: string[];
}

/** Everything `npm start` was asked, checked before anything starts. */
function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS }).values;
  } catch (error) {
    throw new UsageError(flagProblem(error));
  }
  if (values.help) return 'help';
  const port =
    values.port === undefined
      ? (integer('PORT', env.PORT || undefined, 0, 65_535) ?? DEFAULT_PORT)
      : (integer('--port', values.port, 0, 65_535) ?? DEFAULT_PORT);
  const accountChoiceTimeoutSeconds = integer(
    '--account-choice-timeout',
    values['account-choice-timeout'],
    1,
  );
  const authLinkTtlSeconds = integer('--auth-link-ttl', values['auth-link-ttl'], 1);
  const trueLayerLatencyMs = integer('--truelayer-latency', values['truelayer-latency'], 0, 600_000);
  const logLevel = values['log-level']?.toUpperCase();
  if (logLevel !== undefined && !isLogLevel(logLevel))
    throw new UsageError(`--log-level must be ${LOG_LEVELS.join(', ')}, got '${values['log-level']}'`);
  if (values['data-dir'] === '') throw new UsageError('--data-dir needs a directory');
  const dataPath = values['data-dir'] === undefined ? undefined : resolve(values['data-dir']);
  if (dataPath !== undefined) {
    // DynamoDB Local refuses a -dbPath that does not exist yet.
    try {
      mkdirSync(dataPath, { recursive: true });
    } catch (error) {
      throw new UsageError(
        `--data-dir ${dataPath} cannot be created: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  try {
    dynamoDbEngineFromEnv(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const users = env.SANDBOX_USERS ? loadSandboxUsers(env.SANDBOX_USERS) : undefined;
  return {
    port,
    quiet: values.quiet,
    options: {
      port,
      ...(users ? { users } : {}),
      ...(accountChoiceTimeoutSeconds === undefined ? {} : { accountChoiceTimeoutSeconds }),
      ...(authLinkTtlSeconds === undefined ? {} : { authLinkTtlSeconds }),
      ...(trueLayerLatencyMs === undefined ? {} : { trueLayerLatencyMs }),
      ...(dataPath === undefined ? {} : { dataPath }),
      deliverEventsTwice: values['deliver-events-twice'],
      clock: values['controlled-clock'] ? 'controlled' : 'real',
      ...(isLogLevel(logLevel) ? { logLevel } : {}),
      ...(values.quiet ? {} : { onProgress: (line: string) => console.log(line) }),
    },
    notes: [
      ...(authLinkTtlSeconds === undefined ? [] : [`auth links valid ${authLinkTtlSeconds} s`]),
      ...(dataPath === undefined ? [] : [`DynamoDB data in ${dataPath}`]),
      ...(values['deliver-events-twice'] ? ['every event delivered twice'] : []),
      ...(values['controlled-clock'] ? ['clock moved by POST /_local/clock'] : []),
    ],
  };
}

function banner(stack: LocalStack, settings: Settings): string {
  const { urls } = stack;
  // As printed, it works on whatever port this is.
  const journey =
    settings.port === DEFAULT_PORT
      ? 'npm run journey -- --user john'
      : `npm run journey -- --api ${urls.api} --user john`;
  return `
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
${settings.notes.length ? `\n  Settings: ${settings.notes.join('; ')}\n` : ''}
  Automation: GET ${urls.api}/_local/urls, ${urls.api}/_local/events, ${urls.api}/_local/stream (SSE)
  AWS fault injection: ${urls.api}/_local/aws-faults (POST a rule, GET, DELETE)
  A journey from the terminal: ${journey}
  Sandbox users: ${stack.simulator.users.map((user) => user.username).join(', ')}
  Press Ctrl+C to stop.
${settings.quiet ? '' : '\nJourney progress, one line per step (time, onboarding, kind, step, outcome); --quiet hides it:\n'}`;
}

/** One or two plain lines for what went wrong before the stack was up, and the exit code. */
function startProblem(
  error: unknown,
  port: number | undefined,
  isPortInUse: (error: unknown) => error is Error,
): { lines: string[]; code: number } {
  if (error instanceof UsageError)
    return { lines: [error.message, 'npm start -- --help lists every flag.'], code: 2 };
  if (error instanceof SandboxUsersFileError || error instanceof SwitchesError)
    return { lines: [error.message], code: 2 };
  if (isPortInUse(error)) {
    const other = port === undefined || port >= 65_535 ? 3001 : port + 1;
    return {
      lines: [`${error.message}.`, `Stop whatever uses it, or choose another: npm start -- --port ${other}`],
      code: 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`could not start: ${message}`, '(--log-level DEBUG shows where)'], code: 1 };
}

async function main(): Promise<void> {
  let settings: Settings | 'help' | undefined;
  let isPortInUse = (_error: unknown): _error is Error => false;
  try {
    settings = readSettings(process.argv.slice(2), process.env);
    if (settings === 'help') {
      console.log(HELP);
      return;
    }
    const [{ startLocalStack }, { ApiPortError }] = await Promise.all([
      import('./stack.ts'),
      import('./api-gateway.ts'),
    ]);
    isPortInUse = (error): error is Error => error instanceof ApiPortError;
    const stack = await startLocalStack(settings.options);
    console.log(banner(stack, settings));
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await stack.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Started by a program with an IPC channel (tests; Windows has no SIGTERM): gone means stop.
    process.on('disconnect', stop);
  } catch (error) {
    const port = settings === undefined || settings === 'help' ? undefined : settings.port;
    const { lines, code } = startProblem(error, port, isPortInUse);
    const [first, ...rest] = lines;
    console.error(`npm start: ${first}`);
    for (const line of rest) console.error(`  ${line}`);
    const debug = settings !== undefined && settings !== 'help' && settings.options.logLevel === 'DEBUG';
    if (code === 1 && debug) console.error(error);
    process.exit(code);
  }
}

await main();
