import type { ServiceTokenSigner } from '../../platform/auth/serviceTokens';
import { callService } from '../../platform/http/serviceClient';

const INITIALIZE_STOCK = /* GraphQL */ `
  mutation InitializeStock($productId: ID!, $quantity: Int!) {
    initializeStock(productId: $productId, quantity: $quantity)
  }
`;

/** products -> inventory, authenticated as products with the inventory:write scope. */
export class InventoryClient {
  constructor(
    private readonly signer: ServiceTokenSigner,
    private readonly url: string,
  ) {}

  async initializeStock(productId: string, quantity: number, requestId: string): Promise<void> {
    await callService(this.signer, {
      service: 'inventory',
      url: this.url,
      scopes: ['inventory:write'],
      query: INITIALIZE_STOCK,
      variables: { productId, quantity },
      requestId,
    });
  }
}
