package storecopy

// SQLiteSchema is the SQLite schema version the plan is written for: the highest of
// internal/sqlite's migrations. A source at another version (after opening migrated it
// forward) is refused, and a test fails when a new SQLite migration lands without the plan
// being brought up to it.
const SQLiteSchema = 27

// PostgresSchema is the PostgreSQL schema version the plan is written for.
const PostgresSchema = 13

// kind is how a column's values are carried from SQLite to PostgreSQL.
type kind int

const (
	integer kind = iota // INTEGER -> INTEGER or BIGINT
	text                // TEXT -> TEXT, byte for byte
	boolean             // INTEGER 0 or 1 -> BOOLEAN
)

// column is one column of a copied table.
type column struct {
	name string
	kind kind
	// from is the SQLite expression the value is read from, when it is not the column of
	// the same name (incident_services.pos is the row's rowid: the order services were added).
	from string
}

// table is one table copied: its columns, the key its rows are read in (so both sides are
// compared row by row in one order) and its identity columns (whose sequences are set past
// the copied values).
type table struct {
	name     string
	columns  []column
	key      []string
	identity []string
	what     string // what a row is, for the report: "incidents", "events", ...
}

// pgOnly are PostgreSQL tables that are not copied: the numbering lock's fixed row, the
// migrations' bookkeeping and the singleton duties' lock rows (made by a replica on demand). Each maps to the condition on the rows it may hold when the
// database counts as empty.
var pgOnly = map[string]string{
	"incident_numbering": "id <> 1",
	"schema_migrations":  "false",
	"duties":             "false",
	"stats_changes":      "false", // the KPIs' log of changes, which the copy's inserts fill anew
	"live_changes":       "false", // the live pages' log of changes, likewise
}

// sqliteOnly are SQLite tables that are not copied: the migrations' bookkeeping (PostgreSQL
// has its own) and the KPIs' and the live pages' logs of changes (the copy's inserts fill
// PostgreSQL's anew).
var sqliteOnly = map[string]bool{"schema_migrations": true, "stats_changes": true, "live_changes": true}

func ints(names ...string) []column  { return cols(integer, names...) }
func texts(names ...string) []column { return cols(text, names...) }

func cols(k kind, names ...string) []column {
	out := make([]column, len(names))
	for i, n := range names {
		out[i] = column{name: n, kind: k}
	}
	return out
}

func join(groups ...[]column) []column {
	var out []column
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// plan is every table the bot keeps, in foreign-key order: a table comes after the tables
// it references, so one transaction can insert them in this order.
var plan = []table{
	{name: "incidents", what: "incidents", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "number"),
		texts("title", "description", "severity", "service"),
		ints("tier"),
		texts("status"),
		[]column{{name: "private", kind: boolean}},
		texts("declared_by", "commander", "origin_channel", "channel_id", "channel_name", "card_ts",
			"declared_at", "mitigated_at", "resolved_at", "summary", "pagerduty_id", "pagerduty_url",
			"acked_at", "acked_by", "impact", "comms"),
		ints("review_number"),
		texts("review_url", "review_filed_at"),
		ints("rpo_achieved"),
		[]column{{name: "drill", kind: boolean}},
		texts("rpo_measured"),
	)},
	{name: "incident_roles", what: "roles", key: []string{"incident_id", "role"}, columns: join(
		ints("incident_id"), texts("role", "holder", "oncall"),
	)},
	{name: "incident_services", what: "services", key: []string{"incident_id", "service"}, identity: []string{"pos"}, columns: join(
		ints("incident_id"), texts("service", "added_at", "added_by"),
		[]column{{name: "pos", kind: integer, from: "rowid"}},
	)},
	{name: "timeline_events", what: "events", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "incident_id", "seq"), texts("at", "actor", "kind"), ints("format"),
		texts("text", "data", "prev_hash", "hash"),
	)},
	{name: "effects", what: "effects", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "incident_id"), texts("kind", "key", "payload", "state"), ints("attempts", "next_attempt_at"),
		texts("last_error"), ints("created_at"), texts("lane"), ints("lane_rank", "claim", "claimed_until", "priority"),
	)},
	{name: "seen", what: "seen keys", key: []string{"key"}, columns: join(
		texts("key"), ints("at"),
	)},
	{name: "pages", what: "pages", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "incident_id"),
		texts("role", "target", "key", "pager_id", "url", "status", "acked_by", "acked_at", "created_at"),
	)},
	{name: "runs", what: "runs", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "incident_id"), texts("playbook", "title", "params", "started_by", "started_at", "card_ts"),
	)},
	{name: "run_steps", what: "run steps", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "run_id", "seq", "phase"), texts("phase_name"), ints("phase_after", "phase_within"),
		texts("spec", "state", "requested_by", "approved_by", "decided_by"), ints("attempts"),
		texts("output", "card_ts", "updated_at", "plan", "planned_at"),
		texts("approved_at", "approved_plan", "break_glass"), ints("break_glasses"), texts("voided", "plan_change", "prior"),
	)},
	{name: "followups", what: "follow-ups", key: []string{"id"}, identity: []string{"id"}, columns: join(
		ints("id", "incident_id"), texts("text", "owner", "created_by", "created_at", "issue_url"),
		ints("issue_number"), texts("done_at", "done_by", "outcome"),
	)},
	{name: "drill_reminders", what: "drill reminders", key: []string{"key"}, columns: join(
		texts("key"), ints("posted_at"),
	)},
	{name: "statuspage_incidents", what: "status page incidents", key: []string{"incident_id"}, columns: join(
		ints("incident_id"), texts("page_incident_id", "url", "status", "updated_at"),
	)},
}

// columnNames are t's column names, in plan order.
func (t table) columnNames() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

// isText reports whether t's column name is text (so its order needs the C collation on
// PostgreSQL to match SQLite's binary order).
func (t table) isText(name string) bool {
	for _, c := range t.columns {
		if c.name == name {
			return c.kind == text
		}
	}
	return false
}
