import { isEmail } from 'class-validator';
import { BadUserInputError } from '../../../platform/errors';

export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 100;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface NewAccount {
  email: string;
  name: string;
  password: string;
}

/** One account per mailbox: "Ann@Example.com " and "ann@example.com" are the same email. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Normalises, then validates, so the rules apply to what is stored. The
 * password is taken as typed (never trimmed) and never echoed in a message.
 */
export function parseNewAccount(input: NewAccount): NewAccount {
  const email = normaliseEmail(input.email);
  if (email.length > EMAIL_MAX_LENGTH || !isEmail(email)) {
    throw new BadUserInputError('email must be a valid email address', 'email');
  }
  const name = input.name.trim();
  if (name.length < 1 || name.length > NAME_MAX_LENGTH) {
    throw new BadUserInputError(`name must be 1 to ${NAME_MAX_LENGTH} characters`, 'name');
  }
  checkPasswordLength(input.password);
  return { email, name, password: input.password };
}

export function checkPasswordLength(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new BadUserInputError(
      `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      'password',
    );
  }
}
