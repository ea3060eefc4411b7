/**
 * docs/state-machine.md, generated from the ASL file the product deploys and
 * runs locally: a Mermaid `stateDiagram-v2` (every transition, including
 * Catch routes) and a table of the states with their retries. The test in
 * test/unit/diagram.test.ts regenerates it and compares, so it cannot drift.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { STATE_MACHINE_DEFINITION, WORKFLOWS, type WorkflowId } from '../../functions/contract/manifest.ts';
import { fromRoot, type GeneratedFile, markdownTable } from './files.ts';

export const STATE_MACHINE_DOC = 'docs/state-machine.md';

/** Where each flow's state machine is drawn, and under what title. */
const MACHINE_DOCS: Record<WorkflowId, { path: string; title: string }> = {
  data: { path: STATE_MACHINE_DOC, title: 'The onboarding state machine' },
  payment: { path: 'docs/payment-state-machine.md', title: 'The payment onboarding state machine' },
  connection: {
    path: 'docs/connection-state-machine.md',
    title: 'The connection onboarding state machine (Signup+ on a Data v3 connection)',
  },
};

const retrySchema = z
  .object({
    ErrorEquals: z.array(z.string()),
    MaxAttempts: z.number().optional(),
    IntervalSeconds: z.number().optional(),
    BackoffRate: z.number().optional(),
    MaxDelaySeconds: z.number().optional(),
  })
  .loose();
const catchSchema = z.object({ ErrorEquals: z.array(z.string()), Next: z.string() }).loose();

export interface Machine {
  StartAt: string;
  Comment?: string | undefined;
  States: Record<string, State>;
}
export interface State {
  Type: string;
  Comment?: string | undefined;
  Next?: string | undefined;
  End?: boolean | undefined;
  Default?: string | undefined;
  Resource?: string | undefined;
  Parameters?: Record<string, unknown> | undefined;
  Choices?: Array<Record<string, unknown> & { Next: string }> | undefined;
  Retry?: Array<z.infer<typeof retrySchema>> | undefined;
  Catch?: Array<z.infer<typeof catchSchema>> | undefined;
  TimeoutSeconds?: number | undefined;
  TimeoutSecondsPath?: string | undefined;
  Branches?: Machine[] | undefined;
  ItemProcessor?: Machine | undefined;
  Iterator?: Machine | undefined;
}

const machineSchema: z.ZodType<Machine> = z.lazy(() =>
  z
    .object({
      StartAt: z.string(),
      Comment: z.string().optional(),
      States: z.record(z.string(), stateSchema),
    })
    .loose(),
);
const stateSchema: z.ZodType<State> = z.lazy(() =>
  z
    .object({
      Type: z.string(),
      Comment: z.string().optional(),
      Next: z.string().optional(),
      End: z.boolean().optional(),
      Default: z.string().optional(),
      Resource: z.string().optional(),
      Parameters: z.record(z.string(), z.unknown()).optional(),
      Choices: z.array(z.object({ Next: z.string() }).loose()).optional(),
      Retry: z.array(retrySchema).optional(),
      Catch: z.array(catchSchema).optional(),
      TimeoutSeconds: z.number().optional(),
      TimeoutSecondsPath: z.string().optional(),
      Branches: z.array(machineSchema).optional(),
      ItemProcessor: machineSchema.optional(),
      Iterator: machineSchema.optional(),
    })
    .loose(),
);

export function loadMachine(path: string = STATE_MACHINE_DEFINITION): Machine {
  return machineSchema.parse(JSON.parse(readFileSync(fromRoot(path), 'utf8')));
}

const OPERATORS: Record<string, string> = {
  StringEquals: '==',
  NumericEquals: '==',
  BooleanEquals: '==',
  TimestampEquals: '==',
  StringLessThan: '<',
  NumericLessThan: '<',
  TimestampLessThan: '<',
  StringGreaterThan: '>',
  NumericGreaterThan: '>',
  TimestampGreaterThan: '>',
  StringLessThanEquals: '<=',
  NumericLessThanEquals: '<=',
  TimestampLessThanEquals: '<=',
  StringGreaterThanEquals: '>=',
  NumericGreaterThanEquals: '>=',
  TimestampGreaterThanEquals: '>=',
  StringMatches: 'matches',
};

/** A Choice rule as a short condition: `$.accounts.result == "multiple_accounts_linked"`. */
export function describeCondition(rule: Record<string, unknown>): string {
  const nested = (key: string) => z.array(z.record(z.string(), z.unknown())).safeParse(rule[key]);
  for (const [key, joiner] of [
    ['And', ' and '],
    ['Or', ' or '],
  ] as const) {
    const parts = nested(key);
    if (parts.success) return parts.data.map((part) => `(${describeCondition(part)})`).join(joiner);
  }
  const not = z.record(z.string(), z.unknown()).safeParse(rule.Not);
  if (not.success) return `not (${describeCondition(not.data)})`;
  if (typeof rule.Condition === 'string') return rule.Condition; // JSONata
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    const base = key.endsWith('Path') ? key.slice(0, -4) : key;
    const operator = OPERATORS[base];
    if (operator) return `${variable} ${operator} ${JSON.stringify(value)}`;
    if (key.startsWith('Is')) return `${variable} ${key} ${JSON.stringify(value)}`;
  }
  return variable;
}

const placeholders = Object.fromEntries(
  Object.values(WORKFLOWS).flatMap((workflow) =>
    Object.entries(workflow.tasks).map(([placeholder, id]) => [`\${${placeholder}}`, id]),
  ),
);

/** What a Task runs: the function (by its manifest name) and whether it then waits for a task token. */
export function describeTask(state: State): string {
  const resource = state.Resource ?? '';
  const functionName = state.Parameters?.FunctionName;
  const target =
    typeof functionName === 'string'
      ? (placeholders[functionName] ?? functionName)
      : resource.split(':').at(-1);
  if (!resource.includes(':lambda:')) return `${resource} ${target ?? ''}`.trim();
  return resource.endsWith('.waitForTaskToken')
    ? `Lambda ${target}, then waits for a task token`
    : `Lambda ${target}`;
}

/** Retry rules, with Lambda's own transient errors (`Lambda.*`) summed up as one. */
function describeRetries(state: State): string {
  return (state.Retry ?? [])
    .map((retry) => {
      const names = retry.ErrorEquals.filter((name) => !name.startsWith('Lambda.'));
      if (names.length < retry.ErrorEquals.length) names.push('Lambda service errors');
      const attempts = retry.MaxAttempts ?? 3;
      const backoff = `${retry.IntervalSeconds ?? 1} s ×${retry.BackoffRate ?? 2}${retry.MaxDelaySeconds ? ` ≤ ${retry.MaxDelaySeconds} s` : ''}`;
      return `${names.join(', ')}: ${attempts} more attempts (${backoff})`;
    })
    .join('; ');
}

/** Mermaid labels: keep to characters every renderer accepts. */
const label = (text: string) =>
  text
    .replace(/[;#{}"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function transitions(state: State): Array<{ to: string; label?: string }> {
  const edges: Array<{ to: string; label?: string }> = [];
  for (const choice of state.Choices ?? []) edges.push({ to: choice.Next, label: describeCondition(choice) });
  if (state.Default) edges.push({ to: state.Default, label: 'otherwise' });
  if (state.Next) edges.push({ to: state.Next });
  for (const caught of state.Catch ?? []) {
    edges.push({ to: caught.Next, label: `error ${caught.ErrorEquals.join(', ')}` });
  }
  if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') edges.push({ to: '[*]' });
  return edges;
}

function diagramLines(machine: Machine, indent: string): string[] {
  const lines = [`${indent}[*] --> ${machine.StartAt}`];
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.Type === 'Choice') lines.push(`${indent}state ${name} <<choice>>`);
    else if (state.Type === 'Task') lines.push(`${indent}${name} : ${label(describeTask(state))}`);
    const inner = state.Branches ?? [state.ItemProcessor ?? state.Iterator].filter((m) => m !== undefined);
    if (inner.length) {
      lines.push(`${indent}state ${name} {`);
      inner.forEach((branch, index) => {
        if (index > 0) lines.push(`${indent}  --`);
        lines.push(...diagramLines(branch, `${indent}  `));
      });
      lines.push(`${indent}}`);
    }
  }
  for (const [name, state] of Object.entries(machine.States)) {
    for (const edge of transitions(state)) {
      lines.push(`${indent}${name} --> ${edge.to}${edge.label ? ` : ${label(edge.label)}` : ''}`);
    }
  }
  return lines;
}

/** The Mermaid diagram, without the fence. */
export function mermaidStateDiagram(machine: Machine): string {
  const lines = ['stateDiagram-v2', '  direction TB', ...diagramLines(machine, '  ')];
  const ends = Object.entries(machine.States);
  const succeed = ends.filter(([, s]) => s.Type === 'Succeed').map(([n]) => n);
  const fail = ends.filter(([, s]) => s.Type === 'Fail').map(([n]) => n);
  const waits = ends.filter(([, s]) => (s.Resource ?? '').endsWith('.waitForTaskToken')).map(([n]) => n);
  lines.push('  classDef succeed fill:#e6f4ea,stroke:#1a7f37');
  lines.push('  classDef fail fill:#fde7e9,stroke:#b42318');
  lines.push('  classDef wait fill:#fff4d6,stroke:#9a6700');
  if (succeed.length) lines.push(`  class ${succeed.join(',')} succeed`);
  if (fail.length) lines.push(`  class ${fail.join(',')} fail`);
  if (waits.length) lines.push(`  class ${waits.join(',')} wait`);
  return lines.join('\n');
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function stateTable(machine: Machine): string {
  const rows = Object.entries(machine.States).map(([name, state]) => {
    const what = [state.Type === 'Task' ? describeTask(state) : state.Type, state.Comment]
      .filter(Boolean)
      .join('. ');
    const timeout = state.TimeoutSecondsPath
      ? `from \`${state.TimeoutSecondsPath}\``
      : state.TimeoutSeconds
        ? `${state.TimeoutSeconds} s`
        : '';
    const onError = (state.Catch ?? []).map((c) => `${c.ErrorEquals.join(', ')} → ${c.Next}`).join('; ');
    const next = transitions(state)
      .filter((edge) => !edge.label?.startsWith('error '))
      .map((edge) => (edge.label ? `${edge.to} (${edge.label})` : edge.to === '[*]' ? 'end' : edge.to))
      .join('; ');
    return [`\`${name}\``, what, timeout, describeRetries(state), onError, next].map(cell);
  });
  return markdownTable(['State', 'What it does', 'Timeout', 'Retries', 'On error', 'Next'], rows);
}

export function stateMachineMarkdown(
  machine: Machine,
  source: string = STATE_MACHINE_DEFINITION,
  title = MACHINE_DOCS.data.title,
): string {
  return `<!-- Generated by \`npm run docs\` from ${source}. Do not edit: change the ASL and regenerate. -->

# ${title}

${machine.Comment ?? ''}

One definition, two engines: CDK deploys \`${source}\` to AWS Step Functions (Standard), and the local
runtime runs the same file with aws-local-stepfunctions. Each execution is named after its onboarding id.
Yellow states wait for a callback (a task token); green ones are Succeed states and red ones Fail states.
Every path ends in one of them after a Task has written the record and published the journey's event
(ready for payment, failed or expired): no journey stalls silently.

\`\`\`mermaid
${mermaidStateDiagram(machine)}
\`\`\`

## States

${stateTable(machine)}

Retries wait the interval, multiplied by the backoff rate after each attempt, with full jitter. Errors are
matched by name: the function error names are shared constants (see \`functions/**/errors.ts\`) and
\`test/unit/asl-contract.test.ts\` checks both sides. Each error class sets its \`name\` as a string, which
is what Lambda reports and what minification cannot rename; \`test/infra/bundle-contents.test.ts\` checks
the matched names on a bundle built as the stack builds it.
`;
}

export function stateMachineFiles(): GeneratedFile[] {
  return (Object.keys(WORKFLOWS) as WorkflowId[]).map((workflow) => {
    const source = WORKFLOWS[workflow].definition;
    const doc = MACHINE_DOCS[workflow];
    return { path: doc.path, text: stateMachineMarkdown(loadMachine(source), source, doc.title) };
  });
}
