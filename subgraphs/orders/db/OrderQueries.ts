import type { DataSource, Repository } from 'typeorm';
import { findByUuids } from '../../../platform/db/findByUuids';
import type { OrderStatus } from '../domain/OrderStatus';
import { OrderItemRow } from './OrderItemRow';
import { OrderRow } from './OrderRow';
import { OrderStatusChangeRow } from './OrderStatusChangeRow';
import { prepared } from '../../../platform/db/preparedStatements';
import { ORDER_COLUMNS, toOrderRow, type OrderColumns } from './orderColumns';

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

/** One reading of the saga's backlog (SagaAdmission's sample). */
export interface SagaBacklog {
  backlog: number;
  oldest_ms: number;
  finished: number;
}

export interface OrderPage {
  rows: OrderRow[];
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * The reads of orders, order_items and order_status_history (their writes are
 * OrderRepository's): the API's pages and batches, and what the saga's
 * admission, deadline and idempotency checks look up.
 */
export class OrderQueries {
  private readonly orders: Repository<OrderRow>;
  private readonly items: Repository<OrderItemRow>;
  private readonly history: Repository<OrderStatusChangeRow>;

  constructor(private readonly dataSource: DataSource) {
    this.orders = dataSource.getRepository(OrderRow);
    this.items = dataSource.getRepository(OrderItemRow);
    this.history = dataSource.getRepository(OrderStatusChangeRow);
  }

  /** One query for any number of ids (the DataLoader's batch). */
  async findByIds(ids: readonly string[]): Promise<OrderRow[]> {
    return findByUuids(this.orders, 'id', ids);
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

  /** Plain SQL: clients send a key with every placeOrder, and the query builder cost more CPU than the lookup. */
  async findByIdempotencyKey(userId: string, key: string): Promise<OrderRow | null> {
    const [row] = (await this.dataSource.query(
      prepared(`SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = $1 AND idempotency_key = $2`),
      [userId, key],
    )) as OrderColumns[];
    return row ? toOrderRow(row) : null;
  }

  /** Orders still in the saga that were placed over `deadlineMs` ago (the overdue gauge). */
  async countOverdue(deadlineMs: number): Promise<number> {
    const [row] = (await this.dataSource.query(
      prepared(`SELECT count(*)::int AS overdue FROM orders
        WHERE status IN ('PENDING', 'RESERVED') AND created_at < now() - make_interval(secs => $1)`),
      [deadlineMs / 1000],
    )) as { overdue: number }[];
    return row.overdue;
  }

  /**
   * The saga's backlog for admission control: orders still in the saga, how
   * long the oldest has waited, and how many the saga's own steps ended
   * (PAID, or REJECTED but not TIMED_OUT) in the last `windowSeconds`.
   */
  async sagaBacklog(windowSeconds: number): Promise<SagaBacklog> {
    const [row] = (await this.dataSource.query(
      prepared(`WITH unfinished AS (
         SELECT count(*)::int AS backlog, min(created_at) AS oldest FROM orders
          WHERE status IN ('PENDING', 'RESERVED')
       )
       SELECT backlog,
              coalesce(floor(extract(epoch FROM clock_timestamp() - oldest) * 1000), 0)::int AS oldest_ms,
              (SELECT count(*)::int FROM orders
                WHERE status IN ('PAID', 'REJECTED') AND rejection_reason IS DISTINCT FROM 'TIMED_OUT'
                  AND updated_at > now() - make_interval(secs => $1)) AS finished
         FROM unfinished`),
      [windowSeconds],
    )) as SagaBacklog[];
    return row;
  }
}
