import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { inventorySubgraph } from './definition';

runMain(() => startSubgraph(inventorySubgraph, process.env));
