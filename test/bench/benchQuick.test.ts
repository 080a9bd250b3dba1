import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm run bench -- --quick` works end to end: every gateway answers every
 * operation without errors and the results file has the agreed shape. It
 * proves the bench runs; it asserts no speed (2-second windows on a shared
 * 2-core machine say nothing about speed).
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
    // More than the machine takes is refused by placeOrder's admission control, and by nothing else.
    for (const cause of Object.keys(results.saga.refusals)) {
      expect(cause).toBe('HTTP 200 SERVICE_UNAVAILABLE: Too many orders are being processed; try again shortly');
    }
    expect(await readFile(path.join(dir, 'latest.md'), 'utf8')).toContain('| ours | Q1 |');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 300_000);
