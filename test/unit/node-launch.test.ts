/**
 * scripts/run.mjs, the launcher the npm scripts use: on the project's Node it runs the entry point in
 * its own process; on another Node it hands over to the project's Node once `npm ci` has installed
 * it, and otherwise says in one line what to do instead of failing on a .ts file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { launchPlan, oldNodeHint, PROJECT_NODE_MAJOR } from '../../scripts/lib/node-launch.mjs';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the npm scripts launcher', () => {
  it.each([
    ['24.21.0', true, 'here'],
    ['24.0.0', false, 'here'],
    ['20.20.2', true, 'project'],
    ['22.18.0', true, 'project'],
    ['25.1.0', true, 'project'],
    ['25.1.0', false, 'here'],
    ['20.20.2', false, 'hint'],
    ['18.20.4', false, 'hint'],
  ] as const)('on Node %s (project Node installed: %s) runs %s', (version, installed, plan) => {
    expect(launchPlan(version, installed)).toBe(plan);
  });

  it('says in one line which Node the project needs and what to run', () => {
    const hint = oldNodeHint('20.20.2');

    expect(hint).not.toContain('\n');
    expect(hint).toContain('Node 24 and this is Node 20.20.2');
    expect(hint).toContain('npm ci');
  });

  it('runs on the Node the project installs', () => {
    const manifest = z
      .object({ devDependencies: z.object({ node: z.string() }) })
      .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));

    expect(manifest.devDependencies.node.split('.')[0]).toBe(String(PROJECT_NODE_MAJOR));
  });

  it('passes the entry point its own arguments, as if started directly', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['scripts/run.mjs', 'scripts/journey.ts', '--help'],
      { cwd: REPO_ROOT },
    );

    expect(stdout).toMatch(/^Usage: npm run journey -- --user <sandbox user>/);
  });
});
