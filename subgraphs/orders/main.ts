import { tracing } from '../../platform/tracing/register';
import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { ordersSubgraph } from './definition';

runMain(() => startSubgraph(ordersSubgraph, process.env), { afterStop: () => tracing.shutdown() });
