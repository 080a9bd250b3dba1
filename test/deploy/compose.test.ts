import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_DEFAULT_PORT, SUBGRAPHS, loadSubgraphConfig, type SubgraphName } from '../../platform/config';
import { loadGatewayConfig } from '../../gateway/gatewayConfig';
import { SETTINGS_CATALOG } from '../../scripts/settingsCatalog';

const DOCKER = path.resolve(__dirname, '..', '..', 'docker');
const compose = parse(fs.readFileSync(path.join(DOCKER, 'compose.yml'), 'utf8'), { merge: true });
const dockerfile = fs.readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8');
const services = compose.services as Record<string, any>;
const PORTS: Record<string, number> = { gateway: GATEWAY_DEFAULT_PORT, ...SUBGRAPHS };

/** Resolves ${VAR:-default} the way compose does with nothing set in the shell. */
const interpolate = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

describe('docker compose', () => {
  it('runs the five subgraphs and the gateway from the one image, each with its own entry point', () => {
    for (const name of Object.keys(PORTS)) {
      const s = services[name];
      expect(s.command).toEqual([
        'node',
        name === 'gateway' ? 'dist/gateway/main.js' : `dist/subgraphs/${name}/main.js`,
      ]);
      expect(s.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(s.read_only).toBe(true);
    }
  });

  it('sets only variables the services declare', () => {
    const declared = new Set(SETTINGS_CATALOG.flatMap((group) => Object.keys(group.settings)));
    for (const name of Object.keys(PORTS)) {
      const unknown = Object.keys(services[name].environment).filter((variable) => !declared.has(variable));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('gives every service what its config loader requires, peers by service name on the default ports', () => {
    for (const name of Object.keys(PORTS)) {
      const env = interpolate(services[name].environment);
      const config = name === 'gateway' ? loadGatewayConfig(env) : loadSubgraphConfig(name as SubgraphName, env);
      expect(config.host).toBe('0.0.0.0');
      expect(config.port).toBe(PORTS[name]);
      // Dev mode generates each key under DATA_DIR, which must be writable on a read-only root.
      expect(config.production).toBe(false);
      expect(services[name].tmpfs[0]).toMatch(new RegExp(`^${env.DATA_DIR}:`));
      for (const peer of Object.keys(PORTS)) {
        expect(config.baseUrl[peer as SubgraphName]).toBe(`http://${peer}:${PORTS[peer]}`);
      }
      if (name !== 'gateway') {
        // Its own role's URL, never the admin's.
        expect(env.DATABASE_URL).toMatch(new RegExp(`^postgres://supergraph_${name}:[^@]+@postgres:5432/`));
        expect(env.NATS_URL).toBe('nats://nats:4222');
      }
    }
  });

  it('provisions and migrates every database in a one-shot before any subgraph starts, the only one with the admin URL', () => {
    const migrate = services.migrate;
    expect(migrate.command).toEqual(['node', 'dist/scripts/provisionDatabases.js']);
    expect(migrate.image).toBe(services.users.image);
    expect(migrate.build).toEqual(services.users.build);
    expect(migrate.restart).toBe('no');
    expect(migrate.read_only).toBe(true);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(migrate.ports).toBeUndefined();
    // The admin's URL, and each subgraph's very own URL and database, to give its role its password.
    const env = interpolate(migrate.environment);
    expect(new URL(env.DATABASE_URL).username).toBe('supergraph');
    for (const name of Object.keys(SUBGRAPHS)) {
      const subgraph = loadSubgraphConfig(name as SubgraphName, interpolate(services[name].environment));
      expect(env[`${name.toUpperCase()}_DATABASE_URL`]).toBe(subgraph.databaseUrl);
      expect(loadSubgraphConfig(name as SubgraphName, env).databaseName).toBe(subgraph.databaseName);
      expect(subgraph.databaseUrl).not.toBe(env.DATABASE_URL);
    }
    expect(
      Object.values(services).filter((s) => /@postgres:5432\/postgres$/.test(s.environment?.DATABASE_URL ?? '')),
    ).toEqual([migrate]);
  });

  it('starts subgraphs after a healthy Postgres and NATS and the migrations, and the gateway after ready subgraphs', () => {
    for (const name of Object.keys(SUBGRAPHS)) {
      expect(services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
        nats: { condition: 'service_healthy' },
      });
      expect(services[name].healthcheck.test.join(' ')).toContain(`127.0.0.1:${PORTS[name]}/ready`);
    }
    expect(Object.keys(services.gateway.depends_on).sort()).toEqual(Object.keys(SUBGRAPHS).sort());
    expect(services.gateway.ports).toEqual(['${GATEWAY_PUBLISHED_PORT:-4000}:4000']);
    expect(services.nats.command).toContain('--jetstream');
    expect(services.nats.volumes[0]).toMatch(/^nats-data:/);
  });

  it('keeps the observability stack behind a profile', () => {
    for (const name of ['otel-collector', 'jaeger', 'prometheus', 'grafana']) {
      expect(services[name].profiles).toEqual(['observability']);
    }
    expect(Object.keys(services).filter((n) => !services[n].profiles)).toHaveLength(9);
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('builds in stages on a pinned slim image of a Node.js LTS line that package.json admits', () => {
    const [, major] = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+-bookworm-slim$/m.exec(dockerfile) ?? [];
    // Even majors become LTS; 20 left support in April 2026, 22 leaves it in April 2027.
    expect(Number(major) % 2).toBe(0);
    expect(Number(major)).toBeGreaterThanOrEqual(24);
    const engines = JSON.parse(fs.readFileSync(path.resolve(DOCKER, '..', 'package.json'), 'utf8')).engines.node;
    const [, lowest] = /^>=(\d+)\./.exec(engines) ?? [];
    expect(Number(lowest)).toBeLessThanOrEqual(Number(major));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(dockerfile).toMatch(/RUN npm run build/);
  });

  it('runs as a non-root user with a health check and the composed supergraph', () => {
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/COPY schema\/supergraph\.graphql/);
    // No secret is set at build time: ENV and ARG lines only carry plain settings.
    const settings = dockerfile.split(/\n(?!\s)/).filter((line) => /^(ENV|ARG) /.test(line));
    expect(settings.join('\n')).not.toMatch(/SIGNING_KEY|PASSWORD|DATABASE_URL|SECRET|TOKEN/);
    expect(settings.join('\n')).toMatch(/NODE_ENV=production/);
  });

  it('keeps secrets and build output out of the build context', () => {
    const ignored = fs.readFileSync(path.join(DOCKER, '..', '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.env', '*.pem', '.git']));
  });
});
