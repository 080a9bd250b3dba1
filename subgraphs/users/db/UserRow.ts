import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../../platform/auth/identity';

/** Storage shape of an account; the API shape is schema/User.ts. */
@Entity('users')
export class UserRow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Normalised: trimmed and lower-case (domain/accountRules.ts). */
  @Column({ type: 'varchar' })
  email: string;

  @Column({ type: 'varchar' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ type: 'boolean' })
  active: boolean;

  /** Never loaded unless asked for (UserRepository.findCredentials), so it cannot reach a loader or a response. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, insert: false, update: false })
  createdAt: Date;
}
