import { loadConfig } from '../config.js';
import { composeTandem } from '../tandem.js';
import { describeDb } from '../open-store.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem serve`. */
export const serveHelp = `Usage: tandem serve [flags]

Starts the Tandem server.

Flags:
  --http HOST:PORT   address to listen on (default 127.0.0.1:8090; env TANDEM_HTTP)
  --no-request-log   do not log one line per request (env TANDEM_REQUEST_LOG=false)
  --smtp URL         send mail over SMTP (smtp://user:pass@host:587 or smtps://…; env TANDEM_SMTP);
                     without it mail is kept in the dev outbox (tandem mail list)
  --app-url URL      public URL of the app, for links in mail (env TANDEM_APP_URL)
  --trusted-origins LIST
                     comma-separated origins besides the server's own that may send
                     cookie-authenticated writes (env TANDEM_TRUSTED_ORIGINS)
  --metrics-token TOKEN
                     lets scrapers read GET /api/metrics with "Authorization: Bearer TOKEN"
                     (at least 16 characters; env TANDEM_METRICS_TOKEN); superusers only without it
${dataFlagsHelp}`;

/** `tandem serve`: listens until SIGINT or SIGTERM, then shuts down gracefully. */
export async function serveCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseFlags(argv, { ...dataFlags, http: { type: 'string' }, 'no-request-log': { type: 'boolean' }, smtp: { type: 'string' }, 'app-url': { type: 'string' }, 'trusted-origins': { type: 'string' }, 'metrics-token': { type: 'string' } });
  if (values.help) return out(serveHelp), 0;
  const layer = dataLayer(values);
  if (values.http !== undefined) layer.http = values.http;
  if (values['no-request-log']) layer.requestLog = false;
  if (values.smtp !== undefined) layer.smtp = values.smtp;
  if (values['app-url'] !== undefined) layer.appUrl = values['app-url'];
  if (values['trusted-origins'] !== undefined) layer.trustedOrigins = values['trusted-origins'];
  if (values['metrics-token'] !== undefined) layer.metricsToken = values['metrics-token'];
  const config = loadConfig(layer);
  const tandem = await composeTandem(config);
  await tandem.app.listen({ host: config.http.host, port: config.http.port });
  const address = tandem.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  // The hint comes first: whoever waits for the "listening" line has seen it by then.
  if (!(await tandem.auth.hasSuperuser())) out('No superuser exists yet. Create one with: npx tandem superuser upsert EMAIL PASSWORD (with the same --dir/--db flags as serve)');
  out(`Tandem listening on http://${host}:${port} (database: ${describeDb(config.db)})`);
  await waitForSignal();
  out('Shutting down…');
  await tandem.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
