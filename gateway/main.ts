import { tracing } from '../platform/tracing/register';
import { runMain } from '../platform/runMain';
import { startGateway } from './startGateway';

runMain(() => startGateway(process.env), { afterStop: () => tracing.shutdown() });
