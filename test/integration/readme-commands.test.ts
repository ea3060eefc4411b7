/**
 * The README's shell blocks, run as a reader would paste them, against a local stack on the port
 * they are told (PORT). Every `sh` block carries a marker: `<!-- readme-test: run -->` blocks are
 * run here; the others say why not (and what runs them instead), so a new block cannot go untested
 * by accident.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const REPO_ROOT = new URL('../..', import.meta.url);

interface Block {
  marker: string | undefined;
  code: string;
  line: number;
}

/** Every ```sh block with the HTML comment just above it. */
function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const match of markdown.matchAll(/(?:<!-- readme-test: ([^\n]*?) -->\n)?```sh\n([\s\S]*?)```/g)) {
    blocks.push({
      marker: match[1],
      code: match[2] ?? '',
      line: markdown.slice(0, match.index).split('\n').length,
    });
  }
  return blocks;
}

/** A POSIX shell: bash on PATH, or Git for Windows' bash where Windows has no other. */
function findBash(): string {
  const names = process.platform === 'win32' ? ['bash.exe'] : ['bash'];
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const gitBash = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)']]
    .filter((root): root is string => Boolean(root))
    .map((root) => join(root, 'Git', 'bin', 'bash.exe'));
  const found = [...dirs.flatMap((dir) => names.map((name) => join(dir, name))), ...gitBash].find((path) =>
    existsSync(path),
  );
  if (!found) throw new Error('The README test needs bash (on Windows: Git for Windows) and curl on PATH.');
  return found;
}

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  await stack?.close();
});

const blocks = shellBlocks(README);
const runnable = blocks.filter((block) => block.marker === 'run');

describe('the README’s commands', () => {
  it('marks every shell block as run here, or says what runs it instead', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block.marker, `README.md line ${block.line}`).toMatch(/^run$|^not run \(.+\)$/);
    }
    expect(runnable.length).toBeGreaterThanOrEqual(2);
  });

  it.each(runnable.map((block) => [block.line, block] as const))(
    'runs the block at line %i as printed, against the stack on PORT',
    async (_line, block) => {
      // Act
      const { stdout } = await promisify(execFile)(findBash(), ['-e', '-o', 'pipefail', '-c', block.code], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: new URL(stack.urls.api).port },
        timeout: 25_000,
      });

      // Assess: what the block's comments promise
      if (block.code.includes('curl')) {
        const lines = stdout.trim().split('\n');
        expect(lines[0]).toMatch(new RegExp(`^302 ${stack.urls.api}/\\?onboarding_id=[0-9a-f-]{36}$`));
        expect(lines.at(-1)).toBe('Onboarding Ready For Payment');
      } else {
        expect(stdout).toMatch(/Result: completed, ready for payment/);
      }
    },
  );
});
