import type { BaseContext } from '../../platform/graphql/context';
import type { OrderRepository } from './db/OrderRepository';
import type { OrderLoaders } from './loaders';

export interface OrdersDeps {
  orders: OrderRepository;
}

export interface OrdersContext extends BaseContext, OrdersDeps {
  loaders: OrderLoaders;
}
