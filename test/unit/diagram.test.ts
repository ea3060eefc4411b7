/**
 * docs/state-machine.md is generated from statemachines/onboarding.asl.json:
 * regenerated here and compared, so the diagram cannot drift from the flow,
 * and checked to show every state and every transition of the ASL.
 */
import { describe, expect, it } from 'vitest';
import { staleFiles } from '../../scripts/lib/files.ts';
import {
  describeCondition,
  loadMachine,
  type Machine,
  mermaidStateDiagram,
  stateMachineFiles,
  stateMachineMarkdown,
} from '../../scripts/lib/state-diagram.ts';

const machine = loadMachine();
const diagram = mermaidStateDiagram(machine);
const edges = diagram
  .split('\n')
  .map((line) => /^\s*(\S+) --> (\S+)/.exec(line))
  .filter((match) => match !== null)
  .map((match) => `${match[1]} --> ${match[2]}`);

describe('docs/state-machine.md', () => {
  it('is committed exactly as the generator makes it from the ASL now (run npm run docs when this fails)', () => {
    expect(staleFiles(stateMachineFiles())).toEqual([]);
  });

  it('holds a Mermaid stateDiagram-v2 that starts at StartAt', () => {
    const markdown = stateMachineMarkdown(machine);

    expect(markdown).toContain('```mermaid\nstateDiagram-v2\n');
    expect(edges).toContain(`[*] --> ${machine.StartAt}`);
  });

  it('draws every transition of the ASL: Next, Choice rules, Default, Catch, and the ends', () => {
    const expected = Object.entries(machine.States).flatMap(([name, state]) => [
      ...(state.Next ? [`${name} --> ${state.Next}`] : []),
      ...(state.Default ? [`${name} --> ${state.Default}`] : []),
      ...(state.Choices ?? []).map((choice) => `${name} --> ${choice.Next}`),
      ...(state.Catch ?? []).map((caught) => `${name} --> ${caught.Next}`),
      ...(state.Type === 'Succeed' || state.Type === 'Fail' || state.End ? [`${name} --> [*]`] : []),
    ]);

    expect([...edges].sort()).toEqual([`[*] --> ${machine.StartAt}`, ...expected].sort());
  });

  it('shows the multi-account branch, the wait for a task token and the expiry', () => {
    expect(diagram).toContain('state WhatNext <<choice>>');
    expect(diagram).toContain(
      'WhatNext --> WaitForAccountChoice : ($.link.next IsPresent true) and ($.link.next == choose )',
    );
    expect(diagram).toContain(
      'WaitForAccountChoice : Lambda RequestAccountChoice, then waits for a task token',
    );
    expect(diagram).toContain('WaitForAccountChoice --> ExpireOnboarding : error States.Timeout');
  });
});

describe('the generator', () => {
  it.each([
    [{ Variable: '$.a', StringEquals: 'x' }, '$.a == "x"'],
    [{ Variable: '$.n', NumericGreaterThanEquals: 2 }, '$.n >= 2'],
    [{ Variable: '$.n', NumericLessThanPath: '$.m' }, '$.n < "$.m"'],
    [{ Variable: '$.b', IsPresent: true }, '$.b IsPresent true'],
    [
      { And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.b', StringEquals: 'y' } }] },
      '($.a == true) and (not ($.b == "y"))',
    ],
    [{ Condition: '{% $states.input.n > 1 %}' }, '{% $states.input.n > 1 %}'],
  ])('describes the Choice rule %j as %s', (rule, text) => {
    expect(describeCondition(rule)).toBe(text);
  });

  it('draws a Parallel state as a composite state with its branches', () => {
    const parallel: Machine = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
        },
      },
    };

    const text = mermaidStateDiagram(parallel);

    expect(text).toContain(
      'state Both {\n    [*] --> A\n    A --> [*]\n    --\n    [*] --> B\n    B --> [*]\n  }',
    );
    expect(text).toContain('Both --> [*]');
  });
});
