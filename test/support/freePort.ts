/** The scripts' free port finder, for tests too: one way of picking ports in the tree. */
export { freePort } from '../../scripts/freePort';
