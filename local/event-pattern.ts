/**
 * EventBridge event pattern matching, for every comparison operator EventBridge's event buses
 * accept: exact values (OR within an array, AND across fields, any element of an array value),
 * nested objects, `$or`, `prefix` and `suffix` (each optionally `equals-ignore-case`),
 * `equals-ignore-case`, `anything-but` (a value, a list, or `prefix` / `suffix` /
 * `equals-ignore-case` / `wildcard`), `numeric`, `exists`, `cidr` (IPv4) and `wildcard`.
 * The manifest's rules may use any of them; local/test/event-pattern.test.ts checks the verdicts
 * against moto's matcher and EventBridge's documented examples. An operator EventBridge does not
 * know never matches, so a rule that relies on one fails in tests instead of matching everything.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or')
      return (
        Array.isArray(expected) &&
        expected.some((branch) => isRecord(branch) && matchesPattern(branch, event))
      );
    const present = Object.hasOwn(event, field);
    const actual = event[field];
    if (isRecord(expected)) return matchesPattern(expected, isRecord(actual) ? actual : {});
    if (!Array.isArray(expected)) return false;
    return expected.some((filter) => matchFilter(filter, actual, present));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchFilter(filter: unknown, actual: unknown, present: boolean): boolean {
  if (isRecord(filter)) {
    const [operator, operand] = Object.entries(filter)[0] ?? [];
    if (operator === 'exists') return operand === present;
    if (!present || operator === undefined) return false;
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((value) => matchOperator(operator, operand, value));
  }
  if (!present) return false;
  return Array.isArray(actual) ? actual.some((value) => value === filter) : actual === filter;
}

const lower = (text: string) => text.toLowerCase();

/** A string operand, or the same wrapped in `{ "equals-ignore-case": ... }`. */
function affix(operand: unknown, value: string, test: (value: string, affix: string) => boolean): boolean {
  if (typeof operand === 'string') return test(value, operand);
  if (isRecord(operand) && typeof operand['equals-ignore-case'] === 'string')
    return test(lower(value), lower(operand['equals-ignore-case']));
  return false;
}

function matchOperator(operator: string, operand: unknown, value: unknown): boolean {
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && affix(operand, value, (v, p) => v.startsWith(p));
    case 'suffix':
      return typeof value === 'string' && affix(operand, value, (v, s) => v.endsWith(s));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && lower(value) === lower(operand);
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcard(operand).test(value);
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && numeric(operand, value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && inCidr(value, operand);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      return false;
  }
}

function anythingBut(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (isRecord(operand)) {
    const [inner, innerOperand] = Object.entries(operand)[0] ?? [];
    if (inner === undefined || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner))
      return false;
    if (Array.isArray(innerOperand)) return !innerOperand.some((one) => matchOperator(inner, one, value));
    return !matchOperator(inner, innerOperand, value);
  }
  return value !== operand;
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function numeric(operand: unknown[], value: number): boolean {
  if (operand.length === 0 || operand.length % 2 !== 0) return false;
  for (let i = 0; i < operand.length; i += 2) {
    const compare = COMPARE[String(operand[i])];
    const bound = operand[i + 1];
    if (compare === undefined || typeof bound !== 'number' || !compare(value, bound)) return false;
  }
  return true;
}

/** `*` matches any run of characters; `\*` and `\\` stand for themselves. */
function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern.charAt(i);
    const next = pattern.charAt(i + 1);
    if (c === '\\' && (next === '*' || next === '\\')) {
      source += `\\${next}`;
      i += 1;
    } else if (c === '*') source += '.*';
    else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    return undefined;
  return parts.reduce((address, part) => address * 256 + Number(part), 0);
}

function inCidr(value: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const address = ipv4(value);
  const base = ipv4(network ?? '');
  const length = Number(bits);
  if (address === undefined || base === undefined || !Number.isInteger(length) || length < 0 || length > 32)
    return false;
  const size = 2 ** (32 - length);
  return Math.floor(address / size) === Math.floor(base / size);
}
