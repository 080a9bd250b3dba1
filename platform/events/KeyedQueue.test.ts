import { KeyedQueue } from './KeyedQueue';

/** A task that runs until released, recording when it started and ended. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { release, released };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs tasks of different keys at once and those of one key one after another, in push order', async () => {
    const queue = new KeyedQueue(10, (error) => {
      throw error;
    });
    const log: string[] = [];
    const gates = { a1: gate(), a2: gate(), b1: gate() };
    const task = (name: keyof typeof gates) => async () => {
      log.push(`start ${name}`);
      await gates[name].released;
      log.push(`end ${name}`);
    };
    await queue.push('a', task('a1'));
    await queue.push('a', task('a2'));
    await queue.push('b', task('b1'));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.b1.release();
    gates.a2.release();
    await tick();
    // a2 was released first but waits for a1, its key's earlier task.
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    gates.a1.release();
    await queue.drain();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('takes no more than its limit: push waits for a slot, also for a task queued behind its key', async () => {
    const queue = new KeyedQueue(2, () => undefined);
    const gates = [gate(), gate(), gate()];
    await queue.push('a', () => gates[0].released);
    await queue.push('a', () => gates[1].released);
    let thirdTaken = false;
    const third = queue.push('b', () => gates[2].released).then(() => (thirdTaken = true));
    await tick();
    expect(queue.size).toBe(2);
    expect(thirdTaken).toBe(false);
    gates[0].release();
    await third;
    expect(queue.size).toBe(2);
    gates[1].release();
    gates[2].release();
    await queue.drain();
    expect(queue.size).toBe(0);
  });

  it('hands a failed task to onError and goes on with the next of its key', async () => {
    const errors: unknown[] = [];
    const queue = new KeyedQueue(4, (error) => errors.push(error));
    let ranAfter = false;
    await queue.push('a', () => Promise.reject(new Error('boom')));
    await queue.push('a', async () => {
      ranAfter = true;
    });
    await queue.drain();
    expect(errors).toEqual([new Error('boom')]);
    expect(ranAfter).toBe(true);
  });

  it('drains only when every task pushed has finished', async () => {
    const queue = new KeyedQueue(4, () => undefined);
    const slow = gate();
    let finished = false;
    await queue.push('a', async () => {
      await slow.released;
      finished = true;
    });
    const drained = queue.drain();
    await tick();
    expect(finished).toBe(false);
    slow.release();
    await drained;
    expect(finished).toBe(true);
  });
});
