import { isColorSupported, prettyFactory } from 'pino-pretty';

/** 'inventory', the longest service name, so the columns line up. */
const NAME_WIDTH = 9;
/** ANSI foreground colours, handed out to names in order of first appearance. */
const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92];
const colourOf = new Map<string, number>();

// pino-pretty honours NO_COLOR / FORCE_COLOR and switches colour off when output is not a terminal.
const pretty = prettyFactory({
  colorize: isColorSupported,
  translateTime: 'SYS:HH:MM:ss.l',
  // The prefix already names the service.
  ignore: 'pid,hostname,name',
  // One line per event keeps five interleaved services readable; stack traces stay multi-line.
  singleLine: true,
});

function paint(name: string, text: string): string {
  if (!isColorSupported) return text;
  if (!colourOf.has(name)) colourOf.set(name, COLOURS[colourOf.size % COLOURS.length]);
  return `\u001b[${colourOf.get(name)}m${text}\u001b[39m`;
}

/**
 * Writes one line of a service's output as `name | line`, so five services in one
 * terminal stay readable; pino's JSON lines are made readable with pino-pretty.
 */
export function printPrefixed(name: string, line: string, out: NodeJS.WritableStream = process.stdout): void {
  const prefix = paint(name, `${name.padEnd(NAME_WIDTH)} |`);
  // pino-pretty hands back anything that is not a JSON log line as it was.
  const body = line.startsWith('{') ? pretty(line).trimEnd() : line;
  out.write(
    `${body
      .split('\n')
      .map((part) => `${prefix} ${part}`)
      .join('\n')}\n`,
  );
}
