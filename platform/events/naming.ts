/**
 * Names on the bus, all under EVENTS_PREFIX so that test runs and
 * deployments sharing a NATS server never see each other's events:
 * subject `<prefix>.orders.placed`, stream `<prefix>_orders` per producing domain.
 */
export function subjectOf(prefix: string, type: string): string {
  return `${prefix}.${type}`;
}

export function streamOf(prefix: string, domain: string): string {
  return `${prefix}_${domain}`;
}

export function domainSubjects(prefix: string, domain: string): string {
  return `${prefix}.${domain}.>`;
}

export function deadLetterStream(prefix: string): string {
  return `${prefix}_deadletter`;
}

export function deadLetterSubject(prefix: string, consumer: string, type: string): string {
  return `${prefix}.deadletter.${consumer}.${type.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}
