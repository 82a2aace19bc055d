package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// NotEmptyError says the target already holds rows: migrate copies only into an empty
// database, so that it never mixes two histories or overwrites one.
type NotEmptyError struct {
	Rows map[string]int64 // table -> rows it holds
}

func (e *NotEmptyError) Error() string {
	var parts []string
	for name, n := range e.Rows {
		parts = append(parts, fmt.Sprintf("%s: %d", name, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("the PostgreSQL database is not empty (%s); migrate copies only into an empty database: "+
		"create a new one (CREATE DATABASE) and give its URL", strings.Join(parts, ", "))
}

// Count is how many rows of one table were copied.
type Count struct {
	Table string // the table, such as timeline_events
	What  string // what its rows are, such as events
	Rows  int64
}

// copyAll copies every table of the plan from src, read in one transaction (one snapshot),
// into dst, written in one transaction: it refuses a target that is not empty, inserts the
// tables in foreign-key order keeping every id, reads every row back and compares it with
// the source's, sets each identity sequence past the highest copied value, and commits only
// if all of that succeeded.
func copyAll(ctx context.Context, src *sql.DB, dst *pgx.Conn) ([]Count, error) {
	stx, err := src.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin reading the SQLite database: %w", err)
	}
	defer stx.Rollback()
	// The snapshot is taken at the first read, this one.
	if err := checkSQLite(ctx, stx); err != nil {
		return nil, err
	}
	dtx, err := dst.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite})
	if err != nil {
		return nil, fmt.Errorf("begin writing the PostgreSQL database: %w", err)
	}
	defer dtx.Rollback(context.WithoutCancel(ctx))
	if err := lockEmpty(ctx, dtx); err != nil {
		return nil, err
	}
	if err := checkPostgres(ctx, dtx); err != nil {
		return nil, err
	}
	var counts []Count
	for _, t := range plan {
		n, err := copyTable(ctx, stx, dtx, t)
		if err != nil {
			return nil, err
		}
		counts = append(counts, Count{Table: t.name, What: t.what, Rows: n})
		if testHook != nil {
			testHook(t.name)
		}
	}
	for i, t := range plan {
		if err := compareTable(ctx, stx, dtx, t, counts[i].Rows); err != nil {
			return nil, err
		}
		if err := setIdentities(ctx, dtx, t); err != nil {
			return nil, err
		}
	}
	if err := dtx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	if testHook != nil {
		testHook("commit")
	}
	return counts, nil
}

// testHook, when set, is called after each table is copied (with its name) and after the
// commit (with "commit"): a test writes to the source or the target there, as another
// process could.
var testHook func(after string)

// lockEmpty locks every table of the target against writers until the copy commits, and
// refuses it unless each is empty (but for the rows pgOnly allows).
func lockEmpty(ctx context.Context, tx pgx.Tx) error {
	// A bot serving on the target holds its locks briefly; one that waits longer is a
	// copy or a migration going on.
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return fmt.Errorf("set the lock timeout: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return fmt.Errorf("list the PostgreSQL tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list the PostgreSQL tables: %w", err)
	}
	var quoted []string
	for _, name := range names {
		quoted = append(quoted, pgx.Identifier{name}.Sanitize())
	}
	if len(quoted) > 0 {
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(quoted, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
				return fmt.Errorf("the PostgreSQL database is in use (its tables stayed locked for 10 s): stop every incidentbot that uses it and try again")
			}
			return fmt.Errorf("lock the PostgreSQL tables: %w", err)
		}
	}
	held := map[string]int64{}
	for i, name := range names {
		where := ""
		if cond, ok := pgOnly[name]; ok {
			where = " WHERE " + cond
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+quoted[i]+where).Scan(&n); err != nil {
			return fmt.Errorf("count the rows of %s: %w", name, err)
		}
		if n > 0 {
			held[name] = n
		}
	}
	if len(held) > 0 {
		return &NotEmptyError{Rows: held}
	}
	return nil
}

// sqliteSelect is the query that reads t from SQLite, in key order.
func sqliteSelect(t table) string {
	exprs := make([]string, len(t.columns))
	for i, c := range t.columns {
		exprs[i] = c.name
		if c.from != "" {
			exprs[i] = c.from
		}
	}
	return fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(exprs, ", "), t.name, strings.Join(t.key, ", "))
}

// postgresSelect is the query that reads t back from PostgreSQL in the order sqliteSelect
// reads it: text keys in byte order (the C collation), as SQLite's BINARY compares.
func postgresSelect(t table) string {
	order := make([]string, len(t.key))
	for i, k := range t.key {
		order[i] = k
		if t.isText(k) {
			order[i] = k + ` COLLATE "C"`
		}
	}
	return fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(t.columnNames(), ", "), t.name, strings.Join(order, ", "))
}

// sourceRows reads t from SQLite, each row converted for PostgreSQL; it is a
// pgx.CopyFromSource, so COPY streams it without holding the table in memory.
type sourceRows struct {
	t    table
	rows *sql.Rows
	vals []any
	err  error
}

func readSource(ctx context.Context, tx *sql.Tx, t table) (*sourceRows, error) {
	rows, err := tx.QueryContext(ctx, sqliteSelect(t))
	if err != nil {
		return nil, fmt.Errorf("read %s from SQLite: %w", t.name, err)
	}
	return &sourceRows{t: t, rows: rows}, nil
}

// Next reads the next row; false at the end or on an error (then Err says which).
func (r *sourceRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		if r.err == nil {
			r.err = r.rows.Err()
		}
		return false
	}
	raw := make([]any, len(r.t.columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		r.err = fmt.Errorf("read %s from SQLite: %w", r.t.name, err)
		return false
	}
	r.vals = make([]any, len(raw))
	for i, c := range r.t.columns {
		v, err := fromSQLite(c, raw[i])
		if err != nil {
			r.err = fmt.Errorf("%s %s: column %s holds %w", r.t.name, rowKey(r.t, raw), c.name, err)
			return false
		}
		r.vals[i] = v
	}
	return true
}

// Values returns the current row.
func (r *sourceRows) Values() ([]any, error) { return r.vals, nil }

// Err is the error that ended the rows, if any.
func (r *sourceRows) Err() error { return r.err }

// Close releases the query.
func (r *sourceRows) Close() { r.rows.Close() }

// rowKey names a row by its key columns, such as (id=42).
func rowKey(t table, vals []any) string {
	var parts []string
	for _, k := range t.key {
		for i, c := range t.columns {
			if c.name == k {
				parts = append(parts, fmt.Sprintf("%s=%v", k, vals[i]))
			}
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// copyTable streams t from the source into the target with COPY and returns how many rows
// it copied.
func copyTable(ctx context.Context, stx *sql.Tx, dtx pgx.Tx, t table) (int64, error) {
	src, err := readSource(ctx, stx, t)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	n, err := dtx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columnNames(), src)
	if err != nil {
		if src.err != nil {
			return 0, src.err
		}
		return 0, fmt.Errorf("copy %s to PostgreSQL: %w", t.name, err)
	}
	return n, nil
}

// compareTable reads t again from both sides, in the same order, and fails on the first
// row that differs in any column, or when either side has rows the other lacks.
func compareTable(ctx context.Context, stx *sql.Tx, dtx pgx.Tx, t table, copied int64) error {
	src, err := readSource(ctx, stx, t)
	if err != nil {
		return err
	}
	defer src.Close()
	rows, err := dtx.Query(ctx, postgresSelect(t))
	if err != nil {
		return fmt.Errorf("read %s back from PostgreSQL: %w", t.name, err)
	}
	defer rows.Close()
	var n int64
	for src.Next() {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read %s back from PostgreSQL: %w", t.name, err)
			}
			return fmt.Errorf("%s: PostgreSQL lacks the row %s and those after it", t.name, rowKey(t, src.vals))
		}
		got, err := rows.Values()
		if err != nil {
			return fmt.Errorf("read %s back from PostgreSQL: %w", t.name, err)
		}
		for i, c := range t.columns {
			v, err := fromPostgres(c, got[i])
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.name, rowKey(t, src.vals), err)
			}
			if v != src.vals[i] {
				return fmt.Errorf("%s %s: column %s reads back as %s from PostgreSQL, %s in SQLite",
					t.name, rowKey(t, src.vals), c.name, describe(v), describe(src.vals[i]))
			}
		}
		n++
	}
	if err := src.Err(); err != nil {
		return err
	}
	if rows.Next() {
		return fmt.Errorf("%s: PostgreSQL has more rows than SQLite (%d copied)", t.name, copied)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s back from PostgreSQL: %w", t.name, err)
	}
	if n != copied {
		return fmt.Errorf("%s: %d rows in SQLite, %d copied", t.name, n, copied)
	}
	return nil
}

// setIdentities sets the sequence of each identity column of t to the highest value copied,
// so that the next row PostgreSQL numbers gets the next one. A table copied empty keeps its
// sequence at the start.
func setIdentities(ctx context.Context, tx pgx.Tx, t table) error {
	for _, col := range t.identity {
		_, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max(%s) AS m FROM %s) s WHERE m IS NOT NULL`,
			col, t.name), t.name, col)
		if err != nil {
			return fmt.Errorf("set the sequence of %s.%s: %w", t.name, col, err)
		}
	}
	return nil
}
