import { tracing } from '../../platform/tracing/register';
import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { productsSubgraph } from './definition';

runMain(() => startSubgraph(productsSubgraph, process.env), { afterStop: () => tracing.shutdown() });
