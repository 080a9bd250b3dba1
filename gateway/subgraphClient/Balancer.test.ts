import { Balancer } from './Balancer';
import type { SubgraphInstance } from './SubgraphInstance';

/** Just what the balancer reads of an instance. */
function instance(name: string, outstanding = 0, acceptsCalls = true, hasRoom = true): SubgraphInstance {
  return { origin: name, outstanding, hasRoom, acceptsCalls: () => acceptsCalls } as unknown as SubgraphInstance;
}

const pickMany = (balancer: Balancer, instances: SubgraphInstance[], n: number) =>
  Array.from({ length: n }, () => balancer.pick(instances, new Set())?.origin);

describe('Balancer', () => {
  it('round robin takes the instances in turn', () => {
    const instances = [instance('a'), instance('b'), instance('c')];
    expect(pickMany(new Balancer('round_robin'), instances, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('least outstanding sends the call where the fewest are in flight, rotating among equals', () => {
    const busy = [instance('a', 5), instance('b', 1), instance('c', 3)];
    expect(pickMany(new Balancer('least_outstanding'), busy, 3)).toEqual(['b', 'b', 'b']);
    const idle = [instance('a'), instance('b')];
    expect(pickMany(new Balancer('least_outstanding'), idle, 4)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('skips an instance whose breaker refuses calls, and fails fast when every one does', () => {
    for (const strategy of ['round_robin', 'least_outstanding'] as const) {
      const balancer = new Balancer(strategy);
      expect(pickMany(balancer, [instance('a', 0, false), instance('b', 9)], 3)).toEqual(['b', 'b', 'b']);
      expect(balancer.pick([instance('a', 0, false)], new Set())).toBeUndefined();
    }
  });

  it('passes over an instance at its in-flight limit', () => {
    const balancer = new Balancer('round_robin');
    expect(pickMany(balancer, [instance('a', 64, true, false), instance('b', 3)], 2)).toEqual(['b', 'b']);
    expect(balancer.pick([instance('a', 64, true, false)], new Set())).toBeUndefined();
  });

  it('sends a retry to an instance not tried yet, or to the same one when it is the only one', () => {
    const a = instance('a');
    const b = instance('b', 7);
    const balancer = new Balancer('least_outstanding');
    expect(balancer.pick([a, b], new Set([a]))).toBe(b);
    expect(balancer.pick([a], new Set([a]))).toBe(a);
  });
});
