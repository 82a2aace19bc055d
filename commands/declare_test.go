package commands_test

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A declaration given as fields (a form, the console) is the declare verb's, as the typed
// one: cleaned the same, declared the same, answered the same; a field it refuses is named.
func TestDeclarationFieldsAreTheDeclareVerbs(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", alice, bob)
	typed := sys.Do(alice, general, "declare P1 intent-processing \x1b[31mIntent API down\x1b[0m --private")
	fields := sys.Router.Handle(sys.Ctx, commands.Request{UserID: bob, ChannelID: general, Text: "resolve", Declare: &commands.Declaration{
		Severity: "p1", Service: "intent-processing", Title: "\x1b[31mIntent API down\x1b[0m", Description: "500s\u200b from the API", Private: true,
	}})
	if typed.Error || fields.Error || typed.Incident == nil || fields.Incident == nil {
		t.Fatalf("typed %+v, fields %+v", typed, fields)
	}
	if strings.ReplaceAll(typed.Text, "INC-1", "INC-2") != fields.Text {
		t.Errorf("answers differ:\n%s\n%s", typed.Text, fields.Text)
	}
	a, b := sys.Incident(1), sys.Incident(2)
	if a.Title != "Intent API down" || b.Title != a.Title || b.Severity != incident.P1 || b.Service != a.Service || !b.Private ||
		b.OriginChannel != general || b.DeclaredBy != bob || b.Description != "500s from the API" {
		t.Errorf("typed %+v\nfields %+v", a, b)
	}

	for _, tc := range []struct {
		name string
		d    commands.Declaration
		want string
		code string
		in   string
	}{
		{"no severity", commands.Declaration{Title: "x"}, "Pick a severity.", incident.EINVALID, incident.FieldSeverity},
		{"no such severity", commands.Declaration{Title: "x", Severity: "P7"}, `"P7" is not a severity`, incident.EINVALID, incident.FieldSeverity},
		{"no such service", commands.Declaration{Title: "x", Severity: "P2", Service: "nope"}, "nope", incident.ENOTFOUND, incident.FieldService},
		{"no title", commands.Declaration{Title: " \u200b ", Severity: "P2"}, "needs a title", incident.EINVALID, incident.FieldTitle},
	} {
		r := sys.Router.Handle(sys.Ctx, commands.Request{UserID: bob, ChannelID: general, Declare: &tc.d})
		if !r.Error || !strings.Contains(r.Text, tc.want) || incident.ErrorCode(r.Err) != tc.code || incident.ErrorField(r.Err) != tc.in {
			t.Errorf("%s: %+v (code %s, field %q), want %q %s about %s", tc.name, r, incident.ErrorCode(r.Err), incident.ErrorField(r.Err), tc.want, tc.code, tc.in)
		}
	}
}

// The router writes every command's error: a refusal is answered with its reason and not
// logged; a fault is logged at Error level and answered with its fault ID only.
func TestRouterReportsFaultsOnly(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", alice)
	var logs bytes.Buffer
	sys.Router.Log = slog.New(slog.NewTextHandler(&logs, nil))
	if r := sys.Do(alice, general, "status"); !r.Error || r.Err == nil || incident.ErrorCode(r.Err) == incident.EINTERNAL || logs.Len() != 0 {
		t.Errorf("a refusal: %+v, log %s", r, logs.String())
	}
	sys.DB.Close()
	r := sys.Do(alice, general, "declare P1 Intent API down")
	m := regexp.MustCompile(`fault ([0-9a-f]{8})`).FindStringSubmatch(r.Text)
	if !r.Error || incident.ErrorCode(r.Err) != incident.EINTERNAL || m == nil || strings.Contains(r.Text, "sql") {
		t.Fatalf("a fault: %+v", r)
	}
	if !regexp.MustCompile(`level=ERROR msg="command failed" verb=declare user=` + alice + ` .*fault=` + m[1]).MatchString(logs.String()) {
		t.Errorf("the fault is not logged under its ID:\n%s", logs.String())
	}
}
