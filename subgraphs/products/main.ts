import { runMain, startSubgraph } from '../../platform/subgraph';
import { productsSubgraph } from './definition';

runMain(() => startSubgraph(productsSubgraph));
