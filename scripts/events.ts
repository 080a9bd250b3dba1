import { connect, type NatsConnection } from 'nats';
import type { Env } from '../platform/config';
import {
  dropDeadLetter,
  listDeadLetters,
  replayDeadLetter,
  selectDeadLetters,
  type DeadLetter,
} from '../platform/events/deadLetters';
import { natsConnectionOptions } from '../platform/events/natsConnection';
import { natsSettings, type NatsSettings } from '../platform/events/natsSettings';
import { deadLetterStream } from '../platform/events/naming';
import { createLogger, type Logger } from '../platform/logger';
import { serviceSettings } from '../platform/serviceSettings';
import { settingsGroup } from '../platform/settings/settingsGroup';

const USAGE = `usage: npm run events -- <command>     (in the image: node dist/scripts/events.js <command>)
  dead-letters    list the dead letters of the namespace (NATS_URL, EVENTS_PREFIX)
  replay <id>     publish a dead letter to its original subject again, then delete it;
                  <id> is its sequence number, or an event id (every dead letter of that event)
  replay --all    replay every dead letter
  drop <id>       delete a dead letter for good (logged)
NATS_USER / NATS_PASSWORD (or NATS_TOKEN, NATS_CREDS_FILE, NATS_TLS_*) as the services take them; with
npm start's own nats-server: NATS_USER=admin and the admin password from .data/nats/passwords.json.`;

/** Exit codes: 2 is also what a misspelt command or an id naming no dead letter gives. */
const EXIT = { ok: 0, failed: 1, usage: 2, unknownId: 2 } as const;

/** The services' own declarations of the namespace's settings, so the defaults and checks are theirs. */
const cliSettings = settingsGroup(
  'eventsCli',
  ['npm run events'],
  { ...natsSettings.settings, LOG_LEVEL: serviceSettings.settings.LOG_LEVEL },
  (s, env) => ({ nats: natsSettings.read(env), LOG_LEVEL: s.LOG_LEVEL }),
);

export interface EventsCliIo {
  out(line: string): void;
  err(line: string): void;
  /** The audit log of replays and drops; by default pino on stdout, as the services log. */
  log?: Logger;
}

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** `npm run events -- <command>`: the operator's commands on the event bus. Resolves to the exit code. */
export async function runEventsCli(args: string[], env: Env, io: EventsCliIo): Promise<number> {
  const [command, ...rest] = args;
  const run = commands[command ?? ''];
  if (!run) {
    if (command) io.err(`events: unknown command ${command}`);
    io.err(USAGE);
    return EXIT.usage;
  }
  try {
    const settings = cliSettings.read(env);
    const log = io.log ?? createLogger('events', settings.LOG_LEVEL);
    const nc = await connectTo(settings.nats);
    try {
      await run({ nc, prefix: settings.nats.eventsPrefix, args: rest, io, log });
    } finally {
      await nc.close();
    }
    return EXIT.ok;
  } catch (error) {
    io.err(`events: ${(error as Error).message}`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  }
}

interface CommandContext {
  nc: NatsConnection;
  prefix: string;
  args: string[];
  io: EventsCliIo;
  log: Logger;
}

const commands: Record<string, (context: CommandContext) => Promise<void>> = {
  'dead-letters': async ({ nc, prefix, io }) => {
    const letters = await listDeadLetters(nc, prefix);
    if (letters.length === 0) return io.out(`no dead letters in ${deadLetterStream(prefix)}`);
    for (const line of table(letters, Date.now())) io.out(line);
  },
  replay: async ({ nc, prefix, args, io, log }) => {
    const letters = await chosen(nc, prefix, args, 'replay');
    let duplicates = 0;
    for (const letter of letters) {
      if (await replayDeadLetter(nc, prefix, letter, log)) duplicates += 1;
    }
    io.out(
      `replayed ${letters.length} dead letter(s)` +
        (duplicates > 0 ? `, ${duplicates} of them published before (JetStream dropped the copy)` : ''),
    );
  },
  drop: async ({ nc, prefix, args, io, log }) => {
    if (args.includes('--all')) throw new CliError('drop takes one id, not --all', EXIT.usage);
    const letters = await chosen(nc, prefix, args, 'drop');
    for (const letter of letters) await dropDeadLetter(nc, prefix, letter, log);
    io.out(`dropped ${letters.length} dead letter(s)`);
  },
};

/** The dead letters `<id>` or `--all` names; an id naming none is an error the caller can test for. */
async function chosen(nc: NatsConnection, prefix: string, args: string[], command: string): Promise<DeadLetter[]> {
  const [id] = args;
  if (!id || args.length > 1) {
    throw new CliError(`${command} takes one id${command === 'replay' ? ' or --all' : ''}`, EXIT.usage);
  }
  const letters = await listDeadLetters(nc, prefix);
  if (id === '--all') return letters;
  const selected = selectDeadLetters(letters, id);
  if (selected.length === 0) {
    throw new CliError(
      `no dead letter ${id} in ${deadLetterStream(prefix)} (see: npm run events -- dead-letters)`,
      EXIT.unknownId,
    );
  }
  return selected;
}

async function connectTo(nats: NatsSettings): Promise<NatsConnection> {
  const { natsUrl: url, natsAuth: auth, natsTls: tls } = nats;
  const options = natsConnectionOptions({ url, name: 'events-cli', auth, tls });
  try {
    // A command, not a service: it fails at once rather than waiting for NATS to come back.
    return await connect({ ...options, timeout: 5_000, reconnect: false });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${url} (NATS_URL): ${(error as Error).message}`);
  }
}

/** One line per dead letter, in columns; the reason last, as it is the longest. */
function table(letters: DeadLetter[], now: number): string[] {
  const rows = [
    ['SEQ', 'STREAM', 'SUBJECT', 'EVENT', 'CONSUMER', 'DELIVERIES', 'AGE', 'REASON'],
    ...letters.map((l) => [
      String(l.seq),
      l.stream,
      l.subject,
      l.eventId ?? '-',
      l.consumer,
      l.deliveries === undefined ? '-' : String(l.deliveries),
      formatAge(now - l.deadLetteredAt.getTime()),
      l.reason.replace(/\s+/g, ' '),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

/** Seconds to days, in the two largest units: `42s`, `5m 3s`, `3h 12m`, `2d 4h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const first = units.findIndex(([, size]) => s >= size);
  if (first === -1) return '0s';
  const [unit, size] = units[first];
  const head = `${Math.floor(s / size)}${unit}`;
  const next = units[first + 1];
  const tail = next ? Math.floor((s % size) / next[1]) : 0;
  return tail > 0 ? `${head} ${tail}${next[0]}` : head;
}

if (require.main === module) {
  const io: EventsCliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
  runEventsCli(process.argv.slice(2), process.env, io).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`events: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
