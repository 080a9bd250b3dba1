import { tracing } from '../../platform/tracing/register';
import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { inventorySubgraph } from './definition';

runMain(() => startSubgraph(inventorySubgraph, process.env), { afterStop: () => tracing.shutdown() });
