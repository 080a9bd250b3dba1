import pino from 'pino';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { RunningSubgraph, SubgraphDefinition, SubgraphRuntime } from '../../../platform/subgraph';
import { startSubgraphs, type GraphQLResponse, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import type { UsersContext, UsersDeps } from '../context';
import { tokenLifetimeSeconds, usersSubgraph, type UsersSettings } from '../definition';
import { PASSWORD_COST, hashPassword } from '../domain/passwords';

const SIGN_UP = `mutation($input: SignUpInput!) {
  signUp(input: $input) { token expiresAt user { id email name role active createdAt } }
}`;
const LOG_IN = `mutation($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token expiresAt user { id email role } }
}`;

interface Payload {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; name: string; role: string; active: boolean; createdAt: string };
}

const ADMIN = { email: 'root@shop.test', password: 'the-admin-secret-1' };
const PASSWORDS = [ADMIN.password, 'correct horse battery', 'another-secret-9', 'an-old-hash-secret'];
/** What passwords.ts hashed with before it met OWASP's minimum: scrypt N=2^14 r=8 p=1. */
const FORMER_COST = { N: 16384, r: 8, p: 1 };
const CURRENT_PREFIX = `scrypt$${PASSWORD_COST.N}$${PASSWORD_COST.r}$${PASSWORD_COST.p}$`;

/** Every log line and response body of the run, to prove no secret ever reaches either. */
const logLines: string[] = [];
const responseBodies: string[] = [];

/**
 * users as production starts it, with ADMIN_EMAIL/ADMIN_PASSWORD configured and
 * its logger captured (the harness runs services silently).
 */
const seededUsers: SubgraphDefinition<UsersDeps, UsersContext, UsersSettings> = {
  ...usersSubgraph,
  createDeps: (runtime) => {
    runtime.log.level = 'debug';
    // Children (request loggers) inherit the stream through their prototype.
    (runtime.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
      write: (line: string) => logLines.push(line),
    };
    return usersSubgraph.createDeps(runtime);
  },
  onStart: (deps, runtime) => usersSubgraph.onStart!(deps, withAdmin(runtime, ADMIN)),
};

function withAdmin(
  runtime: SubgraphRuntime<UsersSettings>,
  admin: { email: string; password: string },
): SubgraphRuntime<UsersSettings> {
  return { ...runtime, settings: { admin } };
}

let h: SubgraphHarness;
const users = () => h.services.users as RunningSubgraph<UsersDeps, UsersSettings>;

async function request<T>(query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  const res = await h.request<T>('users', query, variables);
  responseBodies.push(JSON.stringify(res));
  return res;
}

const signUp = (input: Record<string, unknown>) => request<{ signUp: Payload }>(SIGN_UP, { input });
const logIn = (email: string, password: string) => request<{ logIn: Payload }>(LOG_IN, { email, password });

async function accounts(email?: string): Promise<number> {
  const [{ count }] = await users().runtime.dataSource.query(
    'SELECT count(*)::int AS count FROM users WHERE $1::text IS NULL OR email = $1',
    [email ?? null],
  );
  return count as number;
}

beforeAll(async () => {
  h = await startSubgraphs([seededUsers]);
});
afterAll(() => h?.stop());

describe('signUp and logIn', () => {
  it('signs up a CUSTOMER with a normalised email and a token the users JWKS verifies', async () => {
    const res = await signUp({ email: '  Ann@Example.COM ', name: ' Ann ', password: PASSWORDS[1] });
    expect(res.errors).toBeUndefined();
    const { token, expiresAt, user } = res.data!.signUp;
    expect(user).toEqual({
      id: expect.any(String),
      email: 'ann@example.com',
      name: 'Ann',
      role: 'CUSTOMER',
      active: true,
      createdAt: expect.any(String),
    });

    const jwksUrl = `${users().url.replace('/graphql', '')}/.well-known/jwks.json`;
    const { jwt } = users().runtime.config;
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl)), {
      algorithms: ['ES256'],
      issuer: jwt.issuer,
      audience: jwt.audience,
    });
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    expect(payload).toMatchObject({ iss: 'supergraph-users', aud: 'supergraph', sub: user.id, role: 'CUSTOMER' });
    expect(payload.exp! - payload.iat!).toBe(tokenLifetimeSeconds);
    expect(new Date(expiresAt).getTime()).toBe(payload.exp! * 1000);
  });

  it('logs in with the right password, whatever the case and spacing of the email', async () => {
    const res = await logIn(' ANN@example.com', PASSWORDS[1]);
    expect(res.errors).toBeUndefined();
    expect(res.data?.logIn.user).toMatchObject({ email: 'ann@example.com', role: 'CUSTOMER' });
    expect(res.data?.logIn.token).toEqual(expect.any(String));
  });

  it('answers a wrong password and an unknown email with the same UNAUTHENTICATED error', async () => {
    const wrongPassword = await logIn('ann@example.com', 'not-the-password');
    const unknownEmail = await logIn('nobody@example.com', PASSWORDS[1]);
    expect(wrongPassword.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrongPassword.data).toBeNull();
    expect(unknownEmail.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(
      wrongPassword.errors?.map((e) => [e.message, e.extensions?.code]),
    );
  });

  it('refuses log-in to a deactivated account with that same error', async () => {
    await signUp({ email: 'gone@example.com', name: 'Gone', password: PASSWORDS[2] });
    await users().runtime.dataSource.query(`UPDATE users SET active = false WHERE email = 'gone@example.com'`);
    const res = await logIn('gone@example.com', PASSWORDS[2]);
    expect(res.errors?.[0]).toMatchObject({
      message: 'Wrong email or password',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('answers a taken email with CONFLICT, also in another case, and keeps one account', async () => {
    await signUp({ email: 'dup@example.com', name: 'First', password: PASSWORDS[2] });
    for (const email of ['dup@example.com', 'DUP@Example.com ']) {
      const res = await signUp({ email, name: 'Second', password: PASSWORDS[2] });
      expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
    }
    expect(await accounts('dup@example.com')).toBe(1);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email', name: 'Bad', password: 'long-enough' }, 'email'],
    [
      'an overlong email',
      { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com`, name: 'Bad', password: 'long-enough' },
      'email',
    ],
    ['a short password', { email: 'short@example.com', name: 'Bad', password: 'seven77' }, 'password'],
    ['an overlong password', { email: 'long@example.com', name: 'Bad', password: 'p'.repeat(129) }, 'password'],
    ['an overlong name', { email: 'name@example.com', name: 'n'.repeat(101), password: 'long-enough' }, 'name'],
    ['a blank name', { email: 'blank@example.com', name: '   ', password: 'long-enough' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_case, input, field) => {
    const before = await accounts();
    const res = await signUp(input);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await accounts()).toBe(before);
  });
});

describe('the configured ADMIN', () => {
  it('is created on start and can log in as ADMIN', async () => {
    const res = await logIn(ADMIN.email, ADMIN.password);
    expect(res.errors).toBeUndefined();
    expect(res.data?.logIn.user).toMatchObject({ email: ADMIN.email, role: 'ADMIN' });
  });

  it('is seeded idempotently: another start keeps one account and its password', async () => {
    const { deps, runtime } = users();
    await usersSubgraph.onStart!(deps, withAdmin(runtime, ADMIN));
    await usersSubgraph.onStart!(deps, withAdmin(runtime, { email: ADMIN.email, password: 'a-different-password' }));
    expect(await accounts(ADMIN.email)).toBe(1);
    expect((await logIn(ADMIN.email, ADMIN.password)).data?.logIn.user.role).toBe('ADMIN');
    expect((await logIn(ADMIN.email, 'a-different-password')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('does not promote a customer who holds the admin email', async () => {
    await signUp({ email: 'taken-admin@example.com', name: 'Early Bird', password: PASSWORDS[2] });
    await users().deps.accountService.ensureAdmin({ email: 'taken-admin@example.com', password: ADMIN.password });
    expect((await logIn('taken-admin@example.com', PASSWORDS[2])).data?.logIn.user.role).toBe('CUSTOMER');
  });
});

describe('password hashes made with former parameters', () => {
  /** An account as a former version stored it: its hash written directly, with the former parameters. */
  async function formerAccount(email: string, password: string): Promise<string> {
    const hash = await hashPassword(password, FORMER_COST);
    await users().runtime.dataSource.query(`INSERT INTO users (email, name, password_hash) VALUES ($1, 'Old', $2)`, [
      email,
      hash,
    ]);
    return hash;
  }

  async function storedHash(email: string): Promise<string> {
    const [{ password_hash }] = await users().runtime.dataSource.query(
      'SELECT password_hash FROM users WHERE email = $1',
      [email],
    );
    return password_hash as string;
  }

  it('are rehashed with the current parameters at the next log-in, and the password still works', async () => {
    const former = await formerAccount('former@example.com', PASSWORDS[3]);
    expect(former.startsWith('scrypt$16384$8$1$')).toBe(true);

    const res = await logIn('former@example.com', PASSWORDS[3]);

    expect(res.errors).toBeUndefined();
    expect(res.data?.logIn.user.email).toBe('former@example.com');
    const rehashed = await storedHash('former@example.com');
    expect(rehashed.startsWith(CURRENT_PREFIX)).toBe(true);
    expect((await logIn('former@example.com', PASSWORDS[3])).errors).toBeUndefined();
    // Already current: the next log-in leaves it as it is.
    expect(await storedHash('former@example.com')).toBe(rehashed);
    expect((await logIn('former@example.com', 'not-the-password')).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('are not rehashed by a wrong password', async () => {
    const former = await formerAccount('former-wrong@example.com', PASSWORDS[3]);

    const res = await logIn('former-wrong@example.com', 'not-the-password');

    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await storedHash('former-wrong@example.com')).toBe(former);
  });

  it('let the log-in succeed when the new hash cannot be stored, and are rehashed at a later one', async () => {
    const former = await formerAccount('former-readonly@example.com', PASSWORDS[3]);
    const db = users().runtime.dataSource;
    // The database itself refuses the write: what a failover or a read-only replica would do.
    await db.query(`CREATE FUNCTION refuse_rehash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'read-only for this test'; END $$`);
    await db.query('CREATE TRIGGER refuse_rehash BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION refuse_rehash()');
    try {
      const res = await logIn('former-readonly@example.com', PASSWORDS[3]);
      expect(res.errors).toBeUndefined();
      expect(res.data?.logIn.token).toEqual(expect.any(String));
      expect(await storedHash('former-readonly@example.com')).toBe(former);
      expect(logLines.some((line) => line.includes('storing the rehashed password failed'))).toBe(true);
    } finally {
      await db.query('DROP TRIGGER refuse_rehash ON users');
      await db.query('DROP FUNCTION refuse_rehash()');
    }
    expect((await logIn('former-readonly@example.com', PASSWORDS[3])).errors).toBeUndefined();
    expect((await storedHash('former-readonly@example.com')).startsWith(CURRENT_PREFIX)).toBe(true);
  });
});

describe('secrets', () => {
  it('never shows a password or its hash in a response or a log', async () => {
    const hashes: string[] = (await users().runtime.dataSource.query('SELECT password_hash FROM users')).map(
      (r: { password_hash: string }) => r.password_hash,
    );
    // Current ones and the former ones the rehash tests wrote (one of them left so by a wrong password).
    expect(hashes.some((hash) => hash.startsWith(CURRENT_PREFIX))).toBe(true);
    expect(hashes.some((hash) => hash.startsWith('scrypt$16384$8$1$'))).toBe(true);
    // The capture works: the run's sign-ups and log-ins were logged.
    expect(logLines.some((line) => line.includes('user signed up'))).toBe(true);
    expect(logLines.some((line) => line.includes('log-in refused'))).toBe(true);

    const secrets = [...PASSWORDS, ...hashes, ...hashes.map((hash) => hash.split('$')[5])];
    for (const text of [...logLines, ...responseBodies]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain('scrypt$');
    }
  });

  it('has no field in the schema that could expose a password', async () => {
    const res = await h.request<{ __type: { fields: { name: string }[] } }>(
      'users',
      '{ __type(name: "User") { fields { name } } }',
    );
    expect(res.data?.__type.fields.map((f) => f.name).sort()).toEqual([
      'active',
      'createdAt',
      'email',
      'id',
      'name',
      'role',
    ]);
  });
});
