import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * The SCRAM-SHA-256 verifier Postgres stores for a password (RFC 5802, 7677; what psql's \password
 * sends), computed here: ALTER ROLE ... PASSWORD then carries no password the server could write to
 * its log (a failed statement is logged with its text) or keep in pg_stat_statements. A role with
 * such a password logs in with scram-sha-256, and with md5 too (Postgres then uses SCRAM).
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
