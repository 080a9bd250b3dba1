import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** More than the machine takes is refused by placeOrder's admission control, and by nothing else. */
function expectOnlySagaBacklogRefusals(refusals: Record<string, number>): void {
  for (const cause of Object.keys(refusals)) {
    expect(cause).toBe(
      'HTTP 200 SERVICE_UNAVAILABLE saga_backlog: Too many orders are being processed; try again shortly',
    );
  }
}

/**
 * `npm run bench -- --quick` works end to end: every gateway answers every
 * operation without errors, the saga scenarios take and end their orders,
 * and the results file has the agreed shape. It proves the bench runs; it
 * asserts no speed (2-second windows on a shared 2-core machine say nothing
 * about speed).
 */
it('runs the quick benchmark and writes results in the agreed shape', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-'));
  try {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/scripts/bench/bench.js'), '--quick'], {
      env: { ...process.env, BENCH_RESULTS_DIR: dir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    const results = JSON.parse(await readFile(path.join(dir, 'latest.json'), 'utf8'));
    for (const gateway of ['ours', 'apollo', 'hive']) {
      for (const operation of ['Q1', 'Q2', 'Q3']) {
        const run = results.runs[gateway][operation];
        expect(run.rps).toBeGreaterThan(0);
        expect(run.p99_ms).toBeGreaterThanOrEqual(run.p50_ms);
        expect(run.errors).toBe(0);
      }
    }
    for (const operation of ['Q1', 'Q2', 'Q3']) {
      expect(results.ratios[operation]).toEqual(
        expect.objectContaining({ ours_vs_apollo: expect.any(Number), ours_vs_hive: expect.any(Number) }),
      );
    }
    // DataLoader: the statements of a "my orders" page do not grow with its size.
    const statements = Object.values(results.sql_per_q2 as Record<string, number>);
    expect(new Set(statements).size).toBe(1);
    expect(results.saga.unfinished).toBe(0);
    expect(results.saga.accepted).toBeGreaterThan(0);
    expect(results.saga.completed_per_s).toBeGreaterThan(0);
    expectOnlySagaBacklogRefusals(results.saga.refusals);

    const { flash_sale: flash, steady, steady_fast_polling: fastPolling, ramp } = results.saga_scenarios;
    // A flash sale is a burst: taken whole, and every order of it ends.
    expect(flash.accepted).toBe(flash.customers);
    expect(flash.unfinished).toBe(0);
    expect(flash.all_ended_ms).toBeGreaterThanOrEqual(flash.all_accepted_ms);
    for (const run of [steady, fastPolling]) {
      expect(run.accepted).toBeGreaterThan(0);
      expect(run.unfinished).toBe(0);
      expectOnlySagaBacklogRefusals(run.refusals);
      // The customers following their orders see them, without errors.
      expect(run.reads).toBeGreaterThan(0);
      expect(run.read_errors_by_cause).toEqual({});
    }
    // Nothing the ramp accepted is lost: every accepted order ended, and the database holds no other.
    expect(ramp.accepted + ramp.refused).toBe(ramp.offered);
    expect(ramp.unfinished).toBe(0);
    expect(ramp.ended).toBe(ramp.accepted);
    expect(ramp.placed_in_database).toBe(ramp.accepted);
    expectOnlySagaBacklogRefusals(ramp.refusals);
    const steps = ramp.steps.reduce((seconds: number, step: { seconds: number }) => seconds + step.seconds, 0);
    expect(ramp.timeline.length).toBeGreaterThanOrEqual(steps / ramp.slice_seconds);

    // Every order's followers saw it to its end (three frames at least), nothing ended in an error,
    // and the product watchers got the stock changes.
    const subscriptions = results.subscriptions;
    expect(subscriptions.orders).toBeGreaterThan(0);
    expect(subscriptions.orders_missing_their_end).toBe(0);
    expect(subscriptions.order_frames).toBeGreaterThanOrEqual(3 * subscriptions.orders);
    expect(subscriptions.product_frames).toBeGreaterThan(0);
    expect(subscriptions.errors).toBe(0);
    expect(subscriptions.delivery_p99_ms).toBeGreaterThanOrEqual(subscriptions.delivery_p50_ms);

    const markdown = await readFile(path.join(dir, 'latest.md'), 'utf8');
    expect(markdown).toContain('| ours | Q1 |');
    expect(markdown).toContain('## Saga scenarios');
    expect(markdown).toContain('## Subscriptions');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 300_000);
