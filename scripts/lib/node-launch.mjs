// What scripts/run.mjs does with the Node it finds itself on. Plain JavaScript, like run.mjs, so that
// any Node that runs npm can read it.

/** The Node the project runs on: the `node` dev dependency's major version. */
export const PROJECT_NODE_MAJOR = 24;

/**
 * `here`: run the entry point in this process; `project`: hand over to the project's own Node;
 * `hint`: neither can run it, say what to do.
 * @param {string} version this Node's version, e.g. `20.20.2`
 * @param {boolean} projectNodeInstalled whether `npm ci` has installed the project's Node
 * @returns {'here' | 'project' | 'hint'}
 */
export function launchPlan(version, projectNodeInstalled) {
  const major = Number(version.split('.')[0]);
  if (major === PROJECT_NODE_MAJOR) return 'here';
  if (projectNodeInstalled) return 'project';
  return major > PROJECT_NODE_MAJOR ? 'here' : 'hint';
}

/**
 * The one line for a Node that cannot run the project and no project Node to hand over to.
 * @param {string} version
 */
export function oldNodeHint(version) {
  return `This project runs on Node ${PROJECT_NODE_MAJOR} and this is Node ${version}: run \`npm ci\` first, which installs the project's own Node ${PROJECT_NODE_MAJOR}, then use the npm scripts (npm start, npm test, npm run ...).`;
}
