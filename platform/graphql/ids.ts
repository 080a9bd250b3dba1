const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID's length: an id argument longer than this can name nothing, and is refused as such. */
export const ID_MAX_LENGTH = 36;

/** Ids are UUIDs; anything else can name no row, so lookups skip the database. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
