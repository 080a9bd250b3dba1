import type { EventContract } from '../../../platform/events/envelope';
import type { EventHandler } from '../../../platform/events/eventConsumer';
import type { SagaOutcome } from '../domain/reservationTransitions';
import type { ReservationService } from '../ReservationService';

/** A handler that applies an outcome of the saga to the order's reservations; it publishes nothing. */
export function settleReservations(
  contract: EventContract<{ orderId: string }>,
  outcome: SagaOutcome,
  reservations: ReservationService,
): EventHandler {
  return async (event, commit) => {
    const { orderId } = contract.read(event);
    await commit(async (tx) => {
      await reservations.settle(tx, orderId, outcome);
    });
  };
}
