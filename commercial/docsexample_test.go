package commercial_test

import (
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// The term sheet in docs/trade.md "Term-sheet format" is the one a reader
// copies: it is read from the file (the first ```json block after the
// heading) and must be accepted as `trade contract add` accepts a sheet
// (ParseTermSheet). Before, it lacked /tc/basis_unit and an As splitting
// limit and was refused.
func TestDocsTermSheetExampleAccepted(t *testing.T) {
	raw, err := os.ReadFile("../docs/trade.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, "## Term-sheet format")
	if i < 0 {
		t.Fatal("docs/trade.md has no Term-sheet format section")
	}
	rest := doc[i:]
	j := strings.Index(rest, "```json\n")
	if j < 0 {
		t.Fatal("no ```json block after the Term-sheet format heading")
	}
	body := rest[j+len("```json\n"):]
	k := strings.Index(body, "\n```")
	if k < 0 {
		t.Fatal("unterminated json block")
	}
	body = body[:k]
	ts, err := commercial.ParseTermSheet([]byte(body))
	if err != nil {
		t.Fatalf("the docs example is refused: %v", err)
	}
	if ts.ID != "EXAMPLE-CU-2025" {
		t.Errorf("parsed example id %q, want EXAMPLE-CU-2025 (the block read is not the example)", ts.ID)
	}
}
