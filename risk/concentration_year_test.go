package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/risk"
)

// TestConcentrationYearOutOfRangeIsInvalid (issue 14, new-user check):
// /risk?year=-1 answered 404 "no mine antimony data for -1", as if -1
// were a year the tables could hold. A year outside MinYear–MaxYear is a
// bad parameter — 400 naming year and the range — as base_year,
// first_year, from, to and start_year already are; a year inside the
// range without data stays a not-found listing the years there are.
func TestConcentrationYearOutOfRangeIsInvalid(t *testing.T) {
	s := mustService(t)
	want := fmt.Sprintf("from %d to %d", risk.MinYear, risk.MaxYear)
	for _, year := range []int{-1, 0, 1, risk.MinYear - 1, risk.MaxYear + 1, 99999} {
		_, err := s.Concentration("antimony", risk.StageMine, year, "")
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || f[0].Pointer != "year" || !strings.Contains(f[0].Reason, want) {
			t.Errorf("year %d: %v, want EINVALID naming year %q", year, err, want)
		}
	}
	_, err := s.Concentration("antimony", risk.StageMine, risk.MinYear, "")
	if critmin.ErrorCode(err) != critmin.ENOTFOUND || !strings.Contains(err.Error(), "years:") {
		t.Errorf("year %d (in range, no data): %v, want ENOTFOUND listing the years", risk.MinYear, err)
	}
}
