import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { usersSubgraph } from './definition';

runMain(() => startSubgraph(usersSubgraph, process.env));
