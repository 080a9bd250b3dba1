import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { ordersSubgraph } from './definition';

runMain(() => startSubgraph(ordersSubgraph, process.env));
