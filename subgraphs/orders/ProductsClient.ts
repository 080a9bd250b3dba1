import type { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import { callService } from '../../platform/http/serviceClient';
import type { CatalogEntry } from './domain/orderLines';

const PRODUCTS = /* GraphQL */ `
  query ProductsForOrder($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Product {
        id
        name
        price {
          amount
          currency
        }
      }
    }
  }
`;

interface ProductEntity {
  id: string;
  name: string;
  price: { amount: number; currency: string };
}

/** orders -> products, as orders with the products:read scope: names and prices at order time. */
export class ProductsClient {
  constructor(
    private readonly signer: ServiceTokenSigner,
    private readonly url: string,
  ) {}

  async catalog(productIds: string[], requestId: string): Promise<Map<string, CatalogEntry>> {
    const data = await callService<{ _entities: (ProductEntity | null)[] }>(this.signer, {
      service: 'products',
      url: this.url,
      scopes: ['products:read'],
      query: PRODUCTS,
      variables: { representations: productIds.map((id) => ({ __typename: 'Product', id })) },
      requestId,
    });
    const entries = new Map<string, CatalogEntry>();
    for (const product of data._entities) {
      if (product) {
        entries.set(product.id, {
          name: product.name,
          priceCents: product.price.amount,
          currency: product.price.currency,
        });
      }
    }
    return entries;
  }
}
