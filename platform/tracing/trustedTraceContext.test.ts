import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepTraceContextOnlyFrom } from './trustedTraceContext';

const TRACE_HEADERS = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'vendor=value',
  baggage: 'tenant=acme',
};

/** The trace headers a request from this test (127.0.0.1) reaches the server's handler with. */
async function headersSeen(trustedNetworks: string[]): Promise<Record<string, unknown>> {
  const server = http.createServer((req, res) => {
    const seen = Object.fromEntries(Object.keys(TRACE_HEADERS).map((name) => [name, req.headers[name]]));
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ ...seen, other: req.headers['x-other'] }));
  });
  keepTraceContextOnlyFrom(server, trustedNetworks);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { ...TRACE_HEADERS, 'x-other': 'kept' } });
    return (await res.json()) as Record<string, unknown>;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('trace context from trusted networks only', () => {
  it('drops traceparent, tracestate and baggage of a connection from elsewhere, before any handler', async () => {
    expect(await headersSeen([])).toEqual({ other: 'kept' });
    expect(await headersSeen(['10.0.0.0/8', 'uniquelocal'])).toEqual({ other: 'kept' });
  });

  it('keeps them for a connection from a trusted network', async () => {
    expect(await headersSeen(['loopback'])).toEqual({ ...TRACE_HEADERS, other: 'kept' });
    expect(await headersSeen(['127.0.0.1/32'])).toEqual({ ...TRACE_HEADERS, other: 'kept' });
  });
});
