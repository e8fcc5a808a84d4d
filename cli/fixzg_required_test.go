package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestRequiredFlagSaidRequired: a required flag left out is said to be
// required, with what it takes — not refused as a bad empty value
// (nu39c item 5: `--role: "" is not admin, operator or viewer`; trade
// assay read `--at: "" is not an RFC 3339 time`).
func TestRequiredFlagSaidRequired(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--db", db, "--name", "x", "--expires", "720h"}, "--role is required (admin, operator or viewer)"},
		{[]string{"token", "create", "--db", db, "--role", "viewer"}, "--name is required"},
		{[]string{"trade", "assay", "--db", db, "--lot", "urn:t:lot:1", "--party", "seller", "--lab", "urn:t:lab", "Cu=24%"}, "--at is required"},
		{[]string{"trade", "assay", "--db", db, "--at", "2025-01-01T00:00:00Z", "Cu=24%"}, "--lot is required"},
	} {
		_, _, err := run(t, nil, c.args...)
		if msg := cli.Describe(err); err == nil || !strings.Contains(msg, c.want) || strings.Contains(msg, `""`) {
			t.Errorf("%v: %v; want %q", c.args, msg, c.want)
		}
	}
}
