/**
 * The id of a frame: where in each stream it followed the subscription had
 * got to, `orders:1234` (several streams: `inventory:55,products:7`). A
 * client that comes back with it (SSE `Last-Event-ID`, graphql-ws
 * `extensions.lastEventId`) gets the changes after it, read again from the streams.
 */
export type EventPositions = Map<string, number>;

const PART = /^([a-z]+):(\d{1,15})$/;

/** An id a client sends back; anything malformed resumes nothing (the subscription starts afresh). */
export function parseEventId(id: string | undefined): EventPositions | undefined {
  if (id === undefined || id.length > 200) return undefined;
  const positions: EventPositions = new Map();
  for (const part of id.split(',')) {
    const match = PART.exec(part.trim());
    if (!match) return undefined;
    positions.set(match[1], Number(match[2]));
  }
  return positions;
}

export function formatEventId(positions: EventPositions): string {
  return [...positions].map(([domain, seq]) => `${domain}:${seq}`).join(',');
}
