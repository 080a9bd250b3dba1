/**
 * What a NATS error says. A JetStream API refusal (a full stream, say) comes
 * as an error whose message is only its status ("503"); the reason is in its
 * api_error, and an operator reading the log or outbox.last_error needs it.
 */
export function natsErrorMessage(error: unknown): string {
  const { message, api_error: api } = error as {
    message?: string;
    api_error?: { description?: string; err_code?: number };
  };
  if (api?.description) return api.err_code ? `${api.description} (${api.err_code})` : api.description;
  return message ?? String(error);
}
