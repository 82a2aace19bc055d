package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// schema is the tables of a database and the columns of each, with their declared types.
type schema map[string]map[string]string

// sqliteSchema reads the tables (other than SQLite's own) and columns of the source.
func sqliteSchema(ctx context.Context, tx *sql.Tx) (schema, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.name, p.name, upper(p.type) FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return nil, fmt.Errorf("read the SQLite schema: %w", err)
	}
	defer rows.Close()
	return scanSchema(rows.Next, rows.Scan, rows.Err)
}

// postgresSchema reads the tables and columns of the target's current schema.
func postgresSchema(ctx context.Context, tx pgx.Tx) (schema, error) {
	rows, err := tx.Query(ctx, `SELECT c.table_name::text, c.column_name::text, c.data_type::text
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL schema: %w", err)
	}
	defer rows.Close()
	return scanSchema(rows.Next, func(dest ...any) error { return rows.Scan(dest...) }, rows.Err)
}

func scanSchema(next func() bool, scan func(...any) error, done func() error) (schema, error) {
	s := schema{}
	for next() {
		var tbl, col, typ string
		if err := scan(&tbl, &col, &typ); err != nil {
			return nil, err
		}
		if s[tbl] == nil {
			s[tbl] = map[string]string{}
		}
		s[tbl][col] = typ
	}
	return s, done()
}

// sqliteTypes and postgresTypes are the declared types each kind of column may have.
var (
	sqliteTypes   = map[kind][]string{integer: {"INTEGER"}, boolean: {"INTEGER"}, text: {"TEXT"}}
	postgresTypes = map[kind][]string{integer: {"integer", "bigint"}, boolean: {"boolean"}, text: {"text"}}
)

// checkSchema lists every way s differs from the plan: a table or a column that the plan
// does not copy (a migration added it and the plan was not brought up to it), one the plan
// copies that s lacks, a column of another type. skip are s's tables that are not copied;
// fromRowid says that columns read from the rowid are not SQLite columns.
func checkSchema(s schema, skip map[string]bool, types map[kind][]string, fromRowid bool) []string {
	var out []string
	planned := map[string]bool{}
	for _, t := range plan {
		planned[t.name] = true
		have, ok := s[t.name]
		if !ok {
			out = append(out, fmt.Sprintf("it has no table %s", t.name))
			continue
		}
		want := map[string]bool{}
		for _, c := range t.columns {
			if fromRowid && c.from == "rowid" {
				continue
			}
			want[c.name] = true
			typ, ok := have[c.name]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("its table %s has no column %s", t.name, c.name))
			case !slices.Contains(types[c.kind], typ):
				out = append(out, fmt.Sprintf("its column %s.%s is %s, want %s", t.name, c.name, typ, strings.Join(types[c.kind], " or ")))
			}
		}
		for name := range have {
			if !want[name] {
				out = append(out, fmt.Sprintf("its column %s.%s is not copied", t.name, name))
			}
		}
	}
	for name := range s {
		if !planned[name] && !skip[name] {
			out = append(out, fmt.Sprintf("its table %s is not copied", name))
		}
	}
	sort.Strings(out)
	return out
}

// checkSQLite refuses a source whose tables or columns are not the plan's.
func checkSQLite(ctx context.Context, tx *sql.Tx) error {
	s, err := sqliteSchema(ctx, tx)
	if err != nil {
		return err
	}
	if diffs := checkSchema(s, sqliteOnly, sqliteTypes, true); len(diffs) > 0 {
		return fmt.Errorf("the SQLite database is not the schema this binary copies: %s", strings.Join(diffs, "; "))
	}
	return nil
}

// checkPostgres refuses a target whose tables or columns are not the plan's.
func checkPostgres(ctx context.Context, tx pgx.Tx) error {
	s, err := postgresSchema(ctx, tx)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for name := range pgOnly {
		skip[name] = true
	}
	if diffs := checkSchema(s, skip, postgresTypes, false); len(diffs) > 0 {
		return fmt.Errorf("the PostgreSQL database is not the schema this binary copies to: %s", strings.Join(diffs, "; "))
	}
	return nil
}
