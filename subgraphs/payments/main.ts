import { tracing } from '../../platform/tracing/register';
import { runMain } from '../../platform/runMain';
import { startSubgraph } from '../../platform/subgraph';
import { paymentsSubgraph } from './definition';

runMain(() => startSubgraph(paymentsSubgraph, process.env), { afterStop: () => tracing.shutdown() });
