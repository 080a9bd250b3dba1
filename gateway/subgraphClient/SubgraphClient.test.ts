import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { eventually } from '../../test/support/eventually';
import { createSubgraphClientMetrics } from './subgraphClientMetrics';
import { SubgraphInstances } from './SubgraphInstances';
import { TEST_CLIENT_SETTINGS, testLog, testSubgraphClient } from '../../test/support/testSubgraphClient';

/** A real HTTP server that answers each request as the test says, counting them. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const received: string[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((resolve) => srv.close(resolve)) };
}

/** Resolves once `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const clientFor = (urls: string[], overrides: Partial<typeof TEST_CLIENT_SETTINGS> = {}) =>
  testSubgraphClient('products', urls, overrides);

describe('SubgraphClient', () => {
  it('sends a query once more after a dropped connection, never a mutation', async () => {
    const crashing = await server((req) => req.socket.destroy());
    const { client, instances } = await clientFor([crashing.url]);
    try {
      await expect(client.post('{"query":"{ a }"}', {}, true)).rejects.toMatchObject({ reason: 'unreachable' });
      expect(crashing.received).toHaveLength(2);
      await expect(client.post('{"query":"mutation { a }"}', {}, false)).rejects.toMatchObject({
        reason: 'unreachable',
      });
      expect(crashing.received).toHaveLength(3);
    } finally {
      await instances.close();
      await crashing.close();
    }
  });

  it('retries a query on the other instance, which answers', async () => {
    const crashing = await server((req) => req.socket.destroy());
    const healthy = await server((_req, res) => res.setHeader('content-type', 'application/json').end('{"data":{}}'));
    const { client, instances } = await clientFor([crashing.url, healthy.url]);
    try {
      for (let i = 0; i < 4; i++) await expect(client.post('{}', {}, true)).resolves.toMatchObject({ status: 200 });
      expect(healthy.received).toHaveLength(4);
      expect(crashing.received.length).toBeGreaterThan(0);
    } finally {
      await instances.close();
      await Promise.all([crashing.close(), healthy.close()]);
    }
  });

  it('gives up at the deadline on an instance that never answers, without retrying', async () => {
    const hanging = await server(() => undefined);
    const { client, instances } = await clientFor([hanging.url]);
    try {
      await expect(client.post('{}', {}, true)).rejects.toMatchObject({ reason: 'timeout' });
      expect(hanging.received).toHaveLength(1);
    } finally {
      await instances.close().catch(() => undefined);
      await hanging.close();
    }
  });

  it('opens an instance breaker after consecutive failures, then fails fast without calling it', async () => {
    const failing = await server((_req, res) => res.writeHead(503).end('down'));
    const { client, instances, metrics } = await clientFor([failing.url], { breakerFailures: 2 });
    try {
      for (let i = 0; i < 2; i++)
        await expect(client.post('{}', {}, true)).rejects.toMatchObject({ reason: 'bad_status' });
      await expect(client.post('{}', {}, true)).rejects.toMatchObject({ reason: 'circuit_open' });
      expect(failing.received).toHaveLength(2);
      expect((await metrics.breakerState.get()).values[0].value).toBe(1);
    } finally {
      await instances.close();
      await failing.close();
    }
  });

  it('lets one probe through an open breaker after the half-open delay: a failed probe keeps it open, a good one closes it', async () => {
    // The instance fails until the test heals it; a probe's answer can be held to see what happens meanwhile.
    let healthy = false;
    let holdNext = false;
    const held: http.ServerResponse[] = [];
    const answer = (res: http.ServerResponse) =>
      healthy ? res.setHeader('content-type', 'application/json').end('{"data":{}}') : res.writeHead(503).end('down');
    const instance = await server((_req, res) => (holdNext ? ((holdNext = false), held.push(res)) : answer(res)));
    // A deadline long enough for a held probe to be answered by the test, not timed out.
    const { client, instances, metrics } = await clientFor([instance.url], {
      breakerFailures: 2,
      breakerHalfOpenAfterMs: 500,
      timeoutMs: 10_000,
    });
    const breakerState = async () => (await metrics.breakerState.get()).values[0].value;
    const reasonOf = (call: Promise<unknown>) =>
      call.then(
        () => 'answered',
        (failure: { reason: string }) => failure.reason,
      );
    /** Calls until one reaches the instance (the probe), checking every call before it was refused unsent. */
    const untilProbe = async () => {
      const reached = instance.received.length;
      const refusedUnsent: string[] = [];
      let probe: Promise<string> | undefined;
      await eventually(async () => {
        let settled = false;
        const call = reasonOf(client.post('{}', {}, true)).finally(() => (settled = true));
        // The probe is the call that got to the instance; it may be held there, so it is not awaited here.
        await until(() => settled || instance.received.length > reached);
        if (instance.received.length > reached) {
          probe = call;
          return true;
        }
        refusedUnsent.push(await call);
        return false;
      }, 5_000);
      return { probe: probe!, refusedUnsent };
    };
    try {
      for (let i = 0; i < 2; i++) expect(await reasonOf(client.post('{}', {}, true))).toBe('bad_status');
      expect(await breakerState()).toBe(1);
      // Open: refused at once, and nothing reaches the instance.
      expect(await reasonOf(client.post('{}', {}, true))).toBe('circuit_open');
      expect(instance.received).toHaveLength(2);

      // The half-open delay passes: one probe reaches the failing instance, and the breaker stays open.
      const failed = await untilProbe();
      expect(failed.refusedUnsent.every((reason) => reason === 'circuit_open')).toBe(true);
      expect(await failed.probe).toBe('bad_status');
      expect(instance.received).toHaveLength(3);
      expect(await breakerState()).toBe(1);
      expect(await reasonOf(client.post('{}', {}, true))).toBe('circuit_open');
      expect(instance.received).toHaveLength(3);

      // Healed: the next probe is held at the instance; while it is out the breaker is half-open and other
      // calls are refused without being sent. Its success closes the breaker.
      healthy = true;
      holdNext = true;
      const good = await untilProbe();
      expect(good.refusedUnsent.every((reason) => reason === 'circuit_open')).toBe(true);
      expect(await breakerState()).toBe(2);
      expect(await reasonOf(client.post('{}', {}, true))).toBe('circuit_open');
      expect(instance.received).toHaveLength(4);
      answer(held[0]);
      expect(await good.probe).toBe('answered');
      expect(await breakerState()).toBe(0);
      for (let i = 0; i < 3; i++) expect(await reasonOf(client.post('{}', {}, true))).toBe('answered');
      expect(instance.received).toHaveLength(7);
    } finally {
      await instances.close();
      await instance.close();
    }
  });
});

describe('SubgraphClient with an in-flight limit', () => {
  it('refuses a call at once when every instance is at its limit, instead of queueing it', async () => {
    // The subgraph holds its answers until the test lets them go, so a queued call could never get room.
    const held: http.ServerResponse[] = [];
    const answer = (res: http.ServerResponse) => res.setHeader('content-type', 'application/json').end('{"data":{}}');
    let holding = true;
    const slow = await server((_req, res) => (holding ? held.push(res) : answer(res)));
    const { client, instances } = await clientFor([slow.url], { maxInFlight: 2 });
    try {
      const settled = [false, false, false];
      const calls = ['{ a }', '{ b }', '{ c }'].map((q, i) => {
        const call = client.post(JSON.stringify({ query: q }), {}, true);
        call.then(
          () => (settled[i] = true),
          () => (settled[i] = true),
        );
        return call;
      });
      // At once: decided before the event loop turns, so before any I/O or timer, a wait for room included.
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toEqual([false, false, true]);
      await expect(calls[2]).rejects.toMatchObject({ reason: 'overloaded' });
      // The two ahead of it get their answers once the subgraph gives them; the refused one never reached it.
      await until(() => held.length === 2);
      holding = false;
      for (const res of held) answer(res);
      await expect(Promise.all(calls.slice(0, 2))).resolves.toHaveLength(2);
      expect(slow.received).toHaveLength(2);
      // Room again once they are answered.
      await expect(client.post('{"query":"{ d }"}', {}, true)).resolves.toMatchObject({ status: 200 });
    } finally {
      await instances.close();
      await slow.close();
    }
  });
});

describe('SubgraphClient deduplication', () => {
  it('shares one call among identical queries in flight for the same caller, and nothing after', async () => {
    const slow = await server((_req, res) => {
      setTimeout(() => res.setHeader('content-type', 'application/json').end('{"data":{"a":1}}'), 100);
    });
    const { client, instances, metrics } = await clientFor([slow.url], { deduplicate: true });
    try {
      const alice = { authorization: 'Bearer alice' };
      const bob = { authorization: 'Bearer bob' };
      const answers = await Promise.all([
        ...Array.from({ length: 5 }, () => client.post('{"query":"{ a }"}', alice, true)),
        client.post('{"query":"{ a }"}', bob, true),
        client.post('{"query":"{ b }"}', alice, true),
        client.post('{"query":"mutation { a }"}', alice, false),
        client.post('{"query":"mutation { a }"}', alice, false),
      ]);
      expect(answers.every((answer) => answer.text === '{"data":{"a":1}}')).toBe(true);
      // alice's five identical queries: one call; bob, the other query and each mutation: their own.
      expect(slow.received).toHaveLength(5);
      expect((await metrics.deduplicated.get()).values[0].value).toBe(4);
      await client.post('{"query":"{ a }"}', alice, true);
      expect(slow.received).toHaveLength(6);
    } finally {
      await instances.close();
      await slow.close();
    }
  });
});

describe('SubgraphInstances with DNS discovery', () => {
  it('makes one instance per address, keeps the ones still there, and keeps the last good answer on failure', async () => {
    let answer: string[] | Error = ['10.0.0.1', 'fd00::2'];
    const metrics = createSubgraphClientMetrics(new Registry());
    const instances = new SubgraphInstances(
      'products',
      ['http://products.svc:4002'],
      {
        ...TEST_CLIENT_SETTINGS,
        dnsRefreshMs: 60_000,
        resolve: async () => {
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
      metrics,
      testLog,
    );
    await instances.start();
    try {
      expect(instances.list.map((i) => i.key)).toEqual([
        'http://10.0.0.1:4002/graphql',
        'http://[fd00::2]:4002/graphql',
      ]);
      const kept = instances.list[0];
      answer = ['10.0.0.1', '10.0.0.3'];
      await instances.refresh();
      expect(instances.list.map((i) => i.origin)).toEqual(['http://10.0.0.1:4002', 'http://10.0.0.3:4002']);
      expect(instances.list[0]).toBe(kept);
      answer = new Error('SERVFAIL');
      await instances.refresh();
      expect(instances.list.map((i) => i.origin)).toEqual(['http://10.0.0.1:4002', 'http://10.0.0.3:4002']);
    } finally {
      await instances.close();
    }
  });
});
