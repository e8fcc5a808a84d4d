package refinery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestTooMuchArithmeticSaidOnce: the refusal of a problem whose one
// linearisation costs too much (the benchmark flowsheet with every grade
// left out: about 2.2e10 operations > 8e9, limits_test.go) says the cost
// once in the text a person reads (critmin.ErrorText: headline and field
// list), not in the message and again in the field.
func TestTooMuchArithmeticSaidOnce(t *testing.T) {
	thin, err := refinery.Generate(refinery.BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	for i := range thin.Streams {
		thin.Streams[i].Grade = nil
	}
	for i := range thin.Nodes {
		if inv := thin.Nodes[i].Inventory; inv != nil {
			inv.OpeningGrade, inv.ClosingGrade = nil, nil
		}
	}
	err = thin.Validate()
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	text := critmin.ErrorText(err)
	if n := strings.Count(text, "one linearisation costs"); n != 1 {
		t.Errorf("said %d times: %s", n, text)
	}
	if !strings.Contains(text, "/streams") || !strings.Contains(text, "at most 8e+09") {
		t.Errorf("lacks the field or the limit: %s", text)
	}
}

// TestTamperedRecordNamedOnce: the 409 for a period record whose content
// was edited after it was recorded names the record once — "period
// record N (close …)" — not twice.
func TestTamperedRecordNamedOnce(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	rec := closeTwoProduct(t, db, key)
	if _, err := db.Write.ExecContext(ctx, `UPDATE refinery_periods SET reason = 'edited' WHERE seq = ?`, rec.Seq); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := refinery.ClosedResult(ctx, db, twoProductSite, "2025-10")
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("want ECONFLICT, got %v", err)
	}
	msg := critmin.ErrorMessage(err)
	if n := strings.Count(msg, fmt.Sprintf("period record %d (", rec.Seq)); n != 1 {
		t.Errorf("record named %d times: %s", n, msg)
	}
	if !strings.Contains(msg, "content changed after it was recorded") {
		t.Errorf("lacks the cause: %s", msg)
	}
}
