/** Which browser origins may call the gateway: the exact CORS_ORIGINS, and in development any localhost page. */
export type OriginCheck = (origin: string) => boolean;

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * `localhost`: in development a front-end dev server on any port (Vite's
 * 5173, say) works with `npm start`'s gateway out of the box; production
 * keeps exactly the listed origins.
 */
export function allowedOrigins(origins: readonly string[], options: { localhost: boolean }): OriginCheck {
  const listed = new Set(origins);
  return (origin) => listed.has(origin) || (options.localhost && LOCALHOST.test(origin));
}
