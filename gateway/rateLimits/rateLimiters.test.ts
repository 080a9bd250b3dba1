import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createLogger } from '../../platform/logger';
import { eventually } from '../../test/support/eventually';
import { parsePrometheusText, sampleSum } from '../../test/support/prometheusText';
import { TestRedisServer } from '../../test/support/testRedisServer';
import { createRateLimiters, type RateLimiters } from './rateLimiters';
import { rateLimitSettings } from './rateLimitSettings';

/** One gateway replica's limiters, with its own metrics and log. */
async function replica(redisUrl: string, keyPrefix: string) {
  const registry = new Registry();
  const lines: { level: number; msg: string }[] = [];
  const log = createLogger('gateway', 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const settings = rateLimitSettings.read({
    RATE_LIMIT_POINTS: '3',
    REDIS_URL: redisUrl,
    RATE_LIMIT_KEY_PREFIX: keyPrefix,
  });
  const limiters = await createRateLimiters(settings.rateLimits, log, registry);
  const metric = async (name: string) => sampleSum(parsePrometheusText(await registry.metrics()), name);
  const logged = (text: string) => lines.filter((l) => l.msg.includes(text)).map((l) => l.level);
  return { limiters, metric, logged };
}

/** Whether the operations budget lets one more point through for this key. */
async function allows(limiters: RateLimiters, key: string): Promise<boolean> {
  return limiters.operations.consume(key, 1).then(
    () => true,
    (rejection: unknown) => {
      if (rejection instanceof Error) throw rejection;
      return false;
    },
  );
}

describe('rate limiters over Redis, and in memory while it is away', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('share one budget across replicas, fall back to a budget per replica (never none), and share again once Redis is back', async () => {
    const prefix = `test-${randomUUID()}`;
    const [a, b] = await Promise.all([replica(redis.url, prefix), replica(redis.url, prefix)]);
    try {
      expect(await a.metric('rate_limit_store_available')).toBe(1);
      // Shared: three points between the two replicas.
      expect([await allows(a.limiters, 'k'), await allows(b.limiters, 'k'), await allows(a.limiters, 'k')]).toEqual([
        true,
        true,
        true,
      ]);
      expect(await allows(b.limiters, 'k')).toBe(false);

      await redis.kill();
      await eventually(async () => (await a.metric('rate_limit_store_available')) === 0, 10_000, 100);
      // Each replica limits alone, in memory: three points each, then refused.
      for (const r of [a, b]) {
        for (let i = 0; i < 3; i++) expect(await allows(r.limiters, 'fresh')).toBe(true);
        expect(await allows(r.limiters, 'fresh')).toBe(false);
        expect(await r.metric('rate_limit_store_fallbacks_total')).toBe(4);
        expect(r.logged('unavailable')).toEqual([40]);
      }

      await redis.start();
      await eventually(async () => (await a.metric('rate_limit_store_available')) === 1, 10_000, 100);
      await eventually(async () => (await b.metric('rate_limit_store_available')) === 1, 10_000, 100);
      for (const r of [a, b]) {
        expect(r.logged('unavailable')).toEqual([40]);
        expect(r.logged('available again')).toEqual([30]);
      }
      // Shared again (the restarted Redis is empty): three points between the replicas.
      expect(await allows(a.limiters, 'again')).toBe(true);
      expect(await allows(b.limiters, 'again')).toBe(true);
      expect(await allows(b.limiters, 'again')).toBe(true);
      expect(await allows(a.limiters, 'again')).toBe(false);
      expect(await a.metric('rate_limit_store_fallbacks_total')).toBe(4);
    } finally {
      await Promise.all([a.limiters.close(), b.limiters.close()]);
    }
  }, 30_000);
});
