import http from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { listen, type Listening } from '../../platform/http/listen';
import { createLogger } from '../../platform/logger';
import { concurrencyCap } from './concurrencyCap';

let server: Listening;
let registry: Registry;
let url: string;
/** Requests the handler holds until released: they are in flight. */
const held: (() => void)[] = [];

beforeEach(async () => {
  registry = new Registry();
  const app = express();
  app.use('/graphql', concurrencyCap(2, registry, createLogger('test', 'silent')), (req, res) => {
    if (req.get('accept') === 'text/event-stream') return void res.json({ stream: true });
    held.push(() => res.json({ data: { ok: true } }));
  });
  server = await listen(app, '127.0.0.1', 0);
  url = `http://127.0.0.1:${server.port}/graphql`;
});

afterEach(async () => {
  held.splice(0).forEach((release) => release());
  await server.close();
});

const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;

async function whenHeld(count: number): Promise<void> {
  while (held.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the concurrency cap', () => {
  it('answers 503 with Retry-After beyond the cap, counts the refusal, and admits again once one ends', async () => {
    const first = fetch(url, { method: 'POST' });
    const second = fetch(url, { method: 'POST' });
    await whenHeld(2);
    expect(await metric('gateway_requests_in_flight')).toBe(2);

    // Answered at once: without the cap it would be held with the others, and time out here.
    const third = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(2_000) });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toEqual({
      errors: [
        {
          message: 'The gateway is at capacity, try again shortly',
          extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'concurrency' },
        },
      ],
    });
    expect(await metric('gateway_requests_refused_total')).toBe(1);

    held.shift()!();
    expect((await first).status).toBe(200);
    const fourth = fetch(url, { method: 'POST' });
    await whenHeld(2);
    expect(await metric('gateway_requests_in_flight')).toBe(2);
    held.splice(0).forEach((release) => release());
    expect([(await second).status, (await fourth).status]).toEqual([200, 200]);
    expect(await metric('gateway_requests_in_flight')).toBe(0);
  });

  it('gives back the place of a client that goes away before its answer', async () => {
    const abandoned = http.request(url, { method: 'POST' });
    abandoned.on('error', () => undefined);
    abandoned.end();
    await whenHeld(1);
    expect(await metric('gateway_requests_in_flight')).toBe(1);
    abandoned.destroy();
    while ((await metric('gateway_requests_in_flight')) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    held.shift();
    expect(await metric('gateway_requests_in_flight')).toBe(0);
  });

  it('does not count SSE subscription streams, which have caps of their own', async () => {
    const first = fetch(url, { method: 'POST' });
    const second = fetch(url, { method: 'POST' });
    await whenHeld(2);
    const stream = await fetch(url, { method: 'POST', headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    expect(await metric('gateway_requests_refused_total')).toBe(0);
    held.splice(0).forEach((release) => release());
    await Promise.all([first, second]);
  });
});
