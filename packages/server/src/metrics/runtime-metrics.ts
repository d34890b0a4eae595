import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What a scrape reads besides the HTTP counters. */
export interface RuntimeSources {
  /** The realtime broker's counts (WebSocket and SSE clients alike), when realtime is served. */
  readonly realtime?: { readonly size: number; readonly messagesSent: number };
  /** The log output's count of dropped lines (0 when there is none). */
  readonly log?: { readonly droppedLines: number };
  /** The stored request log's count of dropped entries (0 when requests are not stored). */
  readonly requestLog?: { readonly dropped: number };
}

/** The event-loop window of the runtime metrics. */
export interface RuntimeMetrics {
  /** Starts a new event-loop window (after each scrape: the figures are "since the previous scrape"). */
  newWindow(): void;
  /** Stops watching the event loop (when the app closes). */
  stop(): void;
}

/**
 * Registers the metrics read at scrape time: realtime connections and deliveries,
 * event-loop delay, dropped log lines and request log entries, and the process' memory and CPU time.
 */
export function registerRuntimeMetrics(registry: Registry, sources: RuntimeSources): RuntimeMetrics {
  if (sources.realtime) registerRealtimeMetrics(registry, sources.realtime);
  const eventLoop = registerEventLoopMetrics(registry);
  registerMirroredCounter(
    registry,
    'tandem_log_dropped_lines_total',
    'Log lines dropped because the log output failed (closed pipe, full disk) or fell behind.',
    () => sources.log?.droppedLines ?? 0,
  );
  registerMirroredCounter(
    registry,
    'tandem_request_log_dropped_total',
    'Entries of the stored request log (/api/logs) dropped because its queue was full or a batch failed.',
    () => sources.requestLog?.dropped ?? 0,
  );
  registerProcessMetrics(registry);
  return eventLoop;
}

function registerRealtimeMetrics(registry: Registry, realtime: NonNullable<RuntimeSources['realtime']>): void {
  new Gauge({
    name: 'tandem_realtime_connections',
    help: 'Open realtime connections (WebSocket and SSE).',
    registers: [registry],
    collect() {
      this.set(realtime.size);
    },
  });
  registerMirroredCounter(
    registry,
    'tandem_realtime_messages_sent_total',
    'Realtime deliveries (record events and leaves) handed to connections.',
    () => realtime.messagesSent,
  );
}

const QUANTILES = [0.5, 0.9, 0.99];

/** Event-loop delay, sampled every 20 ms, as quantiles and a maximum over one window. */
function registerEventLoopMetrics(registry: Registry): RuntimeMetrics {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const seconds = (ns: number) => (delay.count === 0 || !Number.isFinite(ns) ? 0 : ns / 1e9);
  new Gauge({
    name: 'tandem_event_loop_lag_seconds',
    help: 'Event-loop delay since the previous scrape, by quantile.',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      for (const quantile of QUANTILES)
        this.set({ quantile: String(quantile) }, seconds(delay.percentile(quantile * 100)));
    },
  });
  new Gauge({
    name: 'tandem_event_loop_lag_max_seconds',
    help: 'Largest event-loop delay since the previous scrape.',
    registers: [registry],
    collect() {
      this.set(seconds(delay.max));
    },
  });
  return { newWindow: () => delay.reset(), stop: () => delay.disable() };
}

function registerProcessMetrics(registry: Registry): void {
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  registerMirroredCounter(registry, 'process_cpu_seconds_total', 'User and system CPU time, in seconds.', () => {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1e6;
  });
}

/**
 * A counter that mirrors a running total kept elsewhere (the broker's deliveries, the
 * log's dropped lines): each scrape adds what the total grew by since the last one, as
 * prom-client's own process counters do.
 */
function registerMirroredCounter(registry: Registry, name: string, help: string, total: () => number): void {
  let counted = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = total();
      if (now <= counted) return;
      this.inc(now - counted);
      counted = now;
    },
  });
}
