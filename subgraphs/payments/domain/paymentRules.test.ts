import { DeclineReason } from './PaymentProvider';
import { PaymentStatus } from './PaymentStatus';
import {
  assertTransition,
  canTransition,
  cancellationStep,
  chargeStep,
  IllegalPaymentTransitionError,
  settlementOf,
} from './paymentRules';

const { PENDING, SUCCEEDED, FAILED, REFUNDED } = PaymentStatus;

describe('payment transitions', () => {
  it('lets a PENDING payment succeed or fail and a SUCCEEDED one be refunded', () => {
    expect(canTransition(PENDING, SUCCEEDED)).toBe(true);
    expect(canTransition(PENDING, FAILED)).toBe(true);
    expect(canTransition(SUCCEEDED, REFUNDED)).toBe(true);
  });

  it('never moves a FAILED or REFUNDED payment, never refunds money not taken and never un-settles', () => {
    for (const to of Object.values(PaymentStatus)) {
      expect(canTransition(FAILED, to)).toBe(false);
      expect(canTransition(REFUNDED, to)).toBe(false);
    }
    expect(canTransition(PENDING, REFUNDED)).toBe(false);
    expect(canTransition(SUCCEEDED, FAILED)).toBe(false);
    expect(canTransition(SUCCEEDED, PENDING)).toBe(false);
    expect(() => assertTransition(FAILED, REFUNDED)).toThrow(IllegalPaymentTransitionError);
    expect(() => assertTransition(SUCCEEDED, REFUNDED)).not.toThrow();
  });
});

describe('settling a charge', () => {
  it("makes an accepted charge SUCCEEDED with the provider's reference and a declined one FAILED with its reason", () => {
    expect(settlementOf({ outcome: 'succeeded', providerRef: 'sim_ch_1' })).toEqual({
      status: SUCCEEDED,
      providerRef: 'sim_ch_1',
    });
    expect(settlementOf({ outcome: 'declined', reason: DeclineReason.PAYMENT_DECLINED })).toEqual({
      status: FAILED,
      failureReason: 'PAYMENT_DECLINED',
    });
  });
});

describe('reserved stock asks for a charge', () => {
  const open = { cancelled: false };
  const cancelled = { cancelled: true };

  it('waits for the order when its intent has not arrived yet', () => {
    expect(chargeStep(null, null)).toBe('await-intent');
  });

  it('starts a charge for an open order without a payment, and takes no money for a cancelled one', () => {
    expect(chargeStep(open, null)).toBe('start');
    expect(chargeStep(cancelled, null)).toBe('skip-cancelled');
  });

  it('resumes a PENDING payment with its own key, even after a cancellation, so taken money is never forgotten', () => {
    expect(chargeStep(open, PENDING)).toBe('resume');
    expect(chargeStep(cancelled, PENDING)).toBe('resume');
  });

  it('charges nothing once the attempt ended', () => {
    for (const status of [SUCCEEDED, FAILED, REFUNDED]) {
      expect(chargeStep(open, status)).toBe('already-settled');
      expect(chargeStep(cancelled, status)).toBe('already-settled');
    }
  });
});

describe('a cancelled order', () => {
  it('refunds a SUCCEEDED payment, waits for a PENDING one and leaves the rest alone', () => {
    expect(cancellationStep(SUCCEEDED)).toBe('refund');
    expect(cancellationStep(PENDING)).toBe('await-charge');
    expect(cancellationStep(null)).toBe('nothing');
    expect(cancellationStep(FAILED)).toBe('nothing');
    expect(cancellationStep(REFUNDED)).toBe('nothing');
  });
});
