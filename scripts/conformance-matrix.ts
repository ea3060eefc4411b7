/**
 * `npm run test:truelayer-matrix [-- --profile <name>]`
 *
 * Runs the product's journey tests once per switch profile of the TrueLayer
 * simulator (local/truelayer-sim/switches.ts), so that every plausible answer
 * to each point TrueLayer leaves undocumented is played against the whole
 * product, not just the one the default simulator gives. The ordinary test
 * run covers the defaults; the three profiles below give every other value of
 * every switch at least once. Each test file starts its own local stack (one
 * per process), and its simulator reads the profile from
 * TRUELAYER_SIM_SWITCHES.
 *
 * Exit code: 0 when every profile passed, 1 otherwise, 64 on bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseSwitches, SWITCHES_ENV } from '../local/truelayer-sim/switches.ts';
import { MATRIX_FILES, PROFILES } from './conformance-profiles.ts';

function main(): number {
  let values: { profile?: string | undefined; list?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { profile: { type: 'string' }, list: { type: 'boolean' } } }));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 64;
  }
  if (values.list) {
    for (const [name, switches] of Object.entries(PROFILES)) console.log(`${name}\n  ${switches}`);
    return 0;
  }
  const chosen = values.profile === undefined ? Object.keys(PROFILES) : [values.profile];
  const unknown = chosen.filter((name) => !(name in PROFILES));
  if (unknown.length > 0) {
    console.error(`Unknown profile ${unknown.join(', ')}; --list shows them.`);
    return 64;
  }
  const results: Array<{ name: string; ok: boolean; seconds: number }> = [];
  for (const name of chosen) {
    const switches = PROFILES[name] ?? '';
    parseSwitches(switches, name); // fails loudly here rather than in every test file
    console.log(`\n=== TrueLayer simulator profile ${name}\n    ${SWITCHES_ENV}=${switches}`);
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--reporter=dot', ...MATRIX_FILES],
      { stdio: 'inherit', env: { ...process.env, [SWITCHES_ENV]: switches } },
    );
    results.push({ name, ok: run.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
  }
  console.log('\nTrueLayer switch matrix:');
  for (const result of results) {
    console.log(`  ${result.ok ? 'passed' : 'FAILED'}  ${result.name} (${result.seconds} s)`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

process.exitCode = main();
