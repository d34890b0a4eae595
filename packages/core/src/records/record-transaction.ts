import { recorderOf } from '../changes/change-recorder.js';
import type { SqlQuery } from '../store/query-template.js';
import type { Executor, Row } from '../store/store.js';

/**
 * A transaction's executor that stops working once `revoke` is called. Work that outlived
 * its transaction (a hook abandoned after its time budget, still awaiting) must not run
 * statements later: on SQLite they would land on the writer connection outside any
 * transaction, or inside the next request's. The change recorder is kept, so the
 * transaction's changes still reach realtime.
 */
export function revocableExecutor(tx: Executor): { readonly tx: Executor; revoke(): void } {
  let open = true;
  const check = () => {
    if (!open) throw new Error('This transaction has ended; work that outlived it cannot use it.');
  };
  const changes = recorderOf(tx);
  const guarded: Executor = {
    dialect: tx.dialect,
    ...(changes ? { changes } : {}),
    all: <T extends Row = Row>(query: SqlQuery) => (check(), tx.all<T>(query)),
    first: <T extends Row = Row>(query: SqlQuery) => (check(), tx.first<T>(query)),
    run: (query: SqlQuery) => (check(), tx.run(query)),
    exec: (ddl: string) => (check(), tx.exec(ddl)),
  };
  return { tx: guarded, revoke: () => void (open = false) };
}
