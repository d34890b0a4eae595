import { loadConfig } from '../config/config.js';
import { CliError } from '../config/cli-error.js';
import { startLocalCluster } from '../cluster/local-cluster.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem cluster`. */
export const clusterHelp = `Usage: tandem cluster --db postgres://… --redis redis://… [flags]

Starts a cluster on this machine for a demo or a test: N instances of tandem serve
sharing one PostgreSQL and one Redis, and HAProxy in front of them on one URL (round
robin, no sticky sessions). Needs haproxy (Debian: apt-get install haproxy; npm run
cluster installs it). See docs/scale-out.md for a deployment across machines.

Flags:
  --instances N      how many instances (default 3)
  --http HOST:PORT   where the balancer listens (default 127.0.0.1:8090; env TANDEM_HTTP)
  --redis URL        the shared Redis (env TANDEM_REDIS)
${dataFlagsHelp}`;

/** `tandem cluster`: runs until SIGINT or SIGTERM, then stops the balancer and every instance. */
export async function clusterCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseFlags('cluster', argv, {
    ...dataFlags,
    instances: { type: 'string' },
    http: { type: 'string' },
    redis: { type: 'string' },
  });
  if (values.help) return (out(clusterHelp), 0);
  const layer = dataLayer(values);
  if (values.http !== undefined) layer.http = values.http;
  if (values.redis !== undefined) layer.redis = values.redis;
  const config = loadConfig(layer);
  if (!config.redis) throw new CliError('tandem cluster needs --redis redis://… and --db postgres://…', 2);
  const instances = instanceCount(values.instances);
  const cluster = await startLocalCluster({
    instances,
    front: config.http!,
    db: config.db,
    redis: config.redis,
    dir: config.dir,
    onOutput: out,
  });
  for (const [i, instance] of cluster.instances.entries()) out(`instance i${i + 1} on ${instance.url}`);
  out(`Cluster of ${instances} instances listening on ${cluster.url} (HAProxy)`);
  await waitForSignal();
  out('Stopping the cluster…');
  await cluster.stop();
  return 0;
}

function instanceCount(value: string | undefined): number {
  const count = value === undefined ? 3 : Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 32)
    throw new CliError('--instances must be a whole number from 1 to 32', 2);
  return count;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
