// The h2 workload: the cached GET over TLS + HTTP/2, driven by h2load. Tandem restarts with
// `--https --dev-tls` on its seeded data dir; the reference runs in its --https mode with
// the certificate Tandem made. Both must send identical bodies over h2 before any load.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HOST, freePort } from './bench-common.mjs';
import { fmt } from './bench-format.mjs';
import { stopServer } from './bench-processes.mjs';
import { summarizeRounds } from './bench-results.mjs';
import { runRounds, warmUp } from './bench-rounds.mjs';
import { h2Fetch, h2Run, h2loadVersion, waitHealthyH2 } from './h2-load.mjs';

/**
 * Runs the h2 workload for `names` (tandem and/or reference) and returns its result.
 * `ctx` holds config, tmpDir, dirs, dbFile, ids, collectionId, info and `launch`, which
 * starts a named server script with arguments.
 */
export async function runH2(names, ctx) {
  const servers = [];
  try {
    const caFile = await certificateFor(names, ctx);
    for (const name of ['tandem', 'reference'].filter((n) => names.includes(n))) {
      const server = await startH2Server(name, caFile, ctx);
      servers.push(server);
    }
    const hot = ctx.ids.slice(0, Math.min(ctx.config.hotIds, ctx.ids.length));
    writeUrlFiles(servers, hot, ctx);
    console.log(
      `  ${servers.map((s) => `${s.name} pid ${s.pid} on https://${HOST}:${s.port}`).join(', ')} (certificate from ${dirname(caFile)})`,
    );
    const shape = await checkH2Shapes(servers, hot, readFileSync(caFile), ctx.config);
    // The warm-up sends a quarter of a round's requests (at least 1,000).
    const measure = (server, round) =>
      h2Run(
        server,
        runOptions(
          ctx,
          round ? ctx.config.h2Requests : Math.max(1000, Math.round(ctx.config.h2Requests / 4)),
          round ? `round${round}` : 'warmup',
          server,
        ),
      );
    const warmups = ctx.config.warmup > 0 ? await warmUp(servers, measure, printRun) : {};
    const rounds = await runRounds(servers, ctx.config.rounds, measure, printRun);
    for (const server of servers) {
      const exit = await stopServer(server);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM')
        console.log(`  note: ${server.name} (h2) exited with ${JSON.stringify(exit)}`);
    }
    return {
      description: ctx.info.h2.description,
      h2load: h2loadVersion(),
      referenceRoute: ctx.config.h2Reference,
      shape,
      warmups,
      rounds,
      ...summarizeRounds(rounds),
    };
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/** The CA file of Tandem's development certificate; made by a throwaway Tandem when Tandem is not in the run. */
async function certificateFor(names, ctx) {
  if (names.includes('tandem')) return join(ctx.dirs.tandem, 'tls', 'ca.pem');
  const dir = join(ctx.tmpDir, 'tls-only');
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'tls', 'ca.pem');
  const port = await freePort();
  const maker = ctx.launch('tandem-tls', 'tandem', [
    'serve',
    '--no-grpc',
    '--https',
    `${HOST}:${port}`,
    '--dev-tls',
    '--dir',
    dir,
    '--no-request-log',
  ]);
  try {
    await waitHealthyH2(maker, port, caFile);
  } finally {
    await stopServer(maker);
  }
  return caFile;
}

const routeOf = (name, config) =>
  name === 'reference' && config.h2Reference === 'prebuilt'
    ? '/api/prebuilt/items/records'
    : '/api/collections/items/records';

async function startH2Server(name, caFile, ctx) {
  const port = await freePort();
  const tlsDir = dirname(caFile);
  const server =
    name === 'tandem'
      ? ctx.launch(
          `${name}`,
          'tandem',
          [
            'serve',
            '--no-grpc',
            '--https',
            `${HOST}:${port}`,
            '--dev-tls',
            '--dir',
            ctx.dirs.tandem,
            ...ctx.config.tandemArgs,
          ],
          'h2',
        )
      : ctx.launch(
          `${name}`,
          'reference',
          [
            '--https',
            `${HOST}:${port}`,
            '--cert',
            join(tlsDir, 'server.pem'),
            '--key',
            join(tlsDir, 'server-key.pem'),
            '--db',
            ctx.dbFile('reference'),
            '--collection-id',
            ctx.collectionId,
          ],
          'h2',
        );
  server.port = port;
  await waitHealthyH2(server, port, caFile);
  return server;
}

function writeUrlFiles(servers, hot, ctx) {
  for (const server of servers) {
    server.urlFile = join(ctx.tmpDir, `h2-urls-${server.name}.txt`);
    writeFileSync(
      server.urlFile,
      hot.map((id) => `https://${HOST}:${server.port}${routeOf(server.name, ctx.config)}/${id}`).join('\n') + '\n',
    );
  }
}

/** One record from each server over h2 (ALPN must be h2); the bodies must be identical. */
async function checkH2Shapes(servers, hot, ca, config) {
  const answers = {};
  for (const server of servers) {
    const answer = await h2Fetch(server.port, `${routeOf(server.name, config)}/${hot[hot.length >> 1]}`, ca);
    if (answer.status !== 200 || answer.alpn !== 'h2')
      throw new Error(
        `h2 shape check: ${server.name} answered ${answer.status} over ${answer.alpn}: ${answer.body.slice(0, 500)}`,
      );
    answers[server.name] = answer;
  }
  if (!answers.tandem || !answers.reference) return null;
  const shape = {
    identical: answers.tandem.body === answers.reference.body,
    referenceBytes: answers.reference.body.length,
    tandemBytes: answers.tandem.body.length,
  };
  if (shape.identical) console.log(`  response check (h2): identical bodies (${shape.referenceBytes} B)`);
  else
    console.log(
      `  WARNING: h2 responses differ:\n    reference: ${answers.reference.body.slice(0, 600)}\n    tandem:    ${answers.tandem.body.slice(0, 600)}`,
    );
  return shape;
}

function runOptions(ctx, requests, label, server) {
  const { config } = ctx;
  return {
    requests,
    clients: config.h2Clients,
    streams: config.h2Streams,
    timeoutSeconds: config.h2Timeout,
    logFile: join(ctx.tmpDir, `h2load-${server.name}-${label}.log`),
  };
}

function printRun(label, r) {
  const problems = r.failed + r.errored + r.timeout + (r.done - r.status2xx);
  console.log(
    `  ${label} ${r.server.padEnd(12)} ${fmt(r.rps).padStart(8)} req/s  mean ${fmt(r.mean, 2)} ms  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  cpu ${fmt(r.serverCpuMicrosPerRequest)} µs/req  waited ${fmt(r.serverWaitShare * 100)}%  ${r.succeeded}/${r.total} succeeded${problems ? `  !! failed ${r.failed}, errored ${r.errored}, timeout ${r.timeout}; ${r.statusLine}` : ''}`,
  );
}
