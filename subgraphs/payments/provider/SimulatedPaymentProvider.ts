import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import {
  DeclineReason,
  PaymentProviderUnavailableError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from '../domain/PaymentProvider';

export interface SimulatedProviderBehaviour {
  /** Added to every call. */
  latencyMs: number;
  /** Share of calls (0..1) that fail with a transient fault. */
  transientFailureRate: number;
  /**
   * While a file exists at this path, every call fails as if the provider were
   * down (PAYMENT_PROVIDER_OUTAGE_FILE). A file, not a setting or an endpoint:
   * an operator or a chaos run switches the outage on and off for every
   * replica at once, with no restart and no port to open.
   */
  outageFile?: string;
}

/** The test card tokens of the public contract (contract/api.graphql, PaymentMethodInput). */
export function simulatedCardOutcome(
  cardToken: string,
): { outcome: 'succeeded' } | { outcome: 'declined'; reason: string } {
  if (cardToken === 'tok_decline') return { outcome: 'declined', reason: DeclineReason.PAYMENT_DECLINED };
  if (cardToken.startsWith('tok_')) return { outcome: 'succeeded' };
  return { outcome: 'declined', reason: DeclineReason.INVALID_CARD };
}

/** A key presented again with another request: a caller bug, never retried into success. */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
}

const LEDGER_COLUMNS = 'kind, outcome, decline_reason, provider_ref, refunded_ref, amount_cents, currency';

interface LedgerRow {
  kind: 'charge' | 'refund';
  outcome: 'succeeded' | 'declined';
  decline_reason: string | null;
  provider_ref: string | null;
  refunded_ref: string | null;
  amount_cents: number;
  currency: string | null;
}

/**
 * A card processor in a box. Its ledger (provider_charges) is written in its
 * own statements, never in the caller's transaction, as a real provider's
 * would be: a charge stays made when the caller crashes before committing.
 * The same idempotency key always returns the first answer.
 *
 * A simulated transient fault is, at random, either a request that never
 * arrived or one that was carried out but whose answer was lost: callers must
 * cope with both by asking again with the same key.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(
    private readonly db: DataSource,
    private readonly behaviour: SimulatedProviderBehaviour,
    private readonly random: () => number = Math.random,
  ) {}

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.call(async () => {
      const card = simulatedCardOutcome(request.cardToken);
      const ref = card.outcome === 'succeeded' ? `sim_ch_${randomUUID()}` : null;
      const reason = card.outcome === 'declined' ? card.reason : null;
      // The first answer for this key, in one statement: the new row, or the one already there.
      const [recorded] = (await this.db.query(
        `WITH inserted AS (
           INSERT INTO provider_charges (idempotency_key, kind, outcome, decline_reason, provider_ref, amount_cents, currency)
           VALUES ($1, 'charge', $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING ${LEDGER_COLUMNS}
         )
         SELECT ${LEDGER_COLUMNS} FROM inserted
         UNION ALL
         SELECT ${LEDGER_COLUMNS} FROM provider_charges
          WHERE idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
        [request.idempotencyKey, card.outcome, reason, ref, request.amountCents, request.currency],
      )) as LedgerRow[];
      // Neither: a twin call's row, committed after this statement's snapshot was taken. Read it now.
      const row = recorded ?? (await this.find(this.db.manager, request.idempotencyKey));
      if (row?.kind !== 'charge' || row.amount_cents !== request.amountCents || row.currency !== request.currency) {
        throw new IdempotencyKeyReusedError(`key ${request.idempotencyKey} was used for another request`);
      }
      return row.outcome === 'succeeded'
        ? { outcome: 'succeeded', providerRef: row.provider_ref as string }
        : { outcome: 'declined', reason: row.decline_reason as string };
    });
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.call(() =>
      this.db.transaction(async (tx) => {
        const existing = await this.find(tx, request.idempotencyKey);
        if (existing) return this.sameRefund(existing, request);
        // Locks the charge, so concurrent refunds of it cannot together return more than it took.
        const [charge] = (await tx.query(
          `SELECT amount_cents FROM provider_charges
            WHERE provider_ref = $1 AND kind = 'charge' AND outcome = 'succeeded' FOR UPDATE`,
          [request.providerRef],
        )) as { amount_cents: number }[];
        if (!charge) throw new Error(`no successful charge ${request.providerRef} to refund`);
        const [{ refunded }] = (await tx.query(
          `SELECT coalesce(sum(amount_cents), 0)::int AS refunded FROM provider_charges
            WHERE refunded_ref = $1 AND kind = 'refund'`,
          [request.providerRef],
        )) as { refunded: number }[];
        if (refunded + request.amountCents > charge.amount_cents) {
          throw new Error(`refund of ${request.amountCents} exceeds what is left of charge ${request.providerRef}`);
        }
        const ref = `sim_re_${randomUUID()}`;
        await tx.query(
          `INSERT INTO provider_charges (idempotency_key, kind, outcome, provider_ref, refunded_ref, amount_cents)
           VALUES ($1, 'refund', 'succeeded', $2, $3, $4)`,
          [request.idempotencyKey, ref, request.providerRef, request.amountCents],
        );
        return { providerRef: ref };
      }),
    );
  }

  private sameRefund(row: LedgerRow, request: RefundRequest): RefundResult {
    if (row.kind !== 'refund' || row.refunded_ref !== request.providerRef || row.amount_cents !== request.amountCents) {
      throw new IdempotencyKeyReusedError(`key ${request.idempotencyKey} was used for another request`);
    }
    return { providerRef: row.provider_ref as string };
  }

  private async find(db: EntityManager, key: string): Promise<LedgerRow | undefined> {
    const [row] = (await db.query(`SELECT ${LEDGER_COLUMNS} FROM provider_charges WHERE idempotency_key = $1`, [
      key,
    ])) as LedgerRow[];
    return row;
  }

  private async call<T>(act: () => Promise<T>): Promise<T> {
    if (this.behaviour.latencyMs > 0) await sleep(this.behaviour.latencyMs);
    // One stat per call: cheap next to the ledger statement each call makes anyway.
    if (this.behaviour.outageFile && existsSync(this.behaviour.outageFile)) {
      throw new PaymentProviderUnavailableError('simulated provider: outage');
    }
    const fault = this.random() < this.behaviour.transientFailureRate;
    if (fault && this.random() < 0.5) throw new PaymentProviderUnavailableError('simulated provider: unavailable');
    const result = await act();
    if (fault) throw new PaymentProviderUnavailableError('simulated provider: timed out after the request was sent');
    return result;
  }
}
