import { runMain, startSubgraph } from '../../platform/subgraph';
import { inventorySubgraph } from './definition';

runMain(() => startSubgraph(inventorySubgraph));
