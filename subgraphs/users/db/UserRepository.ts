import type { DataSource, Repository } from 'typeorm';
import type { Role } from '../../../platform/auth/identity';
import { ConflictError } from '../../../platform/errors';
import { UserRow } from './UserRow';

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

/** The writes of the users table (its reads are UserQueries'). */
export class UserRepository {
  private readonly rows: Repository<UserRow>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(UserRow);
  }

  /** Inserts the account; a taken email is a CONFLICT, decided by the unique index (no racy pre-check). */
  async create(user: NewUser): Promise<UserRow> {
    let id: string;
    try {
      const { identifiers } = await this.rows.insert(user);
      id = identifiers[0].id as string;
    } catch (error) {
      if (pgCode(error) === '23505') throw new ConflictError('An account with this email already exists');
      throw withoutSecrets(error);
    }
    return this.rows.findOneByOrFail({ id });
  }

  /** Inserts the account unless its email is taken; an existing account is left exactly as it is. */
  async createIfAbsent(user: NewUser): Promise<boolean> {
    try {
      const result = await this.rows
        .createQueryBuilder()
        .insert()
        .into(UserRow)
        .values(user)
        .orIgnore()
        .returning('id')
        .execute();
      return (result.raw as unknown[]).length > 0;
    } catch (error) {
      throw withoutSecrets(error);
    }
  }

  /**
   * Replaces a password hash, only while the row still holds `previousHash`: a rehash racing another
   * (two log-ins at once) or a newer password never overwrites what came since.
   */
  async replacePasswordHash(id: string, previousHash: string, passwordHash: string): Promise<void> {
    try {
      await this.rows
        .createQueryBuilder()
        .update(UserRow)
        .set({ passwordHash })
        .where('id = :id AND password_hash = :previousHash', { id, previousHash })
        .execute();
    } catch (error) {
      throw withoutSecrets(error);
    }
  }
}

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/**
 * TypeORM's QueryFailedError carries the statement's parameters (the password
 * hash) and Postgres' detail may quote the failing row: neither may reach the
 * error log, so only the SQLSTATE and constraint go on.
 */
function withoutSecrets(error: unknown): Error {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return new Error(`writing a user failed: SQLSTATE ${code ?? 'unknown'}${constraint ? ` (${constraint})` : ''}`);
}
