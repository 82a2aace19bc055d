package commands

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

var testCatalog = incident.Catalog{
	"intent-processing": {Name: "intent-processing", Tier: 1},
	"api-gateway":       {Name: "api-gateway", Tier: 2},
}

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{"plain", "declare P1 api down", []string{"declare", "P1", "api", "down"}, ""},
		{"runs of space", "  a \t b\n c  ", []string{"a", "b", "c"}, ""},
		{"double quotes", `note "two words" x`, []string{"note", "two words", "x"}, ""},
		{"single quotes", `note 'it''s'`, []string{"note", "its"}, ""},
		{"smart quotes", "declare “DB is down” now", []string{"declare", "DB is down", "now"}, ""},
		{"quote inside word", `ab"c d"e`, []string{"abc de"}, ""},
		{"empty quotes", `a "" b`, []string{"a", "", "b"}, ""},
		{"mention", "role technical-lead <@U123ABC|bob>", []string{"role", "technical-lead", "<@U123ABC|bob>"}, ""},
		{"unclosed", `note "oops`, nil, `A quote is not closed: add the closing ".`},
		{"unclosed smart", "note “oops", nil, "A quote is not closed: add the closing ”."},
		{"empty", "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Tokenize(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestParseUser(t *testing.T) {
	for in, want := range map[string]string{"<@U123ABC>": "U123ABC", "<@U123ABC|bob>": "U123ABC", "<@W0ENTERPRISE|x y>": "W0ENTERPRISE"} {
		if got, err := ParseUser(in); err != nil || got != want {
			t.Errorf("%s: got %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"@bob", "U123", "<#C123|general>", "<@u123>", "<@U123", "<!here>"} {
		if _, err := ParseUser(in); err == nil {
			t.Errorf("%s accepted as a user", in)
		}
	}
}

func TestParseDeclare(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Declaration
		err      string
	}{
		{"full", "P1 intent-processing Intent API returning 500s", Declaration{Severity: "P1", Service: "intent-processing", Title: "Intent API returning 500s"}, ""},
		{"lowercase severity", "p0 total outage", Declaration{Severity: "P0", Title: "total outage"}, ""},
		{"no severity", "api-gateway 502s", Declaration{Severity: DefaultSeverity, Service: "api-gateway", Title: "502s"}, ""},
		{"unknown service is title", "billing broken", Declaration{Severity: DefaultSeverity, Title: "billing broken"}, ""},
		{"quoted title", `P2 "api-gateway: slow"`, Declaration{Severity: "P2", Title: "api-gateway: slow"}, ""},
		{"private first", "--private P1 suspected breach", Declaration{Severity: "P1", Title: "suspected breach", Private: true}, ""},
		{"private last", "P1 suspected breach --private", Declaration{Severity: "P1", Title: "suspected breach", Private: true}, ""},
		{"empty opens form", "", Declaration{Severity: DefaultSeverity, Empty: true}, ""},
		{"only private opens form", "--private", Declaration{Severity: DefaultSeverity, Private: true, Empty: true}, ""},
		{"bad severity", "P4 disk full", Declaration{}, `"P4" is not a severity: use P0, P1, P2 or P3`},
		{"unknown flag", "--public P1 x", Declaration{}, "Unknown option --public: the only option of declare is --private."},
		{"severity only", "P1", Declaration{}, "An incident needs a title after the severity and service."},
		{"service only", "P1 api-gateway", Declaration{}, "An incident needs a title after the severity and service."},
		{"mention in title", "P2 <@U1|al> sees errors", Declaration{Severity: "P2", Title: "<@U1|al> sees errors"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDeclare(tc.in, testCatalog)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestSplitVerbKeepsFormatting(t *testing.T) {
	verb, rest := splitVerb("  UPDATE  line one\n  line two ")
	if verb != "update" || rest != "line one\n  line two" {
		t.Errorf("%q %q", verb, rest)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"declare P1 intent-processing Intent API returning 500s", `declare "a b" 'c'`, "declare --private",
		"note “x", "severity p2", "update <@U1|x> hi\nthere", "", " ", "\"", "declare P9 x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		verb, rest := splitVerb(text)
		if strings.ContainsFunc(verb, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) {
			t.Fatalf("verb %q has space", verb)
		}
		d, err := ParseDeclare(rest, testCatalog)
		if err != nil {
			if incident.ErrorCode(err) != incident.EINVALID {
				t.Fatalf("parse error of code %s: %v", incident.ErrorCode(err), err)
			}
			return
		}
		if !d.Empty && d.Title == "" {
			t.Fatalf("declaration without a title: %+v", d)
		}
		if _, err := incident.ParseSeverity(string(d.Severity)); err != nil {
			t.Fatalf("bad severity %q accepted", d.Severity)
		}
	})
}
