import { tracing } from '../../platform/tracing/register';
import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { usersSubgraph } from './definition';

runMain(() => startSubgraph(usersSubgraph, process.env), { afterStop: () => tracing.shutdown() });
