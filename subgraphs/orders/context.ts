import type { BaseContext } from '../../platform/graphql/context';
import type { OrderQueries } from './db/OrderQueries';
import type { OrderLoaders } from './loaders';
import type { OrderService } from './OrderService';
import type { SagaAdmission } from './SagaAdmission';
import type { SagaDeadline } from './SagaDeadline';

export interface OrdersDeps {
  orderQueries: OrderQueries;
  orderService: OrderService;
  admission?: SagaAdmission;
  deadline: SagaDeadline;
}

export interface OrdersContext extends BaseContext, OrdersDeps {
  loaders: OrderLoaders;
}
