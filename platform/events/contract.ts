import type { z } from 'zod';
import { PermanentEventError, type EventContract } from './envelope';

/** An event contract whose data is checked by a zod schema; bad data can never be handled. */
export function defineEvent<S extends z.ZodTypeAny>(
  type: string,
  version: number,
  schema: S,
): EventContract<z.infer<S>> {
  return {
    type,
    version,
    parse(data: unknown) {
      const result = schema.safeParse(data);
      if (!result.success) {
        throw new PermanentEventError(`${type} v${version}: ${result.error.issues[0]?.message ?? 'invalid data'}`);
      }
      return result.data as z.infer<S>;
    },
    read(event) {
      if (event.type !== type || event.version !== version) {
        throw new PermanentEventError(`${event.type} v${event.version} is not ${type} v${version}`);
      }
      return this.parse(event.data);
    },
  };
}
