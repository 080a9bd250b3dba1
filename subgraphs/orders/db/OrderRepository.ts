import type { DataSource, Repository } from 'typeorm';
import { isUuid } from '../../../platform/graphql/ids';
import type { OrderStatus } from '../domain/OrderStatus';
import { OrderItemRow } from './OrderItemRow';
import { OrderRow } from './OrderRow';
import { OrderStatusChangeRow } from './OrderStatusChangeRow';

/** Position of the last order of the previous page, newest first. */
export interface OrderKeyset {
  createdAt: Date;
  id: string;
}

export interface UserOrdersQuery {
  userId: string;
  first: number;
  after?: OrderKeyset;
  status?: OrderStatus;
}

export interface OrderPage {
  rows: OrderRow[];
  hasNextPage: boolean;
  totalCount: number;
}

export class OrderRepository {
  private readonly orders: Repository<OrderRow>;
  private readonly items: Repository<OrderItemRow>;
  private readonly history: Repository<OrderStatusChangeRow>;

  constructor(dataSource: DataSource) {
    this.orders = dataSource.getRepository(OrderRow);
    this.items = dataSource.getRepository(OrderItemRow);
    this.history = dataSource.getRepository(OrderStatusChangeRow);
  }

  /** One query for any number of ids (the DataLoader's batch). */
  async findByIds(ids: readonly string[]): Promise<OrderRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.orders.createQueryBuilder('o').where('o.id = ANY(:ids)', { ids: valid }).getMany();
  }

  /** The lines of many orders in one query, each order's in line order. */
  async itemsOf(orderIds: readonly string[]): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return [];
    return this.items
      .createQueryBuilder('i')
      .where('i.order_id = ANY(:ids)', { ids: [...orderIds] })
      .orderBy('i.order_id')
      .addOrderBy('i.line_no')
      .getMany();
  }

  /** The status changes of many orders in one query, each order's oldest first. */
  async historyOf(orderIds: readonly string[]): Promise<OrderStatusChangeRow[]> {
    if (orderIds.length === 0) return [];
    return this.history
      .createQueryBuilder('h')
      .where('h.order_id = ANY(:ids)', { ids: [...orderIds] })
      .orderBy('h.order_id')
      .addOrderBy('h.seq')
      .getMany();
  }

  /** A user's orders newest first; walks orders_user_created_idx or orders_user_status_created_idx. */
  async pageForUser(query: UserOrdersQuery): Promise<OrderPage> {
    const filtered = this.orders.createQueryBuilder('o').where('o.user_id = :userId', { userId: query.userId });
    if (query.status) filtered.andWhere('o.status = :status', { status: query.status });
    const page = filtered.clone().orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC');
    if (query.after) {
      page.andWhere('(o.created_at, o.id) < (:afterCreatedAt, :afterId)', {
        afterCreatedAt: query.after.createdAt,
        afterId: query.after.id,
      });
    }
    // One row more than asked tells whether a next page exists.
    const [rows, totalCount] = await Promise.all([page.limit(query.first + 1).getMany(), filtered.getCount()]);
    return { rows: rows.slice(0, query.first), hasNextPage: rows.length > query.first, totalCount };
  }
}
