package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestNotADocumentRefused (new-user finding nu37b-6): `critmin capture`
// of a file that is neither JSON nor XML exited 1 with Go's raw JSON
// error ("not JSON: invalid character 'v' looking for beginning of
// value"), where `critmin epcis hash` of it exited 2. Both refuse it
// (exit 2) in one readable sentence naming the file, and so for a JSON
// file cut short.
func TestNotADocumentRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	text := filepath.Join(dir, "hostname")
	short := filepath.Join(dir, "short.json")
	if err := os.WriteFile(text, []byte("vm-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(short, []byte("{\"type\": \"EPCISDocument\",\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"capture text", []string{"capture", "--db", db, text}, "capture " + text + ": the file is neither JSON nor XML: an EPCIS document begins with { (JSON-LD) or < (XML), and this one begins with \"v\"."},
		{"hash text", []string{"epcis", "hash", text}, "epcis hash: " + text + ": the file is neither JSON nor XML: an EPCIS document begins with { (JSON-LD) or < (XML), and this one begins with \"v\"."},
		{"capture cut short", []string{"capture", "--db", db, short}, "capture " + short + ": the file is not valid JSON: it is cut short, ending inside a value."},
		{"hash cut short", []string{"epcis", "hash", short}, "epcis hash: " + short + ": the file is not valid JSON: it is cut short, ending inside a value."},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := run(t, nil, c.args...)
			if err == nil || !cli.UsageError(err) {
				t.Fatalf("%v: err %v (usage error: %v); want a refusal, exit 2", c.args, err, cli.UsageError(err))
			}
			got := cli.Describe(err)
			if got != c.want || strings.Contains(got, "looking for") {
				t.Errorf("%v: %q; want %q", c.args, got, c.want)
			}
		})
	}
}

// TestExpiresNotADurationPointsToHelp (new-user finding nu37b-6): a
// --expires that is not a duration ("3days") is a fault of the command
// line's form, and its refusal ends with the usage pointer as other bad
// flags' do; a duration out of range ("-5h") is refused with its reason
// alone (fix14p).
func TestExpiresNotADurationPointsToHelp(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	_, _, err := run(t, nil, "token", "create", "--db", db, "--name", "y", "--role", "viewer", "--expires", "3days")
	if want := `--expires: "3days" is not a duration such as 720h or 90m. Run critmin --help, or critmin COMMAND --help, for the usage.`; err == nil || !cli.UsageError(err) || cli.Describe(err) != want {
		t.Errorf("3days: %v; want %q", err, want)
	}
	_, _, err = run(t, nil, "token", "create", "--db", db, "--name", "y", "--role", "viewer", "--expires", "-5h")
	if err == nil || !cli.UsageError(err) || strings.Contains(cli.Describe(err), "--help") {
		t.Errorf("-5h: %v; want a refusal without the usage pointer", err)
	}
}
