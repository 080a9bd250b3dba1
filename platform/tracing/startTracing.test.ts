import { propagation, trace } from '@opentelemetry/api';
import { createEvent, type EventContract } from '../events/envelope';
import { serviceNameOf, startTracing } from './startTracing';

const mockSdkLoaded = jest.fn();
jest.mock('@opentelemetry/sdk-node', () => {
  mockSdkLoaded();
  return jest.requireActual('@opentelemetry/sdk-node');
});

const Pinged: EventContract<{ n: number }> = {
  type: 'test.pinged',
  version: 1,
  parse: (data) => data as { n: number },
  read: (event) => event.data as { n: number },
};

describe('tracing', () => {
  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT: no SDK loaded, spans and propagation stay no-ops', async () => {
    const tracing = startTracing('orders', { OTEL_TRACES_SAMPLER_ARG: '0.5' });
    expect(tracing.enabled).toBe(false);
    expect(mockSdkLoaded).not.toHaveBeenCalled();
    expect(trace.getTracer('test').startSpan('probe').isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });

  it('keeps the traceparent an event was given when no span is active', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(createEvent(Pinged, { source: 't', subject: 's', traceparent, data: { n: 1 } }).traceparent).toBe(
      traceparent,
    );
    expect(createEvent(Pinged, { source: 't', subject: 's', data: { n: 1 } }).traceparent).toBeUndefined();
  });

  it('rejects a malformed sampling ratio with one line naming the setting', () => {
    expect(() =>
      startTracing('orders', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_TRACES_SAMPLER_ARG: '2' }),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('names the service after the folder of its entry point', () => {
    expect(serviceNameOf('/app/dist/subgraphs/orders/main.js')).toBe('orders');
    expect(serviceNameOf('/app/dist/gateway/main.js')).toBe('gateway');
  });
});
