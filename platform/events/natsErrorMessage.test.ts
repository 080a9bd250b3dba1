import { connect, DiscardPolicy } from 'nats';
import { randomBytes } from 'node:crypto';
import { TEST_NATS_URL } from '../../test/support/testEnv';
import { natsErrorMessage } from './natsErrorMessage';

describe('a NATS error, in words', () => {
  it("names a full stream's refusal, not just its status", async () => {
    const nc = await connect({ servers: TEST_NATS_URL });
    const name = `t_${randomBytes(5).toString('hex')}_full`;
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.add({ name, subjects: [`${name}.>`], max_msgs: 1, discard: DiscardPolicy.New });
      await nc.jetstream().publish(`${name}.a`, 'first');
      const refused = await nc
        .jetstream()
        .publish(`${name}.a`, 'second')
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toBeDefined();
      expect(natsErrorMessage(refused)).toMatch(/maximum messages exceeded/);
      expect(natsErrorMessage(new Error('timeout'))).toBe('timeout');
    } finally {
      await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    }
  });
});
