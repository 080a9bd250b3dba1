import { randomUUID } from 'node:crypto';
import type { UserIdentity } from '../../../platform/auth/identity';
import { startSubgraphs, type GraphQLResponse, type SubgraphHarness } from '../../../test/support/subgraphHarness';
import { paymentsSubgraph } from '../definition';
import { PaymentStatus } from '../domain/PaymentStatus';
import { arrangePayment, type ArrangedPayment } from '../testing/arrangePayment';

const customer = (): UserIdentity => ({ id: randomUUID(), role: 'CUSTOMER' });
const admin: UserIdentity = { id: randomUUID(), role: 'ADMIN' };

const PAYMENT = /* GraphQL */ `
  query Payment($id: ID!) {
    payment(id: $id) {
      id
      order {
        id
      }
      amount {
        amount
        currency
      }
      status
      failureReason
      createdAt
    }
  }
`;

const PAYMENT_REFERENCES = /* GraphQL */ `
  query PaymentReferences($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Payment {
        id
        status
      }
    }
  }
`;

let h: SubgraphHarness;

beforeAll(async () => {
  h = await startSubgraphs([paymentsSubgraph]);
});
afterAll(() => h?.stop());

const arrange = (payment: ArrangedPayment) => arrangePayment(h.services.payments.runtime.dataSource, payment);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

describe('payment(id)', () => {
  it("shows the order's owner the payment with its amount, status and order reference", async () => {
    const owner = customer();
    const { id, orderId } = await arrange({ userId: owner.id, createdAt: new Date('2025-05-06T07:08:09.123Z') });

    const response = await h.request('payments', PAYMENT, { id }, { user: owner });

    expect(response.errors).toBeUndefined();
    expect(response.data?.payment).toEqual({
      id,
      order: { id: orderId },
      amount: { amount: 2900, currency: 'EUR' },
      status: 'SUCCEEDED',
      failureReason: null,
      createdAt: '2025-05-06T07:08:09.123Z',
    });
  });

  it("shows an ADMIN any customer's payment", async () => {
    const { id } = await arrange({
      userId: customer().id,
      status: PaymentStatus.FAILED,
      failureReason: 'CARD_DECLINED',
    });

    const response = await h.request('payments', PAYMENT, { id }, { user: admin });

    expect(response.errors).toBeUndefined();
    expect(response.data?.payment).toMatchObject({ id, status: 'FAILED', failureReason: 'CARD_DECLINED' });
  });

  it("answers another customer's payment exactly as an unknown id, after the same queries: null, no error", async () => {
    const { id } = await arrange({ userId: customer().id });
    const stranger = customer();
    const answer = async (paymentId: string) => {
      const before = await h.requestQueries('payments');
      const response = await h.request('payments', PAYMENT, { id: paymentId }, { user: stranger });
      return { body: JSON.stringify(response), queries: (await h.requestQueries('payments')) - before };
    };

    const theirs = await answer(id);
    const unknown = await answer(randomUUID());

    expect(theirs.body).toBe(JSON.stringify({ status: 200, data: { payment: null } }));
    expect(unknown).toEqual(theirs);
  });

  it('asks for a sign-in (UNAUTHENTICATED) when the request acts for no user', async () => {
    const { id } = await arrange({ userId: customer().id });

    expect(codes(await h.request('payments', PAYMENT, { id }))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers null for an unknown or a malformed payment id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const response = await h.request('payments', PAYMENT, { id }, { user: admin });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ payment: null });
    }
  });
});

describe('Payment entity reference', () => {
  it("resolves the caller's own payment and answers null, never an error, for a stranger's or an unknown one", async () => {
    const owner = customer();
    const mine = await arrange({ userId: owner.id });
    const theirs = await arrange({ userId: customer().id });
    const representations = [mine.id, theirs.id, randomUUID(), 'not-a-uuid'].map((id) => ({
      __typename: 'Payment',
      id,
    }));

    const response = await h.request('payments', PAYMENT_REFERENCES, { representations }, { user: owner });

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([{ id: mine.id, status: 'SUCCEEDED' }, null, null, null]);
  });
});

describe('payments table', () => {
  it('refuses a second PENDING or SUCCEEDED payment for one order, so a redelivered charge cannot charge twice', async () => {
    const owner = customer();
    const { orderId } = await arrange({ userId: owner.id, status: PaymentStatus.FAILED });
    await arrange({ userId: owner.id, orderId, status: PaymentStatus.SUCCEEDED });

    await expect(arrange({ userId: owner.id, orderId, status: PaymentStatus.PENDING })).rejects.toMatchObject({
      driverError: { code: '23505' },
    });
  });
});
