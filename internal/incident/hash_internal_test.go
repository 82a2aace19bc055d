package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// jsonHash is ComputeHash as it was written first, through json.Marshal of the fields: the
// hashes of every stored event were made by it, so ComputeHash must agree with it exactly.
func jsonHash(e *TimelineEvent) string {
	var b []byte
	if e.Format == FormatText {
		b, _ = json.Marshal([]any{e.IncidentID, e.Seq, FormatTime(e.At), e.Actor, string(e.Kind), e.Text, e.PrevHash})
	} else {
		data := e.DataJSON
		if data == "" {
			data = e.marshalData()
		}
		b, _ = json.Marshal([]any{e.Format, e.IncidentID, e.Seq, FormatTime(e.At), e.Actor, string(e.Kind), data, e.PrevHash})
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hardStrings are strings whose JSON encoding has a special case: every byte alone, HTML
// characters, quotes, controls, invalid UTF-8, U+2028 and U+2029, non-ASCII text.
func hardStrings() []string {
	out := []string{"", `"`, `\`, `<@U0BOB> & “café” 🔥`, "a\u2028b\u2029c", "\xff\xfe", "tab\there\nnew\r\b\f\x00\x1f\x7f",
		`{"text":"<b>&amp;</b>","n":[1,2.5,null],"s":"\\\"q\""}`, strings.Repeat("x", 5000)}
	for c := range 256 {
		out = append(out, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = byte(0x20 + r.IntN(0x60))
			}
		}
		out = append(out, string(b))
	}
	return out
}

// appendJSONString writes exactly what json.Marshal writes for a string.
func TestAppendJSONStringIsJSONMarshal(t *testing.T) {
	for _, s := range hardStrings() {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("pre"), s); string(got) != "pre"+string(want) {
			t.Errorf("%q: %s, want %s", s, got[3:], want)
		}
	}
}

// ComputeHash gives the hash json.Marshal of the fields gives, in both formats, for fields
// with every hard string.
func TestComputeHashIsTheJSONHash(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 123_000_000, time.UTC)
	for i, s := range hardStrings() {
		for _, e := range []TimelineEvent{
			{IncidentID: int64(i), Seq: i + 1, At: at, Actor: s, Kind: EventKind(s), Format: FormatText, Text: s, PrevHash: s},
			{IncidentID: 1 << 40, Seq: 7, At: at, Actor: "U0ALICE", Kind: EventNote, Format: FormatData, DataJSON: s, PrevHash: "ab12"},
			{IncidentID: 3, Seq: 1, At: at, Actor: "U0ALICE", Kind: EventNote, Format: FormatData, Data: EventData{Text: s, Users: []string{s}}},
			{IncidentID: 3, Seq: 1, At: at, Actor: "U0ALICE", Kind: EventNote, Data: EventData{Text: s}}, // format 0
			{IncidentID: -5, Seq: 0, At: time.Date(10000, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)), Kind: EventNote, Format: FormatData, DataJSON: s},
		} {
			if got, want := e.ComputeHash(), jsonHash(&e); got != want {
				t.Fatalf("event %+v: hash %s, want %s", e, got, want)
			}
		}
	}
}

// appendTime writes what FormatTime writes, for times in any zone, of any year.
func TestAppendTimeIsFormatTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	times := []time.Time{{}, time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 23, 59, 59, 999_999_999, time.FixedZone("PDT", -7*3600))}
	for range 5000 {
		times = append(times, time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).In(time.FixedZone("z", r.IntN(100_000)-50_000)))
	}
	for _, at := range times {
		if got, want := string(appendTime([]byte("pre"), at)), "pre"+FormatTime(at); got != want {
			t.Errorf("%v: %s, want %s", at, got, want)
		}
	}
}

// BenchmarkComputeHash compares ComputeHash with the json.Marshal hash it replaces.
func BenchmarkComputeHash(b *testing.B) {
	e := TimelineEvent{IncidentID: 42, Seq: 17, At: time.Now(), Actor: "U0ALICE", Kind: EventNote, Format: FormatData,
		DataJSON: `{"users":["U0BOB"],"text":"note 17 of incident 42"}`, PrevHash: strings.Repeat("ab", 32)}
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			e.ComputeHash()
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			jsonHash(&e)
		}
	})
}
