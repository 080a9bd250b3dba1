import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { createEvent, type EventContract, type EventEnvelope } from '../../platform/events/envelope';
import { deleteEventNamespace as deleteStreams, ensureDomainStream } from '../../platform/events/domainStreams';
import {
  listDeadLetters,
  publishDeadLetter,
  replayDeadLetter,
  selectDeadLetters,
} from '../../platform/events/deadLetters';
import { deadLetterStream, streamOf, subjectOf } from '../../platform/events/naming';
import { createLogger } from '../../platform/logger';
import { TEST_NATS_URL } from './testEnv';

export interface DeadLetter {
  eventId?: string;
  consumer?: string;
  deliveries?: string;
  reason?: string;
}

/**
 * Publishes events as another service would and reads what a service
 * published, straight from the JetStream streams of a test's namespace.
 */
export class EventProbe {
  private constructor(
    private readonly nc: NatsConnection,
    readonly prefix: string,
  ) {}

  /** `nats`: a URL, or the options of an authenticated server's admin (TestNatsServer.connectionOptions()). */
  static async connect(prefix: string, nats: string | ConnectionOptions = TEST_NATS_URL): Promise<EventProbe> {
    return new EventProbe(await connect(typeof nats === 'string' ? { servers: nats } : nats), prefix);
  }

  /** Publishes an event (creating the producer's stream if needed); returns the envelope sent. */
  async publish<T>(
    contract: EventContract<T>,
    data: T,
    options: { subject?: string; msgId?: string } = {},
  ): Promise<EventEnvelope<T>> {
    const domain = contract.type.split('.')[0];
    await this.ensureStream(domain);
    const event = createEvent(contract, { source: 'test', subject: options.subject ?? 'test', data });
    await this.publishEnvelope(event, options.msgId);
    return event;
  }

  /** Publishes an envelope as it is (to send the same event twice, say). */
  async publishEnvelope(event: EventEnvelope, msgId = event.id): Promise<void> {
    await this.nc.jetstream().publish(subjectOf(this.prefix, event.type), JSON.stringify(event), { msgID: msgId });
  }

  /** Every event on a domain's stream so far, oldest first. */
  async events(domain: string): Promise<EventEnvelope[]> {
    const jsm = await this.nc.jetstreamManager();
    let info;
    try {
      info = await jsm.streams.info(streamOf(this.prefix, domain));
    } catch {
      return [];
    }
    const out: EventEnvelope[] = [];
    if (info.state.messages === 0) return out;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(streamOf(this.prefix, domain), { seq }).catch(() => undefined);
      if (message) out.push(JSON.parse(new TextDecoder().decode(message.data)) as EventEnvelope);
    }
    return out;
  }

  /** What reached the dead-letter stream, with who gave up on it and after how many deliveries. */
  async deadLetters(): Promise<DeadLetter[]> {
    const jsm = await this.nc.jetstreamManager();
    const stream = deadLetterStream(this.prefix);
    let info;
    try {
      info = await jsm.streams.info(stream);
    } catch {
      return [];
    }
    const out: DeadLetter[] = [];
    if (info.state.messages === 0) return out;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (!message) continue;
      let eventId: string | undefined;
      try {
        eventId = (JSON.parse(new TextDecoder().decode(message.data)) as { id?: string }).id;
      } catch {
        // not JSON: a poison message of another kind
      }
      out.push({
        eventId,
        consumer: message.header?.get('Dead-Letter-Consumer'),
        deliveries: message.header?.get('Deliveries'),
        reason: message.header?.get('Dead-Letter-Reason'),
      });
    }
    return out;
  }

  /**
   * Takes an event from a durable consumer whose service is stopped and moves
   * it to the dead letters as that consumer does when it gives up (a copy
   * with the same headers, then term): the state a real dead-lettering leaves.
   * Other messages it meets go back to the consumer at once.
   */
  async deadLetterFrom(consumer: string, domain: string, eventId: string, timeoutMs = 10_000): Promise<void> {
    const js = this.nc.jetstream();
    const durable = await js.consumers.get(streamOf(this.prefix, domain), consumer);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const batch = await durable.fetch({ max_messages: 50, expires: 1_000 });
      for await (const message of batch) {
        const event = JSON.parse(new TextDecoder().decode(message.data)) as EventEnvelope;
        if (event.id !== eventId) {
          message.nak();
          continue;
        }
        await publishDeadLetter(js, this.prefix, {
          consumer,
          message,
          type: event.type,
          eventId: event.id,
          reason: 'moved to the dead letters by a test',
        });
        message.term();
        return;
      }
    }
    throw new Error(`event ${eventId} did not reach ${consumer} within ${timeoutMs} ms`);
  }

  /** Replays every dead letter of an event as `npm run events -- replay <event id>` does; returns how many. */
  async replay(eventId: string): Promise<number> {
    const letters = selectDeadLetters(await listDeadLetters(this.nc, this.prefix), eventId);
    for (const letter of letters) await replayDeadLetter(this.nc, this.prefix, letter, createLogger('test', 'silent'));
    return letters.length;
  }

  /** Waits for the first event of a type (and matching a predicate) on its producer's stream. */
  async waitFor<T>(
    contract: EventContract<T>,
    matches: (data: T) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<EventEnvelope<T>> {
    const domain = contract.type.split('.')[0];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.events(domain)).find((e) => e.type === contract.type && matches(e.data as T));
      if (found) return found as EventEnvelope<T>;
      if (Date.now() > deadline) throw new Error(`no ${contract.type} event within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async ensureStream(domain: string): Promise<void> {
    await ensureDomainStream(await this.nc.jetstreamManager(), this.prefix, domain);
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/** Removes a test namespace's streams (tests clean up after themselves). */
export async function deleteEventNamespace(prefix: string, url = TEST_NATS_URL): Promise<void> {
  await deleteStreams(url, prefix);
}
