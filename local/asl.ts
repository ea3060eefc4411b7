import { readFile } from 'node:fs/promises';

/**
 * Fills the `${Name}` placeholders of an ASL file, as CloudFormation does with
 * the state machine's definitionSubstitutions. A placeholder without a value
 * is an error, never left in place.
 */
export function substituteDefinition(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`No substitution for \${${name}} in the state machine definition`);
    return value;
  });
}

export async function loadDefinition(path: URL, values: Readonly<Record<string, string>>): Promise<string> {
  return substituteDefinition(await readFile(path, 'utf8'), values);
}
