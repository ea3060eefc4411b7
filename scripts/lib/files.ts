/**
 * Generated files: where they live and how they are written. Generators are
 * pure (they return text); this module compares and writes, so that the
 * drift tests and `npm run docs -- --check` use exactly what the scripts write.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const fromRoot = (...parts: string[]) => join(ROOT, ...parts);
export const relativeToRoot = (path: string) => relative(ROOT, path);

/** JSON as committed: two-space indentation and a final newline. */
export const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export interface GeneratedFile {
  /** Path from the repository root. */
  path: string;
  text: string;
}

/** The files whose committed text differs from what the generator produces now. */
export function staleFiles(files: readonly GeneratedFile[]): string[] {
  return files
    .filter((file) => {
      const path = fromRoot(file.path);
      return !existsSync(path) || readFileSync(path, 'utf8') !== file.text;
    })
    .map((file) => file.path);
}

/** Writes the files that changed; returns their paths. */
export function writeFiles(files: readonly GeneratedFile[]): string[] {
  const changed = staleFiles(files);
  for (const file of files) {
    if (!changed.includes(file.path)) continue;
    const path = fromRoot(file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
  return changed;
}

/**
 * A markdown table laid out as Biome formats markdown (every column padded to
 * its widest cell), so generated docs pass `biome ci` unchanged.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, column) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, column) => (cells[column] ?? '').padEnd(w + (cells[column] ?? '').length - width(cells[column] ?? ''))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
