import type http from 'node:http';
import proxyAddr from 'proxy-addr';

/** What a caller continues a trace with: W3C trace context, and the baggage that rides along. */
const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;

/**
 * Lets a request continue its caller's trace only when the connection comes
 * from `trustedNetworks` (TRACE_TRUSTED_NETWORKS); from anywhere else its
 * trace headers are dropped and it starts a new trace. Otherwise anyone on
 * the internet could pick the trace id (and the sampling decision, which the
 * parent-based sampler keeps) of the spans of every service the request
 * reaches, or append their spans to someone else's trace.
 *
 * The peer is the socket's: X-Forwarded-For is written by the client. Behind
 * an Ingress the peer is the Ingress controller, so trusting its network
 * trusts whatever it forwards; trust it only when it sets traceparent itself.
 *
 * OpenTelemetry's http instrumentation reads the headers in a patched
 * `http.Server.prototype.emit('request')`, before any listener or express
 * middleware: the headers are dropped in an `emit` of this server's own,
 * which runs first and then hands the request to the patched one.
 */
export function keepTraceContextOnlyFrom(server: http.Server, trustedNetworks: readonly string[]): void {
  const trusted = proxyAddr.compile([...trustedNetworks]);
  const prototype = Object.getPrototypeOf(server) as { emit: (...args: unknown[]) => boolean };
  server.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const request = args[0] as http.IncomingMessage;
      const peer = request.socket.remoteAddress;
      if (peer === undefined || !trusted(peer, 0)) {
        for (const header of TRACE_CONTEXT_HEADERS) delete request.headers[header];
      }
    }
    // Looked up on every call: whatever patched the prototype's emit (the instrumentation) still runs.
    return prototype.emit.apply(this, [event, ...args]);
  } as http.Server['emit'];
}
