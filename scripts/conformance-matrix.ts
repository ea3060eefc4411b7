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
 * TRUELAYER_SIM_SWITCHES. The profiles run side by side, each printed whole
 * when it ends.
 *
 * Exit code: 0 when every profile passed, 1 otherwise, 64 on bad arguments.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseSwitches, SWITCHES_ENV } from '../local/truelayer-sim/switches.ts';
import { MATRIX_FILES, PROFILES } from './conformance-profiles.ts';

/** One profile's run of the journey tests: its output, kept whole, and how it ended. */
interface ProfileRun {
  name: string;
  ok: boolean;
  seconds: number;
  output: string;
}

/**
 * Runs the journey tests under one profile in a vitest process of its own, two files at a time. Its
 * output is kept and printed whole once it ends, so that profiles run side by side never interleave.
 */
function runProfile(name: string, switches: string): Promise<ProfileRun> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--reporter=dot', '--maxWorkers=2', ...MATRIX_FILES],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [SWITCHES_ENV]: switches, NO_COLOR: '1' },
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    child.on('close', (code) =>
      resolve({
        name,
        ok: code === 0,
        seconds: Math.round((Date.now() - started) / 1000),
        output: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}

async function main(): Promise<number> {
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
  // Checked here, loudly, rather than in every test file.
  for (const name of chosen) parseSwitches(PROFILES[name] ?? '', name);
  // The profiles run side by side: the journey tests mostly wait on loopback (timers, polls), so three
  // processes of two files each keep a two-core machine busy where one after another left it idle.
  const results = await Promise.all(chosen.map((name) => runProfile(name, PROFILES[name] ?? '')));
  for (const result of results) {
    console.log(
      `\n=== TrueLayer simulator profile ${result.name}\n    ${SWITCHES_ENV}=${PROFILES[result.name]}`,
    );
    console.log(result.output);
  }
  console.log('\nTrueLayer switch matrix:');
  for (const result of results) {
    console.log(`  ${result.ok ? 'passed' : 'FAILED'}  ${result.name} (${result.seconds} s)`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

process.exitCode = await main();
