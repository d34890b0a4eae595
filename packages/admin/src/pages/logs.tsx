import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { ErrorLine, Form, Pager, TextInput } from '../ui/controls.js';

/** One request log entry as `/api/logs` serves it (PocketBase's shape). */
interface LogEntry {
  id: string;
  created: string;
  level: number;
  message: string;
  data: {
    method?: string;
    url?: string;
    status?: number;
    execTime?: number;
    remoteIP?: string;
    auth?: string;
    [key: string]: unknown;
  };
}

interface LogPage {
  items: LogEntry[];
  page: number;
  totalPages: number;
  totalItems: number;
}

interface LogStat {
  total: number;
  date: string;
}

const PER_PAGE = 50;

/**
 * The request log: the entries the server kept (`GET /api/logs`), filtered with the
 * filter language over their fields (`data.status >= 400`, `data.url ~ "/api/files"`),
 * newest first, with the requests per hour of the filtered entries (`/api/logs/stats`).
 */
export function Logs() {
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [pageNo, setPageNo] = useState(1);
  const [page, setPage] = useState<LogPage>();
  const [stats, setStats] = useState<LogStat[]>([]);
  const [open, setOpen] = useState<LogEntry>();
  const [error, setError] = useState<string>();
  // Each Apply reads again, even with the same filter: new entries arrive every half second.
  const [reads, setReads] = useState(0);
  useEffect(() => {
    const query = {
      page: String(pageNo),
      perPage: String(PER_PAGE),
      sort: '-created',
      ...(applied ? { filter: applied } : {}),
    };
    api<LogPage>('GET', '/api/logs', undefined, query).then(
      (answer) => (setPage(answer), setError(undefined)),
      (e) => setError(messageOf(e)),
    );
    api<LogStat[]>('GET', '/api/logs/stats', undefined, applied ? { filter: applied } : {}).then(setStats, () =>
      setStats([]),
    );
  }, [applied, pageNo, reads]);
  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      <Form
        label="Filter logs"
        onSubmit={() => (setPageNo(1), setApplied(filter), setReads((n) => n + 1))}
        class="row query"
      >
        <TextInput label="Filter" value={filter} onInput={setFilter} mono hint="e.g. data.status >= 400" />
        <button type="submit">Apply</button>
      </Form>
      <ErrorLine error={error} />
      <Histogram stats={stats} />
      <table>
        <caption>
          {page
            ? `${page.totalItems} ${page.totalItems === 1 ? 'entry' : 'entries'}, page ${page.page} of ${Math.max(page.totalPages, 1)}`
            : 'Loading'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Method</th>
            <th scope="col">URL</th>
            <th scope="col">Status</th>
            <th scope="col">ms</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((entry) => (
            <tr key={entry.id}>
              <td>{entry.created}</td>
              <td>{entry.data.method ?? ''}</td>
              <td class="mono">{entry.data.url ?? entry.message}</td>
              <td>{entry.data.status ?? ''}</td>
              <td>{entry.data.execTime === undefined ? '' : entry.data.execTime.toFixed(1)}</td>
              <td>
                <button type="button" class="link" onClick={() => setOpen(entry)} aria-label={`Details of ${entry.id}`}>
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={pageNo} totalPages={page?.totalPages} onPage={setPageNo} />
      {open && (
        <section class="card" aria-label="Log entry">
          <h2>{open.message}</h2>
          <pre class="mono">{JSON.stringify(open, null, 2)}</pre>
          <button type="button" onClick={() => setOpen(undefined)}>
            Close
          </button>
        </section>
      )}
    </section>
  );
}

/** Requests per hour of the filtered entries, as bars. */
function Histogram({ stats }: { stats: LogStat[] }) {
  if (stats.length === 0) return null;
  const max = Math.max(...stats.map((s) => s.total), 1);
  const width = 600;
  // At most 24 px a bar, so a few hours do not fill the chart with one block.
  const bar = Math.min(width / stats.length, 24);
  return (
    <svg width={width} height="60" role="img" aria-label={`Requests per hour, ${stats.length} hours`}>
      {stats.map((s, i) => (
        <rect
          key={s.date}
          x={i * bar}
          y={60 - (s.total / max) * 58}
          width={Math.max(bar - 1, 1)}
          fill="#3366cc"
          height={(s.total / max) * 58}
        >
          <title>
            {s.date}: {s.total}
          </title>
        </rect>
      ))}
    </svg>
  );
}
