import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect for PGlite, shaped like the one Kysely 0.29 ships so that moving up is a
 * one-line change. PGlite is a single connection, so connections are handed out one at a time.
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  #driver: PGliteDriver | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  /** How many callers hold or wait for the single connection (for metrics). */
  connectionStats(): { inUse: boolean; waiting: number } {
    return this.#driver?.connectionStats() ?? { inUse: false, waiting: 0 };
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    this.#driver = new PGliteDriver(this.#pglite);
    return this.#driver;
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #mutex = new ConnectionMutex();

  constructor(pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  connectionStats(): { inUse: boolean; waiting: number } {
    return this.#mutex.stats();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // A transaction on the one PGlite session must not interleave with other queries.
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    // The PGlite instance belongs to whoever created it (see openDatabase), which closes it.
  }
}

/**
 * Waits for the event loop's next turn. PGlite runs a statement on this thread and settles its
 * promise at once, so a request's statements, awaited one after another, would run as one task:
 * an upload's transaction, search indexing and audit held the loop 110–130 ms at a time. Each
 * statement waits for this first, so timers and other requests run between them.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    await nextTurn();
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    const isWrite = ['insert', 'update', 'delete', 'merge'].includes(
      compiledQuery.query.kind === 'RawNode'
        ? ''
        : compiledQuery.query.kind.replace(/QueryNode$/, '').toLowerCase(),
    );
    return {
      rows: result.rows,
      ...(isWrite || result.affectedRows
        ? { numAffectedRows: BigInt(result.affectedRows ?? 0) }
        : {}),
    };
  }

  // eslint-disable-next-line require-yield -- PGlite has no cursors; Kysely only needs the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}

class ConnectionMutex {
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  #waiting = 0;

  stats(): { inUse: boolean; waiting: number } {
    return { inUse: this.#promise !== undefined, waiting: this.#waiting };
  }

  async lock(): Promise<void> {
    this.#waiting += 1;
    try {
      while (this.#promise) await this.#promise;
    } finally {
      this.#waiting -= 1;
    }
    this.#promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  unlock(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}
