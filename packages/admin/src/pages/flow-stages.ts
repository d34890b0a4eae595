import type { FlowChangeEvent, FlowRequestEvent } from '@tandem/protocol';

/** One stage a request passed, as the Flow page draws it. */
export interface Stage {
  readonly name: string;
  /** False when the request did not reach or need this stage. */
  readonly passed: boolean;
  readonly ms?: number;
  readonly detail: string;
}

/** A request and the change (with its fan-out) it caused, once that arrived. */
export interface FlowRow {
  readonly request: FlowRequestEvent;
  change?: FlowChangeEvent;
}

/** The stages of a request, in the order it passed them: edge to database, then change log and fan-out. */
export function stagesOf(row: FlowRow): Stage[] {
  const { request: r, change } = row;
  const rules = r.rules.map((d) => `${d.collection}.${d.rule}: ${describeOutcome(d.outcome)}`).join('; ');
  return [
    { name: 'Connection', passed: true, detail: describeConnection(r) },
    { name: 'HTTP edge', passed: r.timings.edgeMs !== undefined, ms: r.timings.edgeMs, detail: r.route || r.path },
    { name: 'Auth', passed: true, ms: r.timings.authMs, detail: r.principal },
    { name: 'Rules', passed: r.rules.length > 0, detail: rules || 'none applied' },
    { name: 'Cache', passed: r.cache !== 'bypass', detail: r.cache },
    {
      name: 'Database',
      passed: r.timings.dbMs > 0,
      ms: r.timings.dbMs,
      detail: r.timings.dbMs > 0 ? 'store calls' : 'not reached',
    },
    { name: 'Change log', passed: !!change, detail: change ? `seq ${change.seq}, ${change.action}` : 'no change' },
    { name: 'Fan-out', passed: !!change, detail: change ? describeFanout(change) : '' },
    { name: 'Response', passed: true, ms: r.timings.totalMs, detail: `${r.status}, ${r.bytes} bytes` },
  ];
}

function describeConnection(r: FlowRequestEvent): string {
  const tls = r.connection.tls ? ' over TLS' : '';
  if (r.transport === 'websocket') return `a request frame on the realtime WebSocket${tls}`;
  if (r.transport === 'grpc') return `a gRPC call over HTTP/2${tls}`;
  return `HTTP/${r.connection.http}${tls}, ${r.connection.reused ? 'reused' : 'new'}`;
}

function describeOutcome(outcome: string): string {
  if (outcome === 'locked') return 'refused (locked)';
  if (outcome === 'condition') return 'applied as a condition';
  if (outcome === 'open') return 'allowed (open)';
  return 'bypassed (superuser)';
}

/** "2 of 3 clients: websocket 1, sse 1". */
export function describeFanout(change: FlowChangeEvent): string {
  const parts = Object.entries(change.delivered).map(([transport, n]) => `${transport} ${n}`);
  const total = Object.values(change.delivered).reduce((sum, n) => sum + n, 0);
  return `${total} subscriber${total === 1 ? '' : 's'} of ${change.clients} clients${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Attaches a change to the newest request that wrote that record (or created in that collection) just before. */
export function attachChange(rows: FlowRow[], change: FlowChangeEvent): boolean {
  for (const row of rows) {
    const r = row.request;
    if (row.change || r.collection !== change.collection || r.method === 'GET' || r.status >= 400) continue;
    if (change.at - r.at > 2000 || r.at - change.at > 2000) continue;
    if (r.recordId ? r.recordId === change.recordId : r.method === 'POST') {
      row.change = change;
      return true;
    }
  }
  return false;
}
