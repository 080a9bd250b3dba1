import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc times are in these ticks. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  cpuTicks: number;
  /** CPU of its children that have exited and been waited for. */
  exitedChildrenTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      exitedChildrenTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** A process and every process below it (a gateway that forks workers counts whole). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** CPU seconds (user + system) the process tree has used so far. */
export function cpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (readStat(p)?.cpuTicks ?? 0), 0) / TICKS_PER_SECOND;
}

/** Peak resident memory (VmHWM) of the process tree, in bytes: each process's own peak, summed. */
export function peakRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    try {
      const match = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
      return sum + (match ? Number(match[1]) * 1024 : 0);
    } catch {
      return sum;
    }
  }, 0);
}

/** Resident memory (VmRSS) of one process now, in bytes: what it holds, not its peak. */
export function rssBytes(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * CPU seconds (user + system) used so far by every process whose command
 * name is `command` (`postgres`, `nats-server`), the ones that have exited
 * included: a Postgres backend that ends during a run (a pool closing an idle
 * connection) has its CPU added to its postmaster's, which is counted here.
 */
export function cpuSecondsOfCommand(command: string): number {
  const matching = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== command) continue;
      const stat = readStat(pid);
      if (stat) matching.set(pid, stat);
    } catch {
      // Gone between the listing and the read.
    }
  }
  let ticks = 0;
  for (const stat of matching.values()) {
    ticks += stat.cpuTicks;
    // Only the topmost of them (the postmaster) reaps the others: their CPU is counted once.
    if (!matching.has(stat.ppid)) ticks += stat.exitedChildrenTicks;
  }
  return ticks / TICKS_PER_SECOND;
}
