// check.ts — compiled with `tsc --noEmit` by typescript.test.js: the
// declarations in index.d.ts accept the documented API and reject misuse.
import Database = require('../..');

const db = new Database(':memory:', { config: { snapshot: { min_retention_seconds: 60 } }, timeout: 1000 });
db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(8,2))');

interface Row {
  id: number;
  name: string;
  amount: string;
}

const ins = db.prepare<[string, string]>('INSERT INTO t (name, amount) VALUES (?, ?)');
const info: Database.RunResult = ins.run('a', '1.50');
const rowid: number | bigint = info.lastInsertRowid;

const sel = db.prepare<[number], Row>('SELECT id, name, amount FROM t WHERE id > ?');
const first: Row | undefined = sel.get(0);
const all: Row[] = sel.all(0);
for (const r of sel.iterate(0)) console.log(r.name.toUpperCase());
const cols: Database.ColumnDefinition[] = sel.columns();
sel.pluck().raw(false).safeIntegers();

const named = db.prepare<[Database.NamedParams]>('SELECT :x AS x');
named.get({ x: 1n });

const transfer = db.transaction((n: number): number => n * 2);
const doubled: number = transfer(2);
transfer.immediate(3);

async function run(): Promise<void> {
  const ac = new AbortController();
  const rows = await db.query<{ c: number }>('SELECT count(*) AS c FROM t', [], { signal: ac.signal });
  const c: number = rows[0].c;
  const changes: number = rows.info.changes;
  try {
    await db.query('SELECT :a', { a: 'x' });
  } catch (e) {
    if (e instanceof Database.HeliosDBError && e.code === 'HELIOSDB_INTERRUPT') console.log(e.errcode);
  }
  console.log(c, changes);
}

const inTx: boolean = db.inTransaction;
const notice: string | null = db.notice;
const v: string = Database.version;
db.close();

// @ts-expect-error: the path must be a string
new Database(42);
// @ts-expect-error: readonly is a boolean
new Database(':memory:', { readonly: 'yes' });
// @ts-expect-error: the parameters were declared as [number]
sel.get('x');
// @ts-expect-error: a statement has no exec()
sel.exec('x');

export { rowid, first, all, cols, doubled, run, inTx, notice, v };
