package custody

import "testing"

// TestProblemMessage: a break at a record names it; a whole-log problem
// (a tree of 50 records that does not hold) names the log's size instead
// of a record "pk 0, event " that does not exist.
func TestProblemMessage(t *testing.T) {
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Kind: LogRewritten, Seq: 5, PK: 7, EventID: "urn:t:ev:1", Detail: "hash differs"},
			"chain broken at record 5 (pk 7, event urn:t:ev:1): rewritten — hash differs"},
		{Problem{Kind: LogRewritten, Seq: 50, Detail: "the stored tree head does not match the stored hashes"},
			"log rewritten at size 50 — the stored tree head does not match the stored hashes"},
		{Problem{Kind: LogTruncated, Seq: 5, Detail: "log truncated after record 5"}, "log truncated after record 5"},
	} {
		if got := c.p.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
