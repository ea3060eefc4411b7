/**
 * EventBridge pattern matching for the subset of the pattern language the
 * stack's rules use: exact values (OR within an array, AND across fields),
 * nested objects, and the `prefix`, `suffix`, `anything-but` and `exists`
 * operators. Unknown operators never match, so a rule that relies on one fails
 * loudly in tests instead of silently matching everything.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) =>
    matchField(expected, event[field], field in event),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchField(expected: unknown, actual: unknown, present: boolean): boolean {
  if (isRecord(expected)) {
    return isRecord(actual) && matchesPattern(expected, actual);
  }
  if (!Array.isArray(expected)) return false;
  const values = Array.isArray(actual) ? actual : [actual];
  return expected.some((rule) => {
    if (isRecord(rule)) return matchOperator(rule, values, present);
    return present && values.some((value) => value === rule);
  });
}

function matchOperator(rule: Record<string, unknown>, values: unknown[], present: boolean): boolean {
  if ('exists' in rule) return rule.exists === present;
  if (!present) return false;
  if (typeof rule.prefix === 'string') {
    const prefix = rule.prefix;
    return values.some((value) => typeof value === 'string' && value.startsWith(prefix));
  }
  if (typeof rule.suffix === 'string') {
    const suffix = rule.suffix;
    return values.some((value) => typeof value === 'string' && value.endsWith(suffix));
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return values.every((value) => !list.includes(value));
  }
  return false;
}
