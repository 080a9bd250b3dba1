/** NATS_URL may list the servers of a cluster: `nats://a:4222,nats://b:4222`. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}
