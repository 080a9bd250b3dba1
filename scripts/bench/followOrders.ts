import { print } from 'graphql';
import { Pool } from 'undici';
import { OrderByIdDocument } from '../../client/generated/graphql';
import { callGraphQL, countByCause } from './callGraphQL';
import { percentile, round } from './sagaFigures';

/** What the customers' reads of their orders gave. */
export interface ReadFigures {
  reads: number;
  reads_per_s: number;
  read_errors: number;
  /** Failed reads by cause, as refusals are counted (an order not found is one). */
  read_errors_by_cause: Record<string, number>;
  read_p50_ms: number;
  read_p99_ms: number;
}

export interface Following {
  stop(): Promise<ReadFigures>;
}

/**
 * Each customer looks at its latest order every `intervalMs` (`OrderById`,
 * as a front end follows an order), from the moment it has one. Like a
 * client's polling, a read starts `intervalMs` after the previous one
 * started, or when it ended if it took longer: one read per customer at a time.
 */
export function followLatestOrders(
  target: { graphqlUrl: string; tokens: string[] },
  intervalMs: number,
  latestOrderOf: (customer: number) => string | undefined,
): Following {
  const pool = new Pool(new URL(target.graphqlUrl).origin, { connections: target.tokens.length });
  const path = new URL(target.graphqlUrl).pathname;
  const query = print(OrderByIdDocument);
  const latencies: number[] = [];
  const failures: string[] = [];
  const startedAt = Date.now();
  let stopped = false;

  const follow = async (customer: number) => {
    // Spread over the interval: customers do not all look in the same millisecond.
    await sleep((customer * intervalMs) / target.tokens.length);
    while (!stopped) {
      const readAt = Date.now();
      const id = latestOrderOf(customer);
      if (id) {
        const outcome = await callGraphQL<{ order?: { id: string; status: string } | null }>(
          pool,
          path,
          target.tokens[customer],
          JSON.stringify({ query, variables: { id } }),
        );
        latencies.push(Date.now() - readAt);
        const failure = outcome.failure ?? (outcome.data?.order ? undefined : 'order not found');
        if (failure) failures.push(failure);
      }
      await sleep(readAt + intervalMs - Date.now());
    }
  };
  const customers = target.tokens.map((_, customer) => follow(customer));

  return {
    async stop() {
      stopped = true;
      const seconds = (Date.now() - startedAt) / 1000;
      await Promise.all(customers);
      await pool.close();
      latencies.sort((a, b) => a - b);
      return {
        reads: latencies.length,
        reads_per_s: round(latencies.length / Math.max(seconds, 0.001)),
        read_errors: failures.length,
        read_errors_by_cause: countByCause(failures),
        read_p50_ms: percentile(latencies, 50),
        read_p99_ms: percentile(latencies, 99),
      };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
