import { useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api/client.js';
import { ErrorLine } from '../ui/controls.js';

/** The Prometheus series the page charts, by name prefix. */
const KEY_SERIES = [
  'tandem_http_requests_total',
  'tandem_cache',
  'tandem_realtime',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag',
];
const HISTORY = 30;

/** A few key metrics from `/api/metrics`, sampled every 2 s, each drawn as a small line. */
export function Metrics() {
  const [history, setHistory] = useState<Record<string, number[]>>({});
  const [error, setError] = useState<string>();
  useEffect(() => {
    const sample = () =>
      fetchMetrics().then(
        (values) => setHistory((current) => addSample(current, values)),
        (e) => setError(messageOf(e)),
      );
    void sample();
    const timer = setInterval(sample, 2000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <ErrorLine error={error} />
      <ul class="metrics">
        {Object.entries(history).map(([name, values]) => (
          <li key={name}>
            <span class="mono">{name}</span> <strong>{values.at(-1)}</strong>
            <Spark values={values} label={name} />
          </li>
        ))}
      </ul>
    </section>
  );
}

async function fetchMetrics(): Promise<Record<string, number>> {
  const response = await fetch('/api/metrics', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`metrics: ${response.status}`);
  const sums: Record<string, number> = {};
  for (const line of (await response.text()).split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+([\d.eE+-]+)$/.exec(line);
    if (match && KEY_SERIES.some((prefix) => match[1]!.startsWith(prefix)) && !match[1]!.endsWith('_bucket'))
      sums[match[1]!] = (sums[match[1]!] ?? 0) + Number(match[2]);
  }
  return sums;
}

function addSample(current: Record<string, number[]>, values: Record<string, number>): Record<string, number[]> {
  const next: Record<string, number[]> = {};
  for (const [name, value] of Object.entries(values)) next[name] = [...(current[name] ?? []), value].slice(-HISTORY);
  return next;
}

function Spark({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(...values, 1);
  const min = Math.min(...values, 0);
  const points = values.map((v, i) => `${(i / (HISTORY - 1)) * 120},${30 - ((v - min) / (max - min || 1)) * 28}`);
  return (
    <svg width="120" height="32" role="img" aria-label={`${label} over the last minute`}>
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
