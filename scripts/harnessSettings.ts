import { databaseSettings } from '../platform/db/databaseSettings';
import { natsSettings } from '../platform/events/natsSettings';
import { optionalText, text } from '../platform/settings/setting';
import { settingsGroup } from '../platform/settings/settingsGroup';

/** The machine's own Postgres and NATS, which the bench and the chaos run use unless told otherwise. */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** What `npm run bench` and `npm run chaos` read, besides `DATABASE_URL` and `NATS_URL` for their servers. */
export const harnessSettings = settingsGroup(
  'harness',
  ['npm run bench', 'npm run chaos'],
  {
    BENCH_RESULTS_DIR: optionalText({
      description: 'where the bench writes `latest.json` and `latest.md`; unset = `bench/results` (committed)',
    }),
    BENCH_NODE_ARGS: text({
      default: '',
      description:
        'node flags for every service the bench starts, to profile it (`--cpu-prof --cpu-prof-dir=/tmp/prof`)',
    }),
  },
  (s, env) => ({
    resultsDir: s.BENCH_RESULTS_DIR,
    nodeArgs: s.BENCH_NODE_ARGS.split(' ').filter(Boolean),
    // The services' own declarations check the URLs; only the default differs (no embedded Postgres here).
    databaseUrl: databaseSettings.read({ DATABASE_URL: LOCAL_POSTGRES, ...env }).databaseUrl,
    natsUrl: natsSettings.read(env).natsUrl,
  }),
);
