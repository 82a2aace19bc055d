package storecopy

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// planned returns the plan's tables and, for each, its column names.
func planned() map[string][]string {
	out := map[string][]string{}
	for _, t := range plan {
		out[t.name] = t.columnNames()
	}
	return out
}

// A new SQLite migration that adds a table or a column fails this test until the plan
// copies it: every table in sqlite_master (but SQLite's own and the migrations'
// bookkeeping) and every column of each is in the plan, and the plan copies nothing the
// schema lacks.
func TestThePlanCoversEverySQLiteTableAndColumn(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "fresh.db"))
	if v, err := db.SchemaVersion(ctx); err != nil || v != SQLiteSchema {
		t.Fatalf("a fresh SQLite database is at schema version %d (%v); the plan is for %d: bring the plan (and SQLiteSchema) up to the new migrations", v, err, SQLiteSchema)
	}
	src, err := openSource(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	want := planned()
	for _, name := range tables {
		if sqliteOnly[name] {
			continue
		}
		cols, ok := want[name]
		if !ok {
			t.Errorf("migrate does not copy the SQLite table %s: add it to the plan", name)
			continue
		}
		var have []string
		crows, err := src.Query(`SELECT name FROM pragma_table_info(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		for crows.Next() {
			var c string
			if err := crows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			have = append(have, c)
			if !slices.Contains(cols, c) {
				t.Errorf("migrate does not copy the SQLite column %s.%s: add it to the plan", name, c)
			}
		}
		crows.Close()
		for _, c := range cols {
			if !slices.Contains(have, c) && !(name == "incident_services" && c == "pos") {
				t.Errorf("the plan copies %s.%s, which SQLite does not have", name, c)
			}
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("the plan copies the table %s, which SQLite does not have", name)
	}
	// And the check Migrate makes of every source agrees, types included.
	tx, err := src.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := checkSQLite(ctx, tx); err != nil {
		t.Error(err)
	}
}

// Likewise on PostgreSQL: every table of the schema but the numbering lock and the
// migrations' bookkeeping is copied, with every column; the plan's order is foreign-key
// order (each table after those it references); every identity column's sequence is set.
func TestThePlanCoversEveryPostgresTableAndColumn(t *testing.T) {
	url := pgtest.New(t)
	openPostgres(t, url)
	if v := postgres.LatestSchemaVersion(); v != PostgresSchema {
		t.Fatalf("this binary's PostgreSQL schema is version %d; the plan is for %d: bring the plan (and PostgresSchema) up to the new migrations", v, PostgresSchema)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string][]string{}
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		have[tbl] = append(have[tbl], col)
	}
	rows.Close()
	want := planned()
	for tbl, cols := range have {
		if _, skip := pgOnly[tbl]; skip {
			continue
		}
		sort.Strings(cols)
		wantCols := slices.Clone(want[tbl])
		sort.Strings(wantCols)
		if strings.Join(cols, ",") != strings.Join(wantCols, ",") {
			t.Errorf("PostgreSQL table %s has columns %v, the plan copies %v", tbl, cols, wantCols)
		}
		delete(want, tbl)
	}
	for tbl := range want {
		t.Errorf("the plan copies the table %s, which PostgreSQL does not have", tbl)
	}

	// Foreign-key order: a table's references are all to tables earlier in the plan.
	frows, err := conn.Query(ctx, `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
		JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, tb := range plan {
		pos[tb.name] = i
	}
	refs := 0
	for frows.Next() {
		var from, to string
		if err := frows.Scan(&from, &to); err != nil {
			t.Fatal(err)
		}
		refs++
		if pos[to] >= pos[from] {
			t.Errorf("%s references %s, which the plan copies after it", from, to)
		}
	}
	frows.Close()
	if refs < 8 {
		t.Errorf("read %d foreign keys, want the schema's 8 or more", refs)
	}

	// Every identity column of a copied table has its sequence set after the copy, and
	// only those (a table not copied, such as the KPIs' log, keeps its own sequence).
	irows, err := conn.Query(ctx, `SELECT table_name::text || '.' || column_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	identities, err := pgx.CollectRows(irows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	identities = slices.DeleteFunc(identities, func(c string) bool { _, notCopied := pgOnly[strings.Split(c, ".")[0]]; return notCopied })
	var planIdentities []string
	for _, tb := range plan {
		for _, c := range tb.identity {
			planIdentities = append(planIdentities, tb.name+"."+c)
		}
	}
	sort.Strings(planIdentities)
	if !slices.Equal(identities, planIdentities) {
		t.Errorf("PostgreSQL's identity columns are %v, the plan sets the sequences of %v", identities, planIdentities)
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := checkPostgres(ctx, tx); err != nil {
		t.Error(err)
	}
}
