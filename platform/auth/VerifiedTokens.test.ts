import { VerifiedTokens } from './VerifiedTokens';

const inSeconds = (s: number) => Date.now() / 1000 + s;

describe('VerifiedTokens', () => {
  it('answers for a token until its exp, then forgets it', async () => {
    const tokens = new VerifiedTokens<{ id: string }>();
    tokens.remember('a', { id: 'u1' }, inSeconds(0.3));
    expect(tokens.get('a')).toEqual({ id: 'u1' });
    expect(tokens.get('b')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(tokens.get('a')).toBeUndefined();
  });

  it('keeps nothing for a token already expired, and hands out frozen values', () => {
    const tokens = new VerifiedTokens<{ user: { id: string } }>();
    tokens.remember('old', { user: { id: 'u1' } }, inSeconds(-1));
    expect(tokens.get('old')).toBeUndefined();
    tokens.remember('new', { user: { id: 'u1' } }, inSeconds(60));
    const value = tokens.get('new')!;
    expect(Object.isFrozen(value) && Object.isFrozen(value.user)).toBe(true);
  });

  it('is bounded: the least recently used token goes first', () => {
    const tokens = new VerifiedTokens<{ n: number }>(2);
    tokens.remember('a', { n: 1 }, inSeconds(60));
    tokens.remember('b', { n: 2 }, inSeconds(60));
    tokens.get('a');
    tokens.remember('c', { n: 3 }, inSeconds(60));
    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')]).toEqual([{ n: 1 }, undefined, { n: 3 }]);
  });
});
