/** Types of node-launch.mjs, which stays plain JavaScript so that an older Node can read it. */
export declare const PROJECT_NODE_MAJOR: number;
export declare function launchPlan(
  version: string,
  projectNodeInstalled: boolean,
): 'here' | 'project' | 'hint';
export declare function oldNodeHint(version: string): string;
