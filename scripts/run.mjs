// Runs one of the project's TypeScript entry points (local/start.ts, scripts/*.ts) on Node 24, which
// runs TypeScript as it is. npm scripts already run on the project's own Node 24 (the `node` dev
// dependency, first on npm's PATH); this launcher is for the same command typed by hand with another
// Node, which would fail with ERR_UNKNOWN_FILE_EXTENSION: it hands over to the project's Node, or says
// in one line what to do. Plain JavaScript, so that any Node that runs npm can read it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchPlan, oldNodeHint } from './lib/node-launch.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('Usage: node scripts/run.mjs <file.ts> [arguments]');
  process.exit(64);
}
const projectNode = fileURLToPath(
  new URL(`../node_modules/node/bin/node${process.platform === 'win32' ? '.exe' : ''}`, import.meta.url),
);

const plan = launchPlan(process.versions.node, existsSync(projectNode));
if (plan === 'here') {
  // In this process: the entry point sees its own arguments, as if started directly.
  const file = resolve(entry);
  process.argv.splice(1, 2, file);
  await import(pathToFileURL(file).href);
} else if (plan === 'project') {
  const child = spawn(projectNode, [entry, ...args], { stdio: 'inherit' });
  // Ctrl+C reaches both processes from the terminal; the entry point decides how to stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
} else {
  console.error(oldNodeHint(process.versions.node));
  process.exit(1);
}
