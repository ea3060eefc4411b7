/**
 * `npm run conformance -- --truelayer sandbox` (docs/conformance.md)
 *
 * Makes every TrueLayer call the product makes, with the product's own
 * clients, against TrueLayer's sandbox (with TRUELAYER_CLIENT_ID,
 * TRUELAYER_CLIENT_SECRET and a loopback TRUELAYER_REDIRECT_URI) or, without
 * them, against the simulator; walks the auth dialog and the Data v3 hosted
 * page in Chromium; saves TrueLayer's answers, redacted, as fixtures; and says
 * what TrueLayer does at each point its documents leave open.
 *
 * Exit codes: 0 every step passed; 1 a step failed (the report says which);
 * 2 the run could not be made; 64 bad arguments.
 */
import { ConformanceUsageError, parseConformanceArgs, USAGE } from './conformance-args.ts';
import { runConformance } from './conformance-run.ts';

async function main(): Promise<number> {
  let settings: ReturnType<typeof parseConformanceArgs>;
  try {
    settings = parseConformanceArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConformanceUsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 64;
    }
    throw error;
  }
  if (settings.fallback) console.log(`Note: ${settings.fallback}.`);
  console.log(
    `Conformance run against ${settings.truelayer === 'sandbox' ? "TrueLayer's sandbox" : 'the simulator'}`,
  );
  try {
    const report = await runConformance(settings);
    console.log('\nSteps:');
    for (const step of report.steps)
      console.log(`  ${step.ok ? 'ok  ' : 'FAIL'}  ${step.name}: ${step.detail}`);
    console.log('\nWhat TrueLayer does where its documents are silent:');
    for (const finding of report.findings) {
      console.log(
        `  - ${finding.point}: ${finding.found}${finding.switch ? `  [simulator: ${finding.switch}]` : ''}`,
      );
    }
    console.log(`\n${report.fixtures.length} redacted fixtures and summary.json in ${settings.outDir}`);
    if (report.suggestedSwitches) {
      console.log(`The simulator plays this with TRUELAYER_SIM_SWITCHES=${report.suggestedSwitches}`);
    }
    return report.steps.every((step) => step.ok) ? 0 : 1;
  } catch (error) {
    // Messages here are the run's own; TrueLayer's answers are only in the redacted fixtures.
    console.error(`The conformance run stopped: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

process.exitCode = await main();
