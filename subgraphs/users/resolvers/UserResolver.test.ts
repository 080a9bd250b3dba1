import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraphs, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { usersSubgraph } from '../definition';

const USER_FIELDS = 'id email name role active createdAt';
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name role } } }`;
const ENTITY_EMAILS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;

const admin: UserIdentity = { id: randomUUID(), role: 'ADMIN' };
let h: SubgraphHarness;
let ann: UserIdentity;
let bob: UserIdentity;
let cid: UserIdentity;

async function signUp(name: string): Promise<UserIdentity> {
  const res = await h.request<{ signUp: { user: { id: string } } }>(
    'users',
    `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`,
    { input: { email: `${name}@example.com`, name, password: `${name}-password` } },
  );
  return { id: res.data!.signUp.user.id, role: 'CUSTOMER' };
}

async function dbQueries(): Promise<number> {
  return h.requestQueries('users');
}

beforeAll(async () => {
  h = await startSubgraphs([usersSubgraph]);
  [ann, bob, cid] = [await signUp('ann'), await signUp('bob'), await signUp('cid')];
});
afterAll(() => h?.stop());

describe('me', () => {
  it('answers the signed-in user', async () => {
    const res = await h.request('users', `{ me { ${USER_FIELDS} } }`, {}, { user: ann });
    expect(res.errors).toBeUndefined();
    expect(res.data?.me).toEqual({
      id: ann.id,
      email: 'ann@example.com',
      name: 'ann',
      role: 'CUSTOMER',
      active: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });

  it('answers null when nobody is signed in', async () => {
    const res = await h.request('users', '{ me { id } }');
    expect(res).toMatchObject({ status: 200, data: { me: null } });
    expect(res.errors).toBeUndefined();
  });
});

describe('user(id)', () => {
  it('is FORBIDDEN to a CUSTOMER, even for their own id, and UNAUTHENTICATED to nobody', async () => {
    const asCustomer = await h.request('users', `{ user(id: "${ann.id}") { id } }`, {}, { user: ann });
    expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await h.request('users', `{ user(id: "${ann.id}") { id } }`);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets an ADMIN read any user, and answers null for an unknown or malformed id', async () => {
    const res = await h.request(
      'users',
      `{ bob: user(id: "${bob.id}") { id email role } unknown: user(id: "${randomUUID()}") { id } malformed: user(id: "42") { id } }`,
      {},
      { user: admin },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      bob: { id: bob.id, email: 'bob@example.com', role: 'CUSTOMER' },
      unknown: null,
      malformed: null,
    });
  });
});

describe('User entity references', () => {
  it('resolves a batch of users with one SQL query, and unknown or malformed ids as null', async () => {
    const before = await dbQueries();
    expect(before).toBeGreaterThan(0);
    const res = await h.request<{ _entities: ({ id: string; name: string } | null)[] }>(
      'users',
      ENTITIES,
      { r: [ann.id, bob.id, cid.id, randomUUID(), 'not-a-uuid'].map((id) => ({ __typename: 'User', id })) },
      { user: ann },
    );
    expect(await dbQueries()).toBe(before + 1);
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { id: ann.id, name: 'ann', role: 'CUSTOMER' },
      { id: bob.id, name: 'bob', role: 'CUSTOMER' },
      { id: cid.id, name: 'cid', role: 'CUSTOMER' },
      null,
      null,
    ]);
  });

  it("shows a referenced user's email to that user and to ADMINs, and is FORBIDDEN to anyone else", async () => {
    const r = [{ __typename: 'User', id: bob.id }];
    const asBob = await h.request('users', ENTITY_EMAILS, { r }, { user: bob });
    expect(asBob.data?._entities).toEqual([{ id: bob.id, email: 'bob@example.com' }]);
    const asAdmin = await h.request('users', ENTITY_EMAILS, { r }, { user: admin });
    expect(asAdmin.data?._entities).toEqual([{ id: bob.id, email: 'bob@example.com' }]);

    for (const user of [ann, undefined]) {
      const res = await h.request('users', ENTITY_EMAILS, { r }, { user });
      expect(res.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['_entities', 0, 'email']]]);
      expect(JSON.stringify(res)).not.toContain('bob@example.com');
    }
  });
});
