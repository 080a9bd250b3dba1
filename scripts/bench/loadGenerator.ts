import autocannon from 'autocannon';

/** What the bench asks of one load run (passed as JSON in argv[2]). */
export interface LoadSpec {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  /** Transport errors, timeouts, non-2xx answers and answers carrying GraphQL errors. */
  errors: number;
}

/** The line this process prints when the warm-up is over and the measured window starts. */
export const MEASURING = 'measuring';

/**
 * The load generator, in its own process so its CPU does not count as the
 * gateway's: fixed concurrency (closed loop), a warm-up that is thrown away,
 * then the measured window, printed as one JSON line.
 */
async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  let graphqlErrors = 0;
  const run = (seconds: number) =>
    autocannon({
      url: spec.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...spec.headers },
      body: spec.body,
      connections: spec.connections,
      duration: seconds,
      setupClient: (client) => {
        client.on('body', (body: Buffer) => {
          if (body.includes('"errors"')) graphqlErrors += 1;
        });
      },
    });
  if (spec.warmupSeconds > 0) await run(spec.warmupSeconds);
  graphqlErrors = 0;
  console.log(MEASURING);
  const result = await run(spec.durationSeconds);
  const outcome: LoadResult = {
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
  };
  console.log(JSON.stringify(outcome));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
