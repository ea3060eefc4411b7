import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the CDK app is run from. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** An absolute path from a path relative to the repository root (as the manifest writes them). */
export const fromRepoRoot = (relative: string): string => join(REPO_ROOT, relative);
