/**
 * What each function's bundle may contain. Every schema a bundle reaches is
 * built when the function starts, so the modules are split along what each
 * function needs (see the comments in functions/); these checks keep a new
 * import from quietly pulling a whole model, or classic zod, back into a
 * cold start. Bundled exactly as the stack bundles (esbuildOptions).
 * Minification, too, must leave alone what the state machine reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FUNCTIONS, type FunctionId, WORKFLOWS } from '../../functions/contract/manifest.ts';
import { BUNDLE_FILE, esbuildOptions } from '../../infra/bundling.ts';
import { fromRepoRoot, REPO_ROOT } from '../../infra/paths.ts';

const functionIds = Object.keys(FUNCTIONS).filter((id): id is FunctionId => id in FUNCTIONS);
const ONBOARDING: readonly FunctionId[] = [
  'CreateOnboarding',
  'PaymentReturn',
  'IdentificationReturn',
  'TrueLayerWebhook',
  'Callback',
  'GetOnboarding',
  'EraseOnboarding',
  'ChooseAccount',
  'LinkAccounts',
  'RequestAccountChoice',
  'CompleteWithChosenAccount',
  'CheckPayment',
  'EndOnboarding',
  'Reconcile',
];
/** The functions that call Signup+ (its accounts, or a payment's payer). */
const CALLS_SIGNUP_PLUS: readonly FunctionId[] = [
  'LinkAccounts',
  'CompleteWithChosenAccount',
  'CheckPayment',
  'FollowConnection',
];
/**
 * The functions of the connection flow, which joins the two halves: each
 * writes or follows both an onboarding and a Data v3 connection.
 */
const JOINING: readonly FunctionId[] = ['FollowConnection', 'CreateConnection'];
const CONNECTIONS: readonly FunctionId[] = [
  'ConnectionReturn',
  'ExpireConnections',
  'GetConnection',
  'GetConnectionAccounts',
  'GetConnectionUserInfo',
];

/** Source files (repository-relative) in each function's bundle. */
const inputs = new Map<FunctionId, string[]>();

beforeAll(async () => {
  await Promise.all(
    functionIds.map(async (id) => {
      const result = await build({
        ...esbuildOptions(fromRepoRoot(FUNCTIONS[id].entry), join('/virtual', id, 'index.js')),
        absWorkingDir: fromRepoRoot('.'),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      inputs.set(id, Object.keys(result.metafile.inputs));
    }),
  );
}, 60_000);

/** Whether the bundle holds `path`: a repository-relative file, or a folder ending in `/`. */
function bundled(id: FunctionId, path: string): boolean {
  return (inputs.get(id) ?? []).some((input) =>
    path.endsWith('/') ? input.startsWith(path) : input === path,
  );
}

describe('function bundles', () => {
  it('are all built, one per function in the manifest', () => {
    expect([...inputs.keys()].sort()).toEqual([...functionIds].sort());
    expect([...ONBOARDING, ...JOINING, ...CONNECTIONS, 'ReadyForPaymentExample'].sort()).toEqual(
      [...functionIds].sort(),
    );
  });

  it.each(functionIds)('%s uses zod/mini only: classic zod never reaches a function', (id) => {
    expect(bundled(id, 'node_modules/zod/v4/mini/schemas.js')).toBe(true);
    expect(bundled(id, 'node_modules/zod/v4/classic/')).toBe(false);
  });

  it.each([...CONNECTIONS, 'ReadyForPaymentExample' as const])(
    '%s does not build the onboarding model (it shares only the failure, identity and account shapes)',
    (id) => {
      expect(bundled(id, 'functions/onboarding/model.ts')).toBe(false);
    },
  );

  it.each(ONBOARDING)('%s builds none of the Data API v3 schemas', (id) => {
    expect((inputs.get(id) ?? []).filter((input) => input.startsWith('functions/connections/'))).toEqual([]);
  });

  it.each(functionIds)('%s builds the Signup+ response schemas only if it calls Signup+', (id) => {
    expect(bundled(id, 'functions/truelayer/schemas.ts')).toBe(CALLS_SIGNUP_PLUS.includes(id));
  });

  it('keeps the Data v3 request schema to the one function that reads requests', () => {
    expect(functionIds.filter((id) => bundled(id, 'functions/connections/request.ts'))).toEqual([
      'CreateConnection',
    ]);
  });
});

/** Where each error that the state machine matches by name is defined. */
const MATCHED_ERRORS: Record<string, string> = {
  TrueLayerUnavailableError: './functions/truelayer/errors.ts',
  TransientAwsError: './functions/commons/aws-errors.ts',
  AccountAlreadyChosenError: './functions/onboarding/errors.ts',
  JourneyEndedError: './functions/onboarding/errors.ts',
};

/** Every name in an ErrorEquals of any workflow's definition, States.* and Lambda.* aside. */
function matchedErrorNames(): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'ErrorEquals') for (const name of z.array(z.string()).parse(value)) names.add(name);
        else visit(value);
      }
  };
  for (const workflow of Object.values(WORKFLOWS)) {
    visit(JSON.parse(readFileSync(fromRepoRoot(workflow.definition), 'utf8')));
  }
  // States.*, Lambda.* and Sandbox.* are Step Functions' and Lambda's own names, not ours.
  return [...names].filter((name) => !/^(States|Lambda|Sandbox)\./.test(name)).sort();
}

describe('minified as deployed', () => {
  it('every error the state machine retries by name still carries that name', async () => {
    expect(matchedErrorNames()).toEqual(Object.keys(MATCHED_ERRORS).sort());
    const dir = mkdtempSync(join(tmpdir(), 'signupplus-error-names-'));
    try {
      const outfile = join(dir, BUNDLE_FILE);
      await build({
        ...esbuildOptions('', outfile),
        entryPoints: [],
        stdin: {
          contents: Object.entries(MATCHED_ERRORS)
            .map(([name, module]) => `export { ${name} } from '${module}';`)
            .join('\n'),
          resolveDir: REPO_ROOT,
          loader: 'ts',
        },
        logLevel: 'silent',
      });
      const bundle = z
        .record(
          z.string(),
          z.custom<new (message: string) => Error>((value) => typeof value === 'function'),
        )
        .parse(createRequire(import.meta.url)(outfile));
      for (const name of Object.keys(MATCHED_ERRORS)) {
        const ErrorClass = bundle[name];
        expect(ErrorClass, name).toBeDefined();
        if (ErrorClass) expect(new ErrorClass('probe').name).toBe(name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
