import path from 'node:path';
import { SERVICE_NAMES } from './serviceNames';
import { choice, text } from './settings/setting';
import { settingsGroup } from './settings/settingsGroup';

/** What every service process is: its mode, its log level, where it listens and keeps local files. */
export const serviceSettings = settingsGroup(
  'service',
  SERVICE_NAMES,
  {
    NODE_ENV: choice(['development', 'production', 'test'], {
      default: 'development',
      description: '`production`: no introspection, no Sandbox, no stack traces, keys must be given',
    }),
    LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
      description: 'pino level',
    }),
    HOST: text({ default: '127.0.0.1', description: 'address to listen on (`0.0.0.0` in a container)' }),
    DATA_DIR: text({ default: '.data', description: 'dev keys, embedded Postgres and NATS data' }),
  },
  (s) => ({
    production: s.NODE_ENV === 'production',
    nodeEnv: s.NODE_ENV,
    logLevel: s.LOG_LEVEL as string,
    host: s.HOST,
    dataDir: path.resolve(s.DATA_DIR),
  }),
);
