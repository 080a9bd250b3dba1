import { BadUserInputError } from '../errors';

/**
 * Refuses a string argument longer than its bound, naming both, before it
 * reaches a query or a hash. For scalar arguments; input types use
 * class-validator's MaxLength on their fields instead.
 */
export function requireMaxLength(value: string | null | undefined, max: number, argument: string): void {
  if (value != null && value.length > max) {
    throw new BadUserInputError(`${argument} must be at most ${max} characters`, argument);
  }
}
