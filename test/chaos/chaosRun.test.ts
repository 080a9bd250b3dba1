import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
let child: ChildProcess | undefined;

// A test that timed out must not leave ten services and a NATS cluster behind: SIGINT makes the run clean up.
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGINT');
});

/**
 * `npm run chaos -- --short` end to end (dist/ must be built: `npm test`
 * builds it): two instances of every subgraph and a three-node NATS cluster
 * under a steady load, through every kind of fault, then the invariants.
 * Any violated invariant fails it; so does a run that did not exercise what
 * it claims to (no refund, no decline, a phase without requests).
 */
it('keeps every invariant through the short chaos run', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-test-'));
  const resultsFile = path.join(dir, 'results.json');
  try {
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist/scripts/chaos/chaos.js'), '--short', '--results', resultsFile],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const exitCode = await new Promise((resolve) => child!.once('exit', resolve));
    const results = await readFile(resultsFile, 'utf8').then(JSON.parse, () => undefined);
    if (!results) throw new Error(`the chaos run exited with ${String(exitCode)} and no results; its output is above`);

    expect(results.invariants.filter((invariant: { ok: boolean }) => !invariant.ok)).toEqual([]);
    expect(exitCode).toBe(0);
    const phases = results.phases.map((phase: { name: string }) => phase.name).join(' / ');
    for (const fault of ['baseline', 'kill gateway', 'kill orders-1', 'NATS node down', 'NATS cluster restart']) {
      expect(phases).toContain(fault);
    }
    expect(phases).toMatch(/db refuses/);
    expect(phases).toMatch(/payment provider down/);
    for (const phase of results.phases) expect(phase.operations.placeOrder.requests).toBeGreaterThan(0);
    expect(results.totals.paid).toBeGreaterThan(0);
    expect(results.totals.rejected.PAYMENT_DECLINED).toBeGreaterThan(0);
    expect(results.totals.cancelled).toBeGreaterThan(0);
    expect(results.sagaEnd.unfinished).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 600_000);
