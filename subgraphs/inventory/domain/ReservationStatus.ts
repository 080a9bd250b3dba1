/**
 * Where the reservation of one order line is. RESERVED holds units for an
 * open order; a paid order COMMITS them (sold), a failed or cancelled one
 * RELEASES them, and a refund after the sale RESTOCKS them. Stored as text in
 * reservations.status, whose CHECK lists the same four.
 */
export enum ReservationStatus {
  RESERVED = 'RESERVED',
  COMMITTED = 'COMMITTED',
  RELEASED = 'RELEASED',
  RESTOCKED = 'RESTOCKED',
}
