import { useEffect, useRef, useState } from 'preact/hooks';
import type { FlowEvent } from '@tandem/protocol';
import { openFlowStream } from '../api/flow-stream.js';
import { Checkbox, TextInput } from '../ui/controls.js';
import { attachChange, describeFanout, stagesOf, type FlowRow } from './flow-stages.js';
import { SendRequest } from './send-request.js';

const KEEP = 300;

interface Filters {
  path: string;
  method: string;
  status: string;
  collection: string;
  transport: string;
}

/**
 * The Flow page: every request the server answers, live, drawn through the stages it
 * passed, from the superuser-only stream `/api/flow`. Pausing stops drawing (the stream
 * stays open and its frames are let go); filters apply to what is drawn.
 */
export function Flow() {
  const [rows, setRows] = useState<FlowRow[]>([]);
  const [dropped, setDropped] = useState(0);
  const [state, setState] = useState<'connecting' | 'open' | 'error'>('connecting');
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [filters, setFilters] = useState<Filters>({ path: '', method: '', status: '', collection: '', transport: '' });
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(
    () =>
      openFlowStream((events, lost) => {
        if (pausedRef.current) return;
        setDropped((n) => n + lost);
        setRows((current) => merge(current, events));
      }, setState),
    [],
  );
  const shown = rows.filter((row) => matches(row, filters));
  const row = rows.find((r) => r.request.id === selected);
  const filter = (key: keyof Filters) => (value: string) => setFilters({ ...filters, [key]: value });
  return (
    <section aria-labelledby="flow-title">
      <header class="row">
        <h1 id="flow-title">Flow</h1>
        <span class="badge" role="status">
          {state === 'open' ? 'Streaming' : state === 'error' ? 'Reconnecting' : 'Connecting'}
          {dropped > 0 ? `, ${dropped} dropped` : ''}
        </span>
        <Checkbox label="Pause" checked={paused} onChange={setPaused} />
        <button type="button" onClick={() => (setRows([]), setSelected(undefined))}>
          Clear
        </button>
      </header>
      <fieldset class="row filters">
        <legend>Filters</legend>
        <TextInput label="Path contains" value={filters.path} onInput={filter('path')} />
        <TextInput label="Method" value={filters.method} onInput={filter('method')} />
        <TextInput label="Status" value={filters.status} onInput={filter('status')} hint="e.g. 200 or 4" />
        <TextInput label="Collection" value={filters.collection} onInput={filter('collection')} />
        <TextInput
          label="Transport"
          value={filters.transport}
          onInput={filter('transport')}
          hint="rest, graphql, batch, websocket, sse"
        />
      </fieldset>
      <div class="flow">
        <ol class="flow-list" aria-label="Requests">
          {shown.map((r) => (
            <li key={r.request.id}>
              <button
                type="button"
                class={`flow-item${r.request.id === selected ? ' selected' : ''}`}
                aria-pressed={r.request.id === selected}
                onClick={() => setSelected(r.request.id)}
              >
                <span class={`status s${String(r.request.status)[0]}`}>{r.request.status}</span>
                <span class="mono">{r.request.method}</span> <span class="mono">{r.request.path}</span>
                <Lanes row={r} />
              </button>
            </li>
          ))}
        </ol>
        <div class="flow-detail">
          {row ? <Timeline row={row} /> : <p>Select a request to see its timeline.</p>}
          <SendRequest />
        </div>
      </div>
    </section>
  );
}

function merge(current: FlowRow[], events: readonly FlowEvent[]): FlowRow[] {
  const next = [...current];
  for (const event of events) {
    if (event.type === 'request') next.unshift({ request: event });
    else attachChange(next, event);
  }
  return next.slice(0, KEEP);
}

function matches(row: FlowRow, f: Filters): boolean {
  const r = row.request;
  const transports = [r.transport, ...Object.keys(row.change?.delivered ?? {})];
  return (
    (!f.path || r.path.includes(f.path)) &&
    (!f.method || r.method === f.method.toUpperCase()) &&
    (!f.status || String(r.status).startsWith(f.status)) &&
    (!f.collection || r.collection === f.collection) &&
    (!f.transport || transports.includes(f.transport.toLowerCase()))
  );
}

/** The stages as a row of lit and dim cells: the request's path across the diagram. */
function Lanes({ row }: { row: FlowRow }) {
  return (
    <span class="lanes" aria-hidden="true">
      {stagesOf(row).map((stage) => (
        <span key={stage.name} class={stage.passed ? 'lane on' : 'lane'} title={`${stage.name}: ${stage.detail}`} />
      ))}
    </span>
  );
}

function Timeline({ row }: { row: FlowRow }) {
  const r = row.request;
  return (
    <section aria-label="Timeline" class="card">
      <h2>
        {r.method} {r.path}
      </h2>
      <p>
        {r.transport} · {r.status} · {new Date(r.at).toLocaleTimeString()} · request {r.id}
      </p>
      <table>
        <caption class="sr-only">Stages</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Time (ms)</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {stagesOf(row).map((stage) => (
            <tr key={stage.name} class={stage.passed ? '' : 'dim'}>
              <th scope="row">{stage.name}</th>
              <td>{stage.ms === undefined ? '' : stage.ms.toFixed(2)}</td>
              <td>{stage.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {row.change && <p>Reached {describeFanout(row.change)}.</p>}
    </section>
  );
}
