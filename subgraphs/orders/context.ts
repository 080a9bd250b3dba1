import type { BaseContext } from '../../platform/graphql/context';
import type { OrderRepository } from './db/OrderRepository';
import type { OrderLoaders } from './loaders';
import type { OrderService } from './OrderService';

export interface OrdersDeps {
  orders: OrderRepository;
  orderService: OrderService;
}

export interface OrdersContext extends BaseContext, OrdersDeps {
  loaders: OrderLoaders;
}
