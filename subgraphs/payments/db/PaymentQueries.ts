import type { DataSource, Repository } from 'typeorm';
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
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.rows.createQueryBuilder('p').where('p.id = ANY(:ids)', { ids: valid }).getMany();
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
