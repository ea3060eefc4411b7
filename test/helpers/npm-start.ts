/**
 * `npm start` (local/start.ts) in a child process, as the CLI tests drive it:
 * its output collected, its API URL read from the banner, and a graceful stop
 * that works on every platform (SIGTERM where signals exist; on Windows, where
 * a signal kills outright, the IPC channel is closed, which start.ts takes as
 * "stop").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './http.ts';

export const START = fileURLToPath(new URL('../../local/start.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StartRun {
  child: ChildProcess;
  output: () => string;
  closed: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** Kills whatever a test left running (for afterEach). */
export function killLeftovers(): void {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** Spawns start.ts with `args` (no `--port` is added) and an environment without PORT unless given. */
export function runStart(args: string[], env: Record<string, string> = {}): StartRun {
  const child = spawn(process.execPath, [START, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.push(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, closed };
}

export interface Started extends StartRun {
  api: string;
  stop: () => Promise<number | null>;
}

/** Stops start.ts the way a person or a supervisor would, on any platform. */
export function stopGracefully(run: StartRun): Promise<number | null> {
  if (process.platform === 'win32') run.child.disconnect();
  else run.child.kill('SIGTERM');
  return run.closed;
}

/** Starts it and waits for the banner; `--port 0` unless the caller passes a port. */
export async function start(args: string[] = [], env: Record<string, string> = {}): Promise<Started> {
  const withPort = args.includes('--port') || env.PORT ? args : ['--port', '0', ...args];
  const run = runStart(withPort, env);
  await eventually(
    async () => run.output(),
    (text) => text.includes('Press Ctrl+C') || run.child.exitCode !== null,
    { timeoutMs: 20_000, what: 'npm start to print its URLs' },
  );
  const api = /Integrator API +(http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
  if (!api) throw new Error(`npm start printed no API URL:\n${run.output()}`);
  return { ...run, api, stop: () => stopGracefully(run) };
}
