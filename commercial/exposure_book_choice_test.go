package commercial_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13k, 3): once an open contract of two
// other parties joins the demo's FWO → USSM ones, no party is on every
// open contract and an exposure without a book is refused — the refusal
// lists the parties to choose from (it only said "name the party"), and
// an exposure of one book lists the others.
func TestExposureWithoutCommonPartyListsTheBooks(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	mine, smelter := "urn:critmin:test:party:mine", "urn:critmin:test:party:smelter"
	termsFrom(t, s, "demo/cu-2025.json", "T-OTHER", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["seller"], m["buyer"] = mine, smelter
	})
	bookLotOf(t, s, mine, "urn:critmin:test:lot:OTHER-A", 31, 100000)
	if _, err := s.IssueAt(ctx, "T-OTHER", "urn:critmin:test:lot:OTHER-A", commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// 15 Oct 2025: the demo's copper lot (FWO → USSM) is provisionally
	// invoiced and not finally; T-OTHER shares neither party.
	on := time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC)
	_, err := s.Exposure(ctx, on, "")
	var choose *commercial.BookNeeded
	if critmin.ErrorCode(err) != critmin.EINVALID || !errors.As(err, &choose) {
		t.Fatalf("exposure without a book: %v; want EINVALID with the books", err)
	}
	for _, p := range []string{mine, smelter, "urn:critmin:demo:party:fwo", "urn:critmin:demo:party:ussm"} {
		if !slices.Contains(choose.Parties, p) || !strings.Contains(err.Error(), p) {
			t.Errorf("refusal %v / parties %v: want %s offered", err, choose.Parties, p)
		}
	}
	ex, err := s.Exposure(ctx, on, smelter)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Parties) != 4 || !slices.Contains(ex.Parties, "urn:critmin:demo:party:ussm") {
		t.Errorf("exposure parties = %v, want the four books", ex.Parties)
	}
}
