import { rm, writeFile } from 'node:fs/promises';
import { renderChaosReport } from './chaosReport';
import { ChaosOptionError, readChaosSettings } from './chaosSettings';
import { runChaos } from './runChaos';

const log = (line: string) => console.log(`[chaos] ${new Date().toISOString().slice(11, 19)} ${line}`);

/**
 * `npm run chaos` (the full run) or `npm run chaos -- --short` (what `npm test`
 * runs): exits 1 when an invariant is violated or the run could not be made.
 * Ctrl-C stops the run and still removes its processes, databases and streams.
 */
async function main(): Promise<void> {
  const settings = readChaosSettings(process.argv.slice(2));
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the run and cleaning up`);
      abort.abort(new Error(`interrupted by ${signal}`));
    });
  }
  const result = await runChaos(settings, log, abort.signal);
  // Megabytes per run (every failed request's lines): kept only when there is something to look into.
  const keepLog = settings.keepLogs || !result.ok;
  if (!keepLog) await rm(result.logFile, { force: true });
  console.log(`\n${renderChaosReport(result, keepLog)}`);
  if (settings.resultsFile) await writeFile(settings.resultsFile, JSON.stringify(result, null, 2));
  // Explicitly: a handle a killed child left behind must not keep the run from ending.
  process.exit(result.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  // A bad option is one line naming it; anything else with its stack.
  const detail =
    error instanceof ChaosOptionError ? error.message : error instanceof Error ? error.stack : String(error);
  console.error(`[chaos] failed: ${detail}`);
  process.exit(1);
});
