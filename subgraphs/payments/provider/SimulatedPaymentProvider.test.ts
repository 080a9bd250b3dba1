import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { dropDatabase, openDatabase } from '../../../platform/db/database';
import { TEST_DATABASE_URL, testNamespace } from '../../../test/support/testEnv';
import { migrations } from '../db/migrations';
import { PaymentProviderUnavailableError } from '../domain/PaymentProvider';
import { IdempotencyKeyReusedError, SimulatedPaymentProvider, simulatedCardOutcome } from './SimulatedPaymentProvider';

const database = `${testNamespace().prefix}_provider`;
let db: DataSource;

beforeAll(async () => {
  db = await openDatabase({
    serverUrl: TEST_DATABASE_URL,
    database,
    entities: [],
    migrations,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await dropDatabase(TEST_DATABASE_URL, database);
});

const reliable = () => new SimulatedPaymentProvider(db, { latencyMs: 0, transientFailureRate: 0 });
/** Fails every call; the second die decides whether before (< 0.5) or after (>= 0.5) acting. */
const faulty = (dice: number[]) =>
  new SimulatedPaymentProvider(db, { latencyMs: 0, transientFailureRate: 1 }, () => dice.shift() ?? 0);
const charge = (cardToken: string, idempotencyKey = randomUUID()) => ({
  idempotencyKey,
  amountCents: 1999,
  currency: 'USD',
  cardToken,
});

async function ledgerRows(key: string): Promise<number> {
  const rows = (await db.query('SELECT 1 FROM provider_charges WHERE idempotency_key = $1', [key])) as unknown[];
  return rows.length;
}

describe('the simulated provider', () => {
  it('accepts the test card tokens of the contract: any "tok_" but tok_decline succeeds, anything else is no card', () => {
    expect(simulatedCardOutcome('tok_visa')).toEqual({ outcome: 'succeeded' });
    expect(simulatedCardOutcome('tok_mastercard')).toEqual({ outcome: 'succeeded' });
    expect(simulatedCardOutcome('tok_decline')).toEqual({ outcome: 'declined', reason: 'PAYMENT_DECLINED' });
    expect(simulatedCardOutcome('4242424242424242')).toEqual({ outcome: 'declined', reason: 'INVALID_CARD' });
  });

  it('answers a repeated key with the first answer and records one charge', async () => {
    const provider = reliable();
    const request = charge('tok_visa');

    const first = await provider.charge(request);
    const again = await provider.charge(request);
    const declined = charge('tok_decline');

    expect(first).toEqual({ outcome: 'succeeded', providerRef: expect.stringMatching(/^sim_ch_/) });
    expect(again).toEqual(first);
    expect(await ledgerRows(request.idempotencyKey)).toBe(1);
    expect(await provider.charge(declined)).toEqual({ outcome: 'declined', reason: 'PAYMENT_DECLINED' });
    expect(await provider.charge(declined)).toEqual({ outcome: 'declined', reason: 'PAYMENT_DECLINED' });
  });

  it('refuses a key presented again with another amount', async () => {
    const provider = reliable();
    const request = charge('tok_visa');
    await provider.charge(request);

    await expect(provider.charge({ ...request, amountCents: 1 })).rejects.toThrow(IdempotencyKeyReusedError);
  });

  it('refunds a charge once per key and never more than it took', async () => {
    const provider = reliable();
    const made = await provider.charge(charge('tok_visa'));
    const providerRef = made.outcome === 'succeeded' ? made.providerRef : '';
    const refund = { idempotencyKey: `refund:${randomUUID()}`, providerRef, amountCents: 1999 };

    const first = await provider.refund(refund);
    const again = await provider.refund(refund);

    expect(first.providerRef).toMatch(/^sim_re_/);
    expect(again).toEqual(first);
    await expect(provider.refund({ ...refund, idempotencyKey: 'refund:another' })).rejects.toThrow(/exceeds/);
    await expect(provider.refund({ ...refund, idempotencyKey: 'x', providerRef: 'sim_ch_unknown' })).rejects.toThrow(
      /no successful charge/,
    );
  });

  it('fails transiently before or after charging; asked again with the same key it charges once', async () => {
    const lostAnswer = charge('tok_visa');
    const neverArrived = charge('tok_visa');

    // 0 < rate: a fault; then >= 0.5: the charge was made but its answer is lost.
    await expect(faulty([0, 0.7]).charge(lostAnswer)).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(faulty([0, 0.2]).charge(neverArrived)).rejects.toThrow(PaymentProviderUnavailableError);

    expect(await ledgerRows(lostAnswer.idempotencyKey)).toBe(1);
    expect(await ledgerRows(neverArrived.idempotencyKey)).toBe(0);
    const retried = await reliable().charge(lostAnswer);
    expect(retried.outcome).toBe('succeeded');
    expect(await ledgerRows(lostAnswer.idempotencyKey)).toBe(1);
  });

  it('fails every call while its outage file exists, charging nothing, and works again once it is gone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'provider-outage-'));
    const outageFile = path.join(dir, 'outage');
    try {
      const provider = new SimulatedPaymentProvider(db, { latencyMs: 0, transientFailureRate: 0, outageFile });
      const made = await provider.charge(charge('tok_visa'));
      const providerRef = made.outcome === 'succeeded' ? made.providerRef : '';
      const request = charge('tok_visa');
      await writeFile(outageFile, '');

      await expect(provider.charge(request)).rejects.toThrow(PaymentProviderUnavailableError);
      await expect(provider.charge(charge('tok_decline'))).rejects.toThrow(PaymentProviderUnavailableError);
      await expect(
        provider.refund({ idempotencyKey: `refund:${randomUUID()}`, providerRef, amountCents: 1999 }),
      ).rejects.toThrow(PaymentProviderUnavailableError);
      expect(await ledgerRows(request.idempotencyKey)).toBe(0);

      await rm(outageFile);
      expect((await provider.charge(request)).outcome).toBe('succeeded');
      expect(await ledgerRows(request.idempotencyKey)).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
