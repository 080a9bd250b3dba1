import { runMain } from '../platform/runMain';
import { startGateway } from './startGateway';

runMain(() => startGateway(process.env));
