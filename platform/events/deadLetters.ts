import { headers as natsHeaders, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from '../logger';
import { deadLetterStream, deadLetterSubject, streamOf } from './naming';

/** A message in the namespace's dead-letter stream, with what EventConsumer.fail wrote on it. */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream: the id an operator names it by. */
  seq: number;
  /** The stream and subject the event was read from, where a replay puts it again. */
  stream: string;
  subject: string;
  /** The envelope's id; undefined when the data is not an envelope (then it was dead-lettered as such). */
  eventId?: string;
  consumer: string;
  reason: string;
  deliveries?: number;
  deadLetteredAt: Date;
  data: Uint8Array;
}

/**
 * Writes a copy of a message a consumer gives up on to the dead-letter stream: the one place that
 * writes what toDeadLetter reads. Its Nats-Msg-Id carries the message's stream sequence, so a
 * replayed event that fails again is a new dead letter, not a duplicate of the first one (the
 * dead-letter stream's dedupe window would drop it).
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  prefix: string,
  letter: { consumer: string; message: JsMsg; type: string; eventId?: string; reason: string },
): Promise<void> {
  const { consumer, message, type, eventId, reason } = letter;
  const h = natsHeaders();
  h.set('Dead-Letter-Reason', reason.slice(0, 500));
  h.set('Dead-Letter-Consumer', consumer);
  h.set('Original-Subject', message.subject);
  h.set('Deliveries', String(message.info.deliveryCount));
  await js.publish(deadLetterSubject(prefix, consumer, type), message.data, {
    headers: h,
    msgID: `${consumer}:${eventId ?? 'unparseable'}:${message.seq}`,
  });
}

/** How long a listing waits for the dead letters the stream said it holds (some may be deleted meanwhile). */
const READ_TIMEOUT_MS = 5_000;

/** Every dead letter of the namespace, oldest first; none when the stream does not exist yet. */
export async function listDeadLetters(nc: NatsConnection, prefix: string): Promise<DeadLetter[]> {
  const stream = deadLetterStream(prefix);
  const jsm = await nc.jetstreamManager();
  let count: number;
  try {
    count = (await jsm.streams.info(stream)).state.messages;
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) return [];
    throw error;
  }
  if (count === 0) return [];
  // An ordered consumer reads past the holes that replays and drops leave in the sequence.
  const consumer = await nc.jetstream().consumers.get(stream);
  const letters: DeadLetter[] = [];
  for await (const message of await consumer.fetch({ max_messages: count, expires: READ_TIMEOUT_MS })) {
    letters.push(toDeadLetter(prefix, message));
    if (message.info.pending === 0) break;
  }
  return letters;
}

/**
 * The dead letters an operator's id names: a dead-letter sequence number names one, an event id
 * every dead letter of that event (each consumer that gave up on it left one).
 */
export function selectDeadLetters(letters: DeadLetter[], id: string): DeadLetter[] {
  if (/^\d+$/.test(id)) return letters.filter((letter) => letter.seq === Number(id));
  return letters.filter((letter) => letter.eventId === id);
}

/**
 * Republishes a dead letter to its original subject, so it lands in its original stream and every
 * consumer of that stream gets it again: the one that gave up handles it, the others' inboxes
 * skip it (the envelope id is unchanged). Its Nats-Msg-Id cannot collide with the original's
 * dedupe entry (the event id), yet a second replay of the same dead letter (after a crash between
 * the publish and the delete) is a duplicate JetStream drops. The dead letter is deleted only
 * once the publish is acknowledged. Returns whether JetStream took it as a duplicate.
 */
export async function replayDeadLetter(
  nc: NatsConnection,
  prefix: string,
  letter: DeadLetter,
  log: Logger,
): Promise<boolean> {
  if (letter.subject === '-' || letter.stream === '-') {
    throw new Error(`dead letter ${letter.seq} names no original subject of this namespace: drop it instead`);
  }
  const h = natsHeaders();
  h.set('Replayed-From', `${deadLetterStream(prefix)}:${letter.seq}`);
  const ack = await nc.jetstream().publish(letter.subject, letter.data, {
    msgID: `replay:${letter.seq}:${letter.eventId ?? '-'}`,
    headers: h,
    expect: { streamName: letter.stream },
  });
  await deleteDeadLetter(nc, prefix, letter);
  log.info({ ...described(letter), streamSeq: ack.seq, duplicate: ack.duplicate }, 'dead letter replayed');
  return ack.duplicate;
}

/** Deletes a dead letter for good, with a log line saying what it was and why it was there. */
export async function dropDeadLetter(
  nc: NatsConnection,
  prefix: string,
  letter: DeadLetter,
  log: Logger,
): Promise<void> {
  await deleteDeadLetter(nc, prefix, letter);
  log.warn(described(letter), 'dead letter dropped');
}

/** A dead letter as a log line names it (its data stays out: it may hold personal data). */
function described(letter: DeadLetter) {
  const { seq, stream, subject, eventId, consumer, reason, deliveries, deadLetteredAt } = letter;
  return { deadLetterSeq: seq, stream, subject, eventId, consumer, reason, deliveries, deadLetteredAt };
}

/** One already gone (another operator was faster) is no error. */
async function deleteDeadLetter(nc: NatsConnection, prefix: string, letter: DeadLetter): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.deleteMessage(deadLetterStream(prefix), letter.seq, false);
  } catch (error) {
    if (!/no message found/i.test((error as Error).message)) throw error;
  }
}

function toDeadLetter(prefix: string, message: JsMsg): DeadLetter {
  const header = (name: string) => message.headers?.get(name) || undefined;
  const subject = header('Original-Subject') ?? '-';
  const deliveries = Number(header('Deliveries'));
  return {
    seq: message.seq,
    stream: originalStream(prefix, subject),
    subject,
    eventId: envelopeId(message.data),
    consumer: header('Dead-Letter-Consumer') ?? '-',
    reason: header('Dead-Letter-Reason') ?? '-',
    deliveries: Number.isFinite(deliveries) && deliveries > 0 ? deliveries : undefined,
    deadLetteredAt: new Date(message.info.timestampNanos / 1e6),
    data: message.data,
  };
}

/** `<prefix>.orders.placed` is read from `<prefix>_orders` (naming.ts: one stream per producing domain). */
function originalStream(prefix: string, subject: string): string {
  if (!subject.startsWith(`${prefix}.`)) return '-';
  const domain = subject.slice(prefix.length + 1).split('.')[0];
  return domain ? streamOf(prefix, domain) : '-';
}

function envelopeId(data: Uint8Array): string | undefined {
  try {
    const id = (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
