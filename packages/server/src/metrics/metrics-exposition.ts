import type { IntervalHistogram } from 'node:perf_hooks';
import type { HttpMetrics, RouteStats } from './http-metrics.js';
import { familyHeader, labelText, LATENCY_BUCKETS, sampleValue } from './prometheus-text.js';

/** What a scrape reads besides the HTTP counters. */
export interface MetricSources {
  readonly http: HttpMetrics;
  /** The realtime broker's counts (WebSocket and SSE clients alike), when realtime is served. */
  readonly realtime?: { readonly size: number; readonly messagesSent: number };
  /** The log output's count of dropped lines (0 when there is none). */
  readonly log?: { readonly droppedLines: number };
  /** Event-loop delay since the previous scrape (nanoseconds); reset after each scrape. */
  readonly eventLoop: IntervalHistogram;
}

/** Renders every metric in the Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(sources: MetricSources): string {
  const lines: string[] = [];
  const routes = [...sources.http.routes.values()].flatMap((byMethod) => [...byMethod.values()]);
  renderRequests(lines, routes);
  renderLatency(lines, routes);
  renderDbTime(lines, routes);
  renderCache(lines, sources.http);
  if (sources.realtime) renderRealtime(lines, sources.realtime);
  renderEventLoop(lines, sources.eventLoop);
  renderLog(lines, sources.log?.droppedLines ?? 0);
  renderProcess(lines);
  return lines.join('\n') + '\n';
}

function renderRequests(lines: string[], routes: RouteStats[]): void {
  familyHeader(lines, 'tandem_http_requests_total', 'counter', 'HTTP responses by method, route pattern and status.');
  for (const stats of routes) {
    for (const [status, count] of stats.statuses) lines.push(`tandem_http_requests_total${labelText({ method: stats.method, route: stats.route, status: String(status) })} ${count}`);
  }
}

function renderLatency(lines: string[], routes: RouteStats[]): void {
  familyHeader(lines, 'tandem_http_request_duration_seconds', 'histogram', 'Time from request arrival to the response, by method and route pattern.');
  for (const stats of routes) {
    const labels = { method: stats.method, route: stats.route };
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += stats.buckets[i]!;
      lines.push(`tandem_http_request_duration_seconds_bucket${labelText({ ...labels, le: String(bound) })} ${cumulative}`);
    });
    lines.push(`tandem_http_request_duration_seconds_bucket${labelText({ ...labels, le: '+Inf' })} ${stats.count}`);
    lines.push(`tandem_http_request_duration_seconds_sum${labelText(labels)} ${sampleValue(stats.latencySum)}`);
    lines.push(`tandem_http_request_duration_seconds_count${labelText(labels)} ${stats.count}`);
  }
}

function renderDbTime(lines: string[], routes: RouteStats[]): void {
  familyHeader(lines, 'tandem_http_db_seconds_total', 'counter', 'Time requests spent in the store, by method and route pattern.');
  for (const stats of routes) lines.push(`tandem_http_db_seconds_total${labelText({ method: stats.method, route: stats.route })} ${sampleValue(stats.dbSeconds)}`);
}

function renderCache(lines: string[], http: HttpMetrics): void {
  familyHeader(lines, 'tandem_response_cache_requests_total', 'counter', 'Record reads (GET/HEAD list and view) by response cache outcome.');
  for (const outcome of ['hit', 'miss', 'bypass'] as const) lines.push(`tandem_response_cache_requests_total{outcome="${outcome}"} ${http.cache[outcome]}`);
}

function renderRealtime(lines: string[], realtime: { readonly size: number; readonly messagesSent: number }): void {
  familyHeader(lines, 'tandem_realtime_connections', 'gauge', 'Open realtime connections (WebSocket and SSE).');
  lines.push(`tandem_realtime_connections ${realtime.size}`);
  familyHeader(lines, 'tandem_realtime_messages_sent_total', 'counter', 'Realtime deliveries (record events and leaves) handed to connections.');
  lines.push(`tandem_realtime_messages_sent_total ${realtime.messagesSent}`);
}

function renderEventLoop(lines: string[], histogram: IntervalHistogram): void {
  const seconds = (ns: number) => sampleValue(Number.isFinite(ns) ? ns / 1e9 : 0);
  familyHeader(lines, 'tandem_event_loop_lag_seconds', 'gauge', 'Event-loop delay since the previous scrape, by quantile.');
  for (const quantile of [0.5, 0.9, 0.99]) lines.push(`tandem_event_loop_lag_seconds{quantile="${quantile}"} ${seconds(histogram.count === 0 ? 0 : histogram.percentile(quantile * 100))}`);
  familyHeader(lines, 'tandem_event_loop_lag_max_seconds', 'gauge', 'Largest event-loop delay since the previous scrape.');
  lines.push(`tandem_event_loop_lag_max_seconds ${seconds(histogram.count === 0 ? 0 : histogram.max)}`);
  histogram.reset();
}

function renderLog(lines: string[], droppedLines: number): void {
  familyHeader(lines, 'tandem_log_dropped_lines_total', 'counter', 'Log lines dropped because the log output failed (closed pipe, full disk) or fell behind.');
  lines.push(`tandem_log_dropped_lines_total ${droppedLines}`);
}

function renderProcess(lines: string[]): void {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  familyHeader(lines, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
  lines.push(`process_resident_memory_bytes ${memory.rss}`);
  familyHeader(lines, 'nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.');
  lines.push(`nodejs_heap_used_bytes ${memory.heapUsed}`);
  familyHeader(lines, 'process_cpu_seconds_total', 'counter', 'User and system CPU time, in seconds.');
  lines.push(`process_cpu_seconds_total ${sampleValue((cpu.user + cpu.system) / 1e6)}`);
}
