/**
 * The module graph's one-way streets: the product (functions/, infra/, statemachines/) never
 * reaches into the harness or the tests, the scripts and benchmarks never reach into the tests,
 * and the product's tests, the scripts and the benchmarks reach the harness only through the
 * main entry of `@signupplus/local` (no subpath such as `@signupplus/local/parts`, no relative
 * path into local/). Every import
 * specifier is resolved against its file, so `../local/x.ts`, `@signupplus/local` and
 * `import('../../test/y.ts')` are all caught.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SOURCE = /\.(ts|mts|js|mjs|json)$/;

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'cdk.out') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE.test(entry.name)) out.push(path);
    }
  };
  walk(join(ROOT, folder));
  return out;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** Where each import of `file` lands, as a path relative to the repository (or the package name). */
function importTargets(file: string, text: string): string[] {
  const targets: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('.')) {
      targets.push(
        relative(ROOT, resolve(dirname(file), specifier))
          .split(sep)
          .join('/'),
      );
    } else targets.push(specifier);
  }
  return targets;
}

type Folder = 'local' | 'test' | 'scripts' | 'bench';

function reachesInto(target: string, folder: Folder): boolean {
  if (folder === 'local' && target.startsWith('@signupplus/local')) return true;
  return target === folder || target.startsWith(`${folder}/`);
}

/** The harness's main entry, the one door into it from outside local/. */
const HARNESS_ENTRY = '@signupplus/local';

/** An import that reaches the harness other than by its main entry. */
const pastTheEntry = (target: string) => target !== HARNESS_ENTRY && reachesInto(target, 'local');

function violations(folders: string[], forbidden: Folder[]) {
  const found: string[] = [];
  for (const folder of folders) {
    for (const file of sourceFiles(folder)) {
      const name = relative(ROOT, file).split(sep).join('/');
      for (const target of importTargets(file, readFileSync(file, 'utf8')))
        for (const folderName of forbidden)
          if (reachesInto(target, folderName)) found.push(`${name} imports ${target}`);
    }
  }
  return found;
}

describe('dependency rules', () => {
  it('the product imports neither the harness nor the tests', () => {
    expect(violations(['functions', 'infra', 'statemachines'], ['local', 'test'])).toEqual([]);
  });

  it('scripts and benchmarks import nothing from the tests', () => {
    expect(violations(['scripts', 'bench'], ['test'])).toEqual([]);
  });

  it('the harness imports neither the tools nor the tests', () => {
    // The harness's own tests (local/test) drive journeys with the product's test helpers; its code does not.
    const harnessCode = violations(['local'], ['scripts', 'bench', 'test']).filter(
      (found) => !found.startsWith('local/test/'),
    );
    expect(harnessCode).toEqual([]);
  });

  // scripts/ and bench/ are the harness's tools (the start command, the conformance run against the
  // simulator alone, the benchmarks) and may use its parts; the product's tests may not.
  it.each(['test'])('%s/ reaches the harness only through its main entry, @signupplus/local', (folder) => {
    const found: string[] = [];
    for (const file of sourceFiles(folder)) {
      // This file's own examples of forbidden imports are strings, not imports.
      if (file === fileURLToPath(import.meta.url)) continue;
      const name = relative(ROOT, file).split(sep).join('/');
      for (const target of importTargets(file, readFileSync(file, 'utf8')))
        if (pastTheEntry(target)) found.push(`${name} imports ${target}`);
    }
    expect(found).toEqual([]);
  });

  it('tells the main entry from a subpath or a path into local/', () => {
    const targets = ['@signupplus/local', '@signupplus/local/parts', 'local/stack.ts', 'local', 'vitest'];
    expect(targets.filter(pastTheEntry)).toEqual(['@signupplus/local/parts', 'local/stack.ts', 'local']);
  });

  it('sees relative, dynamic and package imports', () => {
    const file = join(ROOT, 'functions', 'x', 'y.ts');
    const text = [
      "import { a } from '../../local/stack.ts';",
      "const b = await import('../../test/helpers/http.ts');",
      "export * from '@signupplus/local';",
      "import './side-effect.ts';",
    ].join('\n');
    expect(importTargets(file, text)).toEqual([
      'local/stack.ts',
      'test/helpers/http.ts',
      '@signupplus/local',
      'functions/x/side-effect.ts',
    ]);
  });
});
