package sqlite_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/critmin/critmin/sqldb"
)

// TestAuthCacheTTLAsDocumented checks that docs/security.md states the
// cross-server revocation bound with the figure sqldb.AuthCacheTTL has,
// wherever it states it beside the constant's name (issue 14: an
// operator relies on the figure to know when a revoked token stops
// working on every server).
func TestAuthCacheTTLAsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\*\*(\d+) seconds\*\*\s*\(` + "`sqldb.AuthCacheTTL`")
	m := re.FindAllSubmatch(b, -1)
	if len(m) < 2 {
		t.Fatalf("docs/security.md states the auth cache bound %d times as \"**N seconds** (`sqldb.AuthCacheTTL`\", want it in \"How fast a revocation takes effect\" and \"Several servers\"", len(m))
	}
	for _, x := range m {
		n, _ := strconv.Atoi(string(x[1]))
		if time.Duration(n)*time.Second != sqldb.AuthCacheTTL {
			t.Errorf("docs/security.md says %s s, sqldb.AuthCacheTTL is %s", x[1], sqldb.AuthCacheTTL)
		}
	}
}
