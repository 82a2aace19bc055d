package testenv

import (
	"flag"
	"os"
	"testing"
)

// Golden compares got with the golden file at path; run the test with -update (a flag the
// test package defines, or this one) to rewrite the file, then read the diff.
func Golden(tb testing.TB, path, got string) {
	tb.Helper()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if got != string(want) {
		tb.Errorf("%s differs (go test -update, then read the diff):\n%s", path, got)
	}
}
