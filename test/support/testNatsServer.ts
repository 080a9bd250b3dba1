import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'nats';
import { NATS_ADMIN_USER, NATS_USERS, type NatsUser } from '../../platform/events/natsPermissions';
import {
  generateNatsPassword,
  natsPasswordVariable,
  renderNatsServerConfig,
  renderNatsTls,
  type NatsServerTls,
} from '../../platform/events/natsServerConfig';
import { freePort } from './freePort';
import { portAccepts } from './portAccepts';

export interface TestNatsServerOptions {
  /**
   * Runs the per-service users and permissions of platform/events/natsPermissions.ts for this
   * EVENTS_PREFIX, with passwords made up for this server; without it, anyone may do anything.
   */
  authenticated?: { prefix: string };
  /** Serves TLS only, with this certificate (a `tls://` URL). */
  tls?: NatsServerTls;
}

/**
 * A NATS server with JetStream of the test's own (the machine's nats-server
 * binary), so a test can take NATS away and bring it back without touching
 * the shared one. Its store survives a stop/start, as a real restart's would.
 */
export class TestNatsServer {
  private child?: ChildProcess;
  private readonly storeDir = mkdtempSync(path.join(os.tmpdir(), 'nats-store-'));
  private readonly passwords = new Map<NatsUser, string>();
  private readonly configFile?: string;
  private readonly output: string[] = [];

  private constructor(
    readonly port: number,
    private readonly options: TestNatsServerOptions,
  ) {
    if (options.authenticated || options.tls) {
      for (const user of NATS_USERS) this.passwords.set(user, generateNatsPassword());
      this.configFile = path.join(this.storeDir, 'nats.conf');
      const config = options.authenticated
        ? renderNatsServerConfig(options.authenticated.prefix, options.tls)
        : renderNatsTls(options.tls!);
      writeFileSync(this.configFile, config);
    }
  }

  static async start(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
    const server = new TestNatsServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `${this.options.tls ? 'tls' : 'nats'}://127.0.0.1:${this.port}`;
  }

  /** A service's (or the admin's) settings for this server: NATS_URL, NATS_USER, NATS_PASSWORD. */
  env(user: NatsUser): Record<string, string> {
    if (!this.options.authenticated) return { NATS_URL: this.url };
    return { NATS_URL: this.url, NATS_USER: user, NATS_PASSWORD: this.passwords.get(user)! };
  }

  /** nats.js options to connect as `user` (the admin's by default: a test's probe sees everything). */
  connectionOptions(user: NatsUser = NATS_ADMIN_USER): ConnectionOptions {
    if (!this.options.authenticated) return { servers: this.url };
    return { servers: this.url, user, pass: this.passwords.get(user) };
  }

  /** The server's "Publish Violation" and "Subscription Violation" log lines so far: what a client was refused. */
  permissionViolations(): string[] {
    return this.output.filter((line) => /(Publish|Subscription) Violation/.test(line));
  }

  async start(): Promise<void> {
    // Already running: a second server on the same port would orphan the first.
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    const args = ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir];
    if (this.configFile) args.push('-c', this.configFile);
    const passwords = Object.fromEntries(
      [...this.passwords].map(([user, password]) => [natsPasswordVariable(user), password]),
    );
    this.child = spawn('nats-server', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, ...passwords },
    });
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(await portAccepts(this.port))) {
      if (this.child.exitCode !== null) {
        throw new Error(`nats-server exited with ${this.child.exitCode}: ${this.output.slice(-5).join(' | ')}`);
      }
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.storeDir, { recursive: true, force: true });
  }
}
