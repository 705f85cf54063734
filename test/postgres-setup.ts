// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run, its URL handed to the test files (and
// the processes they start) in PORTCULLIS_PG_URL. A URL already set (a server of your own) is used as it is.
import { startCluster } from './helpers/postgres-cluster.mjs';

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.PORTCULLIS_PG_URL) return undefined;
  const cluster = await startCluster();
  process.env.PORTCULLIS_PG_URL = cluster.url;
  return () => cluster.destroy();
}
