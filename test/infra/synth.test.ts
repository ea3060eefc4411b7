/**
 * The app as the CDK CLI runs it: cdk.json's command, cdk.json's context,
 * no AWS credentials, no network. The CLI itself is not spawned (see
 * docs/deploy.md: the pinned aws-cdk CLI must read this cloud assembly
 * version); this runs the same command the CLI would and reads its output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handlerEnvironment } from '../../bench/cold-start.ts';
import { FUNCTIONS, type FunctionId } from '../../functions/contract/manifest.ts';
import { BUNDLE_FILE, esbuildOptions } from '../../infra/bundling.ts';
import { fromRepoRoot, REPO_ROOT } from '../../infra/paths.ts';
import { jsonObject, readCdkJson } from './helpers.ts';

const functionIds = Object.keys(FUNCTIONS).filter((id): id is FunctionId => id in FUNCTIONS);
const cdkJson = readCdkJson();
const STACK = 'SignupPlusOnboarding-dev';

let outdir: string;
let run: { status: number | null; stdout: string; stderr: string };

const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Properties: jsonObject.optional(), Metadata: jsonObject.optional() }),
  ),
});

/** `asset.<hash>` directory of each Lambda function, by its `aws:cdk:path`. */
function lambdaAssets(): Map<string, string> {
  const template = templateSchema.parse(
    JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8')),
  );
  const assets = new Map<string, string>();
  for (const res of Object.values(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const path = z.string().parse(res.Metadata?.['aws:cdk:path']);
    const asset = z.string().parse(res.Metadata?.['aws:asset:path']);
    assets.set(path, join(outdir, asset));
  }
  return assets;
}

function assetOf(id: FunctionId): string {
  const dir = lambdaAssets().get(`${STACK}/Onboarding/${id}/Function/Resource`);
  if (!dir) throw new Error(`No asset for ${id}`);
  return dir;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'signupplus-synth-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // No credentials, profile or region: synthesis must not need an AWS account.
    if (!name.startsWith('AWS_') && !name.startsWith('CDK_')) env[name] = value;
  }
  const result = spawnSync(cdkJson.app, {
    cwd: REPO_ROOT,
    shell: true,
    encoding: 'utf8',
    timeout: 110_000,
    env: {
      ...env,
      // The Node running these tests (24) first, as npm/npx put it for the CLI.
      PATH: [dirname(process.execPath), fromRepoRoot('node_modules/.bin'), env.PATH].join(delimiter),
      CDK_OUTDIR: outdir,
      // What the CLI passes by default: cdk.json's context plus path and asset metadata.
      CDK_CONTEXT_JSON: JSON.stringify({
        ...cdkJson.context,
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
      }),
    },
  });
  run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('cdk.json', () => {
  it('runs infra/app.ts with Node directly (type stripping, no ts-node or tsx)', () => {
    expect(cdkJson.app).toBe('node infra/app.ts');
    expect(existsSync(fromRepoRoot('infra/app.ts'))).toBe(true);
  });

  it('carries every feature flag aws-cdk-lib recommends, so tests and CLI build the same thing', () => {
    const recommended = jsonObject.parse(
      JSON.parse(
        readFileSync(fromRepoRoot('node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
      ),
    );
    expect(cdkJson.context).toMatchObject(recommended);
  });
});

describe('the app, run as `cdk synth` runs it, offline and without credentials', () => {
  it('synthesizes the stack', () => {
    expect(run.stderr).not.toMatch(/Error|ValidationFailed/);
    expect(run.status).toBe(0);
    const manifest = z
      .object({ artifacts: z.record(z.string(), z.object({ type: z.string() })) })
      .parse(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')));
    expect(manifest.artifacts[STACK]?.type).toBe('aws:cloudformation:stack');
  });

  it('passes the cdk-nag AWS Solutions checks (no validation report)', () => {
    const reportPath = join(outdir, 'validation-report.json');
    const report = existsSync(reportPath)
      ? z.object({ pluginReports: z.array(z.unknown()) }).parse(JSON.parse(readFileSync(reportPath, 'utf8')))
      : { pluginReports: [] };
    expect(report.pluginReports).toEqual([]);
  });

  it('bundles every function locally into a minified CommonJS file with a source map', () => {
    const assets = lambdaAssets();
    expect(assets.size).toBe(functionIds.length);
    for (const [path, dir] of assets) {
      const code = readFileSync(join(dir, BUNDLE_FILE), 'utf8');
      expect(code.startsWith('"use strict";'), path).toBe(true);
      expect(code.trimEnd().endsWith(`//# sourceMappingURL=${BUNDLE_FILE}.map`), path).toBe(true);
      expect(code, path).toMatch(/module\.exports\s*=/);
      // Built-ins are required, never imported as ES modules (see infra/bundling.ts).
      expect(code, path).not.toMatch(/\bfrom\s*["']node:/);
      const rawMap: unknown = JSON.parse(readFileSync(join(dir, `${BUNDLE_FILE}.map`), 'utf8'));
      const map = z.object({ version: z.literal(3), sources: z.array(z.string()) }).parse(rawMap);
      // Line mapping only: the sources themselves stay out of the package.
      expect(Object.keys(jsonObject.parse(rawMap)), path).not.toContain('sourcesContent');
      expect(
        map.sources.some((source) => source.endsWith(FUNCTIONS[functionIdOf(path)].entry)),
        path,
      ).toBe(true);
    }
  });

  it('bundles the AWS SDK instead of relying on the runtime copy', () => {
    // Left unresolved on purpose by the SDK: optional SigV4a/CRT signers, required inside try/catch.
    const optional = new Set(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);
    for (const id of ['Callback', 'LinkAccounts'] as const) {
      const code = readFileSync(join(assetOf(id), BUNDLE_FILE), 'utf8');
      const external = [
        ...code.matchAll(/(?:from\s*|import\(|require\()["']((?:@aws-sdk|@smithy)\/[^"'/]+)/g),
      ]
        .map((match) => match[1])
        .filter((name) => name !== undefined && !optional.has(name));
      expect(external, id).toEqual([]);
    }
    // The clients themselves are inside: Step Functions for the callback, Secrets Manager for the exchange.
    expect(readFileSync(join(assetOf('Callback'), BUNDLE_FILE), 'utf8').includes('StartExecution')).toBe(
      true,
    );
    expect(readFileSync(join(assetOf('LinkAccounts'), BUNDLE_FILE), 'utf8').includes('GetSecretValue')).toBe(
      true,
    );
  });

  it('loads every bundle as Lambda does (require), without compiling Node fetch at start', () => {
    // One process per bundle, as each function gets its own execution environment.
    const probe =
      "const m = require(process.argv[1]); process.stdout.write(JSON.stringify({ handler: typeof m.handler, undici: process.moduleLoadList.some((name) => name.includes('undici')) }));";
    for (const id of functionIds) {
      const result = spawnSync(process.execPath, ['-e', probe, join(assetOf(id), BUNDLE_FILE)], {
        env: { PATH: process.env.PATH ?? '', ...handlerEnvironment(id, FUNCTIONS[id].memoryMb) },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stderr, id).toBe('');
      expect(JSON.parse(result.stdout), id).toEqual({ handler: 'function', undici: false });
    }
  });

  it('produces, byte for byte, what esbuildOptions() produces (the benchmark bundles the same code)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signupplus-esbuild-'));
    try {
      await build({
        ...esbuildOptions(fromRepoRoot(FUNCTIONS.GetOnboarding.entry), join(dir, BUNDLE_FILE)),
        logLevel: 'silent',
      });
      expect(readFileSync(join(dir, BUNDLE_FILE), 'utf8')).toBe(
        readFileSync(join(assetOf('GetOnboarding'), BUNDLE_FILE), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function functionIdOf(path: string): FunctionId {
  const id = functionIds.find((candidate) => path === `${STACK}/Onboarding/${candidate}/Function/Resource`);
  if (!id) throw new Error(`Unknown function ${path}`);
  return id;
}
