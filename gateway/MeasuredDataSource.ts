import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Counter, Histogram, type Registry } from 'prom-client';
import { AuthenticatedDataSource } from './AuthenticatedDataSource';
import type { GatewayContext } from './context';

export interface SubgraphFetchMetrics {
  duration: Histogram<'subgraph' | 'outcome'>;
  errors: Counter<'subgraph' | 'kind'>;
}

export function createSubgraphFetchMetrics(registry: Registry): SubgraphFetchMetrics {
  return {
    duration: new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Time of one gateway call to a subgraph, by subgraph and outcome: ok, error (GraphQL errors in the answer), failure (no usable answer)',
      labelNames: ['subgraph', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'subgraph_fetch_errors_total',
      help: 'Gateway calls to a subgraph that failed, by kind: graphql (errors in the answer) or transport (unreachable, timeout, bad status)',
      labelNames: ['subgraph', 'kind'],
      registers: [registry],
    }),
  };
}

type Response = Awaited<ReturnType<AuthenticatedDataSource['process']>>;

/** The authenticated subgraph call, timed and counted per subgraph. */
export class MeasuredDataSource extends AuthenticatedDataSource {
  private readonly name: string;

  constructor(
    private readonly metrics: SubgraphFetchMetrics,
    ...args: ConstructorParameters<typeof AuthenticatedDataSource>
  ) {
    super(...args);
    this.name = args[0];
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const end = this.metrics.duration.startTimer({ subgraph: this.name });
    try {
      const response = await super.process(options);
      const failed = !!response.errors?.length;
      end({ outcome: failed ? 'error' : 'ok' });
      if (failed) this.metrics.errors.inc({ subgraph: this.name, kind: 'graphql' });
      return response;
    } catch (error) {
      end({ outcome: 'failure' });
      this.metrics.errors.inc({ subgraph: this.name, kind: 'transport' });
      throw error;
    }
  }
}
