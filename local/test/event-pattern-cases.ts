/**
 * EventBridge pattern cases with EventBridge's documented verdict: every operator EventBridge accepts,
 * the examples of its "content filtering" and "comparison operators" pages, and the stack's own rules.
 * event-pattern.test.ts holds the local matcher to these verdicts; event-pattern.moto.test.ts holds the
 * verdicts themselves to an independent implementation, moto's. Where moto and EventBridge's
 * documentation disagree, the documentation wins and the case says why in `moto`.
 */
export type Json = Record<string, unknown>;

export interface Case {
  name: string;
  pattern: Json;
  event?: Json;
  expected: boolean;
  /** moto's verdict when it differs from EventBridge's documented one, and why the docs win. */
  moto?: { verdict: boolean; why: string };
}

export const EVENT: Json = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  source: 'signupplus.onboarding',
  'detail-type': 'Onboarding Failed',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'eu-west-2',
  resources: [
    'arn:aws:ec2:us-west-1:123456789012:instance/i-1',
    'arn:aws:ec2:us-west-1:123456789012:instance/i-2',
  ],
  detail: {
    reason: 'link_expired',
    state: 'initializing',
    'c-count': 5,
    'd-count': 0,
    'x-limit': 301.8,
    FileName: 'photo.PNG',
    FilePath: '/usr/lib/libfoo.so',
    'source-ip': '10.0.0.123',
    service: 'EventBridge',
    Region: 'us-east-1',
    LastName: '',
    nothing: null,
    flag: true,
    one: 1,
    tags: ['blue', 'green'],
    numbers: [1, 5, 20],
    nested: { deep: { level: 'three' } },
  },
};

export const CASES: Case[] = [
  // Exact values: OR within a field's array, AND across fields.
  { name: 'exact string', pattern: { source: ['signupplus.onboarding'] }, expected: true },
  { name: 'exact string, other value', pattern: { source: ['other'] }, expected: false },
  { name: 'OR within the array', pattern: { source: ['other', 'signupplus.onboarding'] }, expected: true },
  {
    name: 'AND across fields',
    pattern: { source: ['signupplus.onboarding'], 'detail-type': ['Onboarding Ready For Payment'] },
    expected: false,
  },
  { name: 'exact match is case-sensitive', pattern: { source: ['SignupPlus.Onboarding'] }, expected: false },
  { name: 'exact number', pattern: { detail: { 'c-count': [5] } }, expected: true },
  { name: 'a number never equals its string', pattern: { detail: { 'c-count': ['5'] } }, expected: false },
  { name: 'exact boolean', pattern: { detail: { flag: [true] } }, expected: true },
  { name: 'exact null', pattern: { detail: { nothing: [null] } }, expected: true },
  { name: 'null does not match a missing field', pattern: { detail: { missing: [null] } }, expected: false },
  { name: 'empty string', pattern: { detail: { LastName: [''] } }, expected: true },
  { name: 'missing field never matches a value', pattern: { detail: { missing: ['x'] } }, expected: false },
  {
    name: 'true is not the number 1',
    pattern: { detail: { one: [true] } },
    expected: false,
    moto: { verdict: true, why: 'Python compares True == 1; EventBridge matches JSON values by type' },
  },
  { name: 'empty pattern matches every event', pattern: {}, expected: true },
  // Nested objects.
  { name: 'nested', pattern: { detail: { nested: { deep: { level: ['three'] } } } }, expected: true },
  {
    name: 'nested, other value',
    pattern: { detail: { nested: { deep: { level: ['two'] } } } },
    expected: false,
  },
  {
    name: 'nested under a missing object',
    pattern: { detail: { absent: { level: ['three'] } } },
    expected: false,
  },
  // Arrays in the event: any element may match.
  {
    name: 'array value, one element matches',
    pattern: { detail: { tags: ['green', 'red'] } },
    expected: true,
  },
  { name: 'array value, none matches', pattern: { detail: { tags: ['red'] } }, expected: false },
  {
    name: 'documented: resources array intersects',
    pattern: { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-2', 'arn:aws:ec2:other'] },
    expected: true,
  },
  // prefix
  { name: 'documented: time prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, expected: true },
  { name: 'prefix, other', pattern: { time: [{ prefix: '2018' }] }, expected: false },
  { name: 'prefix on a number', pattern: { detail: { 'c-count': [{ prefix: '5' }] } }, expected: false },
  {
    name: 'documented: prefix ignoring case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
    expected: true,
  },
  { name: 'prefix on an array value', pattern: { detail: { tags: [{ prefix: 'gr' }] } }, expected: true },
  // suffix
  {
    name: 'documented-style: suffix',
    pattern: { detail: { FileName: [{ suffix: '.PNG' }] } },
    expected: true,
  },
  {
    name: 'suffix is case-sensitive',
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    expected: false,
  },
  {
    name: 'documented: suffix ignoring case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    expected: true,
  },
  // equals-ignore-case
  {
    name: 'equals-ignore-case',
    pattern: { detail: { service: [{ 'equals-ignore-case': 'eventbridge' }] } },
    expected: true,
  },
  {
    name: 'equals-ignore-case, other',
    pattern: { detail: { service: [{ 'equals-ignore-case': 'lambda' }] } },
    expected: false,
  },
  // anything-but
  {
    name: 'documented: anything-but a string',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    expected: false,
  },
  {
    name: 'anything-but another string',
    pattern: { detail: { state: [{ 'anything-but': 'stopped' }] } },
    expected: true,
  },
  {
    name: 'documented: anything-but a number',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    expected: true,
  },
  {
    name: 'documented: anything-but a list',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    expected: true,
  },
  {
    name: 'anything-but a list holding the value',
    pattern: { 'detail-type': [{ 'anything-but': ['Onboarding Failed'] }] },
    expected: false,
  },
  {
    name: 'anything-but on a missing field',
    pattern: { detail: { missing: [{ 'anything-but': 'x' }] } },
    expected: false,
  },
  {
    name: 'anything-but on an array value: some element is not excluded',
    pattern: { detail: { tags: [{ 'anything-but': 'blue' }] } },
    expected: true,
  },
  {
    name: 'anything-but on an array value: every element excluded',
    pattern: { detail: { tags: [{ 'anything-but': ['blue', 'green'] }] } },
    expected: false,
  },
  {
    name: 'documented: anything-but a prefix',
    pattern: { detail: { Region: [{ 'anything-but': { prefix: 'us-' } }] } },
    expected: false,
  },
  {
    name: 'documented: anything-but a suffix',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    expected: true,
  },
  {
    name: 'documented: anything-but ignoring case',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'INITIALIZING' } }] } },
    expected: false,
  },
  {
    name: 'documented: anything-but a wildcard',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    expected: false,
  },
  // numeric
  {
    name: 'documented: numeric range',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    expected: true,
  },
  {
    name: 'documented: numeric, zero is not above zero',
    pattern: { detail: { 'd-count': [{ numeric: ['<', 10] }], 'c-count': [{ numeric: ['>', 5] }] } },
    expected: false,
  },
  {
    name: 'documented: numeric equals',
    pattern: { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } },
    expected: true,
  },
  { name: 'numeric >=', pattern: { detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, expected: true },
  { name: 'numeric <', pattern: { detail: { 'c-count': [{ numeric: ['<', 5] }] } }, expected: false },
  { name: 'numeric on a string', pattern: { detail: { state: [{ numeric: ['>', 0] }] } }, expected: false },
  {
    name: 'numeric on an array value',
    pattern: { detail: { numbers: [{ numeric: ['>', 10] }] } },
    expected: true,
  },
  // exists
  { name: 'exists true', pattern: { detail: { reason: [{ exists: true }] } }, expected: true },
  {
    name: 'exists true, missing field',
    pattern: { detail: { missing: [{ exists: true }] } },
    expected: false,
  },
  { name: 'documented: exists false', pattern: { detail: { missing: [{ exists: false }] } }, expected: true },
  {
    name: 'exists false, present field',
    pattern: { detail: { reason: [{ exists: false }] } },
    expected: false,
  },
  // cidr
  {
    name: 'documented: cidr',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    expected: true,
  },
  { name: 'cidr, outside', pattern: { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, expected: false },
  // wildcard
  {
    name: 'documented: wildcard',
    pattern: { detail: { FilePath: [{ wildcard: '/usr/lib/*.so' }] } },
    expected: true,
  },
  {
    name: 'wildcard, no match',
    pattern: { detail: { FilePath: [{ wildcard: '/opt/*' }] } },
    expected: false,
  },
  {
    name: 'wildcard with an escaped star',
    pattern: { detail: { reason: [{ wildcard: 'link\\*' }] } },
    expected: false,
  },
  {
    name: 'wildcard with a dot is literal',
    pattern: { detail: { reason: [{ wildcard: 'link.expired' }] } },
    expected: false,
  },
  // $or
  {
    name: 'documented: $or across fields',
    pattern: {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 1] }] }] },
    },
    expected: true,
  },
  {
    name: '$or, no branch matches',
    pattern: { detail: { $or: [{ state: ['stopped'] }, { reason: ['other'] }] } },
    expected: false,
  },
  {
    name: '$or at the top, with another field',
    pattern: {
      source: ['signupplus.onboarding'],
      $or: [{ 'detail-type': ['x'] }, { region: ['eu-west-2'] }],
    },
    expected: true,
  },
  // The stack's own rules.
  {
    name: 'the ready-for-payment rule, on a failed event',
    pattern: { source: ['signupplus.onboarding'], 'detail-type': ['Onboarding Ready For Payment'] },
    expected: false,
  },
  {
    name: 'the failure rule',
    pattern: { source: ['signupplus.onboarding'], 'detail-type': [{ prefix: 'Onboarding ' }] },
    expected: true,
  },
  // Unknown operators: EventBridge refuses such a rule, so the local bus never matches it.
  {
    name: 'an unknown operator never matches',
    pattern: { detail: { reason: [{ 'unknown-operator': 1 }] } },
    expected: false,
    moto: { verdict: true, why: 'moto matches unknown operators; EventBridge refuses the rule at PutRule' },
  },
];
