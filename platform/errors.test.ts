import { ServiceUnavailableError } from './errors';

describe('ServiceUnavailableError', () => {
  it('is built without stack frames (thrown for most requests under overload), and leaves the stack limit as it was', () => {
    const limit = Error.stackTraceLimit;
    const error = new ServiceUnavailableError('Too many orders are being processed; try again shortly', {
      reason: 'saga_backlog',
    });
    expect(error.stack).not.toMatch(/\n\s+at /);
    expect(error.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'saga_backlog' });
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
  });
});
