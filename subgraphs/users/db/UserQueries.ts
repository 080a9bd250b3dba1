import type { DataSource, Repository } from 'typeorm';
import { findByUuids } from '../../../platform/db/findByUuids';
import { UserRow } from './UserRow';

export interface Credentials {
  user: UserRow;
  passwordHash: string;
}

/** The reads of the users table (its writes are UserRepository's). */
export class UserQueries {
  private readonly rows: Repository<UserRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(UserRow);
  }

  /** One query for any number of ids (the DataLoader's batch). */
  async findByIds(ids: readonly string[]): Promise<UserRow[]> {
    return findByUuids(this.rows, 'id', ids);
  }

  /** The account and its password hash, for log-in only. */
  async findCredentials(email: string): Promise<Credentials | null> {
    const row = await this.rows
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
    if (!row) return null;
    const { passwordHash, ...user } = row;
    return { user: Object.assign(new UserRow(), user), passwordHash };
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    return this.rows.findOneBy({ email });
  }
}
