import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config';
import { mayProvision } from '../platform/db/provisioning';
import { provisionSubgraphs, subgraphRole } from '../platform/db/subgraphRoles';

/**
 * The DATABASE_URL of each subgraph that `npm start`, the bench and the chaos run start: its own
 * role's (provisioned here with the admin's URL, a fresh password each start), as in production.
 * A DATABASE_URL whose role may not create roles and databases (a developer's limited account on a
 * shared server) is given to every subgraph as before, with one line saying so: npm start keeps
 * working, without least privilege.
 */
export async function subgraphDatabaseUrls(
  adminUrl: string,
  prefix: string,
  say: (line: string) => void,
  serverUrl = adminUrl,
): Promise<Record<SubgraphName, string>> {
  if (!(await mayProvision(adminUrl))) {
    say(
      "DATABASE_URL's role may not create roles and databases: every subgraph connects as it (no least privilege, see README)",
    );
    return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, serverUrl])) as Record<SubgraphName, string>;
  }
  const urls = await provisionSubgraphs(adminUrl, prefix, SUBGRAPH_NAMES, serverUrl);
  say(`each subgraph connects as its own role (${subgraphRole(prefix, SUBGRAPH_NAMES[0]).role}, ...)`);
  return urls;
}
