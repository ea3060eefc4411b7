import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  FUNCTIONS,
  type FunctionId,
  STATE_MACHINE_DEFINITION,
  WORKFLOW_TASKS,
  WORKFLOWS,
  type WorkflowId,
} from '../../functions/contract/manifest.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import {
  actionsOf,
  arnOf,
  jsonObject,
  logicalIdOf,
  referencedIds,
  resource,
  resourcesOf,
  type SynthResult,
  statementsOfRole,
  synthApp,
} from './helpers.ts';

// asl-validator is CommonJS without type declarations: load it, then hold it to the shape it documents.
const validatorResultSchema = z.object({
  isValid: z.boolean(),
  errors: z.array(z.unknown()),
  errorsText: z.function(),
});
function validateAsl(definition: unknown): { isValid: boolean; errors: string } {
  const loaded: unknown = createRequire(import.meta.url)('asl-validator');
  if (typeof loaded !== 'function') throw new Error('asl-validator does not export a function');
  // The validator annotates the object it is given (QueryLanguage on each state): hand it a copy.
  const copy = structuredClone(definition);
  const result = validatorResultSchema.parse(loaded(copy, { checkPaths: true, checkArn: true }));
  return { isValid: result.isValid, errors: JSON.stringify(result.errors) };
}

const taskSchema = z.object({
  Type: z.literal('Task'),
  Resource: z.string(),
  Parameters: z.object({ FunctionName: z.string() }).passthrough(),
  TimeoutSeconds: z.number().optional(),
  TimeoutSecondsPath: z.string().optional(),
});

/** One workflow's definition as the manifest names it, read the way the construct deploys it. */
function workflowOf(workflowId: WorkflowId) {
  const workflow = WORKFLOWS[workflowId];
  const text = readFileSync(fromRepoRoot(workflow.definition), 'utf8');
  const definition: unknown = JSON.parse(text);
  const states = z.object({ States: z.record(z.string(), jsonObject) }).parse(definition).States;
  const taskMap: Record<string, FunctionId> = workflow.tasks;
  return {
    file: workflow.definition,
    text,
    definition,
    taskMap,
    placeholders: new Set([...text.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1])),
    tasks: Object.entries(states)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name, state]) => ({ name, ...taskSchema.parse(state) })),
    taskFunctionIds: [...new Set(Object.values(taskMap))],
  };
}

const workflowIds = Object.keys(WORKFLOWS).filter((id): id is WorkflowId => id in WORKFLOWS);

let synth: SynthResult;
beforeAll(() => {
  synth = synthApp();
});

describe('the manifest workflows', () => {
  it('keep the data flow under its old names (WORKFLOW_TASKS, STATE_MACHINE_DEFINITION)', () => {
    expect(WORKFLOW_TASKS).toBe(WORKFLOWS.data.tasks);
    expect(STATE_MACHINE_DEFINITION).toBe('statemachines/onboarding.asl.json');
    expect(WORKFLOWS.payment.definition).toBe('statemachines/payment-onboarding.asl.json');
  });
});

describe.each(workflowIds)('the %s workflow definition', (workflowId) => {
  const workflow = workflowOf(workflowId);

  it('is valid Amazon States Language', () => {
    const result = validateAsl(workflow.definition);
    expect(result.errors).toBe('[]');
    expect(result.isValid).toBe(true);
  });

  it('stays valid with the function ARNs substituted in', () => {
    const substituted = workflow.text.replace(
      /\$\{([^}]+)\}/g,
      (_, name: string) => `arn:aws:lambda:eu-west-2:123456789012:function:${name.replace(/Arn$/, '')}`,
    );
    expect(validateAsl(JSON.parse(substituted)).isValid).toBe(true);
  });

  it('uses a placeholder for exactly each task the manifest declares for it', () => {
    expect(workflow.placeholders).toEqual(new Set(Object.keys(workflow.taskMap)));
  });

  it('invokes Lambda only through the optimized integration, with a substituted function name', () => {
    expect(workflow.tasks.length).toBeGreaterThan(0);
    for (const task of workflow.tasks) {
      expect(['arn:aws:states:::lambda:invoke', 'arn:aws:states:::lambda:invoke.waitForTaskToken']).toContain(
        task.Resource,
      );
      expect(task.Parameters.FunctionName, task.name).toMatch(/^\$\{[A-Za-z]+\}$/);
    }
  });

  it('gives every task at least as long as its function may run', () => {
    for (const task of workflow.tasks) {
      const placeholder = task.Parameters.FunctionName.slice(2, -1);
      const fnId: FunctionId | undefined = workflow.taskMap[placeholder];
      expect(fnId, task.name).toBeDefined();
      if (task.TimeoutSecondsPath) continue; // the account-choice wait, bounded by the construct (≤ 55 min)
      expect(task.TimeoutSeconds, task.name).toBeGreaterThanOrEqual(
        FUNCTIONS[fnId ?? 'LinkAccounts'].timeoutSeconds,
      );
    }
  });
});

describe.each(workflowIds)('the deployed %s state machine', (workflowId) => {
  const workflow = workflowOf(workflowId);
  const stateMachine = () => synth.stack.onboarding.stateMachines[workflowId];
  const machine = () => resource(synth.template, logicalIdOf(synth.stack, stateMachine()));
  const fnLogicalId = (id: FunctionId) => logicalIdOf(synth.stack, synth.stack.onboarding.functions[id]);
  const roleId = () => logicalIdOf(synth.stack, stateMachine().role);

  it('is the ASL file itself, uploaded as an asset', () => {
    const location = z
      .object({ Key: z.string().regex(/^[0-9a-f]{64}\.json$/) })
      .parse(machine().properties.DefinitionS3Location);
    const staged = readFileSync(join(synth.app.outdir, `asset.${location.Key}`), 'utf8');
    expect(staged).toBe(workflow.text);
  });

  it('substitutes every placeholder with the ARN of its manifest function', () => {
    const substitutions = jsonObject.parse(machine().properties.DefinitionSubstitutions);
    expect(new Set(Object.keys(substitutions))).toEqual(workflow.placeholders);
    for (const [placeholder, fnId] of Object.entries(workflow.taskMap)) {
      expect(substitutions[placeholder], placeholder).toEqual(arnOf(fnLogicalId(fnId)));
    }
  });

  it('references no function but its own tasks', () => {
    const functionIds = new Set((Object.keys(FUNCTIONS) as FunctionId[]).map((id) => fnLogicalId(id)));
    const referenced = [...referencedIds(machine().properties)].filter((id) => functionIds.has(id));
    expect(referenced.sort()).toEqual(workflow.taskFunctionIds.map(fnLogicalId).sort());
    if (workflowId === 'payment') {
      expect(workflow.taskFunctionIds.sort()).toEqual(['CheckPayment', 'EndOnboarding']);
    }
  });

  it('may invoke exactly the functions the ASL references, unqualified or $LATEST, no other version', () => {
    const invokable = statementsOfRole(synth.template, roleId())
      .filter(
        (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes('lambda:InvokeFunction'),
      )
      .flatMap(resourcesOf)
      .map((arn) => JSON.stringify(arn))
      .sort();
    const expected = workflow.taskFunctionIds.flatMap((id) => [
      JSON.stringify(arnOf(fnLogicalId(id))),
      JSON.stringify({ 'Fn::Join': ['', [arnOf(fnLogicalId(id)), ':$LATEST']] }),
    ]);
    expect(invokable).toEqual(expected.sort());
  });

  it('lets no other function be invoked by the workflow role', () => {
    const lambdaActions = statementsOfRole(synth.template, roleId())
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('lambda:'));
    expect(new Set(lambdaActions)).toEqual(new Set(['lambda:InvokeFunction']));
  });

  it('has a role of its own', () => {
    const other = synth.stack.onboarding.stateMachines[workflowId === 'data' ? 'payment' : 'data'];
    expect(roleId()).not.toBe(logicalIdOf(synth.stack, other.role));
  });
});
