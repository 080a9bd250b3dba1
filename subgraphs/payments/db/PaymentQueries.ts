import type { DataSource, Repository } from 'typeorm';
import { findByUuids } from '../../../platform/db/findByUuids';
import { isUuid } from '../../../platform/graphql/ids';
import { PaymentRow } from './PaymentRow';

/** The reads of payments (its writes are PaymentRepository's). */
export class PaymentQueries {
  private readonly rows: Repository<PaymentRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(PaymentRow);
  }

  /** One query for any number of ids (the DataLoader's batch). */
  async findByIds(ids: readonly string[]): Promise<PaymentRow[]> {
    return findByUuids(this.rows, 'id', ids);
  }

  /** The newest payment of each order that has one, in one query (walks payments_order_created_idx). */
  async latestForOrders(orderIds: readonly string[]): Promise<PaymentRow[]> {
    const valid = orderIds.filter(isUuid);
    if (valid.length === 0) return [];
    return this.rows
      .createQueryBuilder('p')
      .distinctOn(['p.order_id'])
      .where('p.order_id = ANY(:ids)', { ids: valid })
      .orderBy('p.order_id')
      .addOrderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .getMany();
  }

  /** The order's latest payment, as it is now. */
  async findLatestForOrder(orderId: string): Promise<PaymentRow | null> {
    return this.rows.findOne({ where: { orderId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }
}
