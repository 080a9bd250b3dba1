import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { natsServers } from '../../platform/events/natsServers';
import { startManagedProcess, type ManagedProcess } from '../managedProcess';
import { freePort } from '../freePort';

export interface NatsNode {
  name: string;
  clientPort: number;
  clusterPort: number;
  /** The HTTP monitoring port: its /healthz says when the node's JetStream has caught up. */
  monitorPort: number;
  storeDir: string;
  process?: ManagedProcess;
}

/** Sees each line a node prints: the run's log, not the terminal. */
export type OutputSink = (source: string, line: string) => void;

const HEALTHY_TIMEOUT_MS = 90_000;

/**
 * A JetStream cluster of its own on free local ports (the machine's
 * nats-server binary), every node with its own store under `dir`. A node
 * stopped or killed keeps its store, so starting it again is a restart, as
 * a pod's would be with its volume.
 */
export class NatsCluster {
  private constructor(
    readonly nodes: NatsNode[],
    private readonly clusterName: string,
    private readonly output: OutputSink,
  ) {}

  static async start(dir: string, clusterName: string, output: OutputSink, size = 3): Promise<NatsCluster> {
    const nodes: NatsNode[] = [];
    for (let i = 1; i <= size; i++) {
      const storeDir = path.join(dir, `nats-${i}`);
      await mkdir(storeDir, { recursive: true });
      nodes.push({
        name: `nats-${i}`,
        clientPort: await freePort(),
        clusterPort: await freePort(),
        monitorPort: await freePort(),
        storeDir,
      });
    }
    const cluster = new NatsCluster(nodes, clusterName, output);
    for (const node of nodes) cluster.startNode(node);
    await cluster.waitHealthy();
    return cluster;
  }

  /** Every node's client URL: what NATS_URL lists, so a client fails over to the others. */
  get url(): string {
    return this.nodes.map((node) => `nats://127.0.0.1:${node.clientPort}`).join(',');
  }

  node(name: string): NatsNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no NATS node ${name}`);
    return node;
  }

  startNode(node: NatsNode): void {
    if (node.process?.running) return;
    const routes = this.nodes
      .filter((other) => other !== node)
      .map((other) => `nats://127.0.0.1:${other.clusterPort}`)
      .join(',');
    node.process = startManagedProcess({
      name: node.name,
      command: 'nats-server',
      args: [
        '-js',
        '-sd',
        node.storeDir,
        '-n',
        node.name,
        '-a',
        '127.0.0.1',
        '-p',
        String(node.clientPort),
        '-m',
        String(node.monitorPort),
        '--cluster_name',
        this.clusterName,
        '--cluster',
        `nats://127.0.0.1:${node.clusterPort}`,
        '--routes',
        routes,
      ],
      quiet: true,
      onLine: (line) => this.output(node.name, line),
    });
  }

  /** SIGKILL: the node gets no chance to tell the others or to flush. */
  async kill(node: NatsNode): Promise<void> {
    node.process?.kill();
    await node.process?.exited;
  }

  /** A clean stop (SIGTERM), as an orchestrator's restart would do. */
  async stop(node: NatsNode): Promise<void> {
    await node.process?.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stop(node)));
  }

  /**
   * Until every running node reports healthy (its JetStream in contact with a
   * meta leader and its streams current) and the cluster answers a JetStream
   * API call: only then can streams be created and written again.
   */
  async waitHealthy(timeoutMs = HEALTHY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (const node of this.nodes.filter((n) => n.process?.running)) {
      for (;;) {
        if (!node.process?.running) throw new Error(`${node.name} exited: ${node.process?.recentOutput()}`);
        last = await healthz(node.monitorPort);
        if (last === 'ok') break;
        if (Date.now() > deadline) throw new Error(`${node.name} not healthy within ${timeoutMs} ms: ${last}`);
        await sleep(250);
      }
    }
    while (!(await this.answersJetStream())) {
      if (Date.now() > deadline) throw new Error(`the NATS cluster did not answer JetStream within ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /** The node that leads a stream (where its writes go), if it has a leader now. */
  async streamLeader(stream: string): Promise<string | undefined> {
    const nc = await connect({ servers: natsServers(this.url), timeout: 5_000 });
    try {
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      return info.cluster?.leader;
    } finally {
      await nc.close();
    }
  }

  /** Each stream of a namespace with its configured replicas and the servers that hold it now. */
  async streams(prefix: string): Promise<{ name: string; replicas: number; servers: number; leader?: string }[]> {
    const nc = await connect({ servers: natsServers(this.url), timeout: 5_000 });
    try {
      const found = [];
      for await (const info of (await nc.jetstreamManager()).streams.list()) {
        if (!info.config.name.startsWith(`${prefix}_`)) continue;
        found.push({
          name: info.config.name,
          replicas: info.config.num_replicas,
          servers: info.cluster ? 1 + (info.cluster.replicas?.length ?? 0) : 1,
          leader: info.cluster?.leader,
        });
      }
      return found.sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      await nc.close();
    }
  }

  private async answersJetStream(): Promise<boolean> {
    try {
      const nc = await connect({ servers: natsServers(this.url), timeout: 2_000 });
      try {
        await (await nc.jetstreamManager({ timeout: 2_000 })).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    } catch {
      return false;
    }
  }
}

async function healthz(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { status?: string; error?: string };
    return response.ok ? 'ok' : `${response.status} ${body.error ?? body.status ?? ''}`;
  } catch (error) {
    return `no answer (${(error as Error).message})`;
  }
}
