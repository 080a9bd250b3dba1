import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Postgres server tests use: the machine's own unless DATABASE_URL says otherwise. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** 16 MiB per stream: a test's four streams reserve 64 MiB of the shared NATS store, not 4 GiB. */
export const TEST_STREAM_MAX_BYTES = String(16 * 1_048_576);

/** A unique namespace for one test run: database prefix, event prefix, data folder. */
export function testNamespace(): { prefix: string; dataDir: string } {
  const prefix = `t_${randomBytes(5).toString('hex')}`;
  return { prefix, dataDir: mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)) };
}
