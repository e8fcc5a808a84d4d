package risk_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestExposureUnknownCommodityListsNames (issue 9, new-user check): asking
// for the exposure of a commodity the import tables do not carry
// (ndpr_oxide, a ledger code) is a not-found that lists the commodity
// names it does carry, so the caller can pick one.
func TestExposureUnknownCommodityListsNames(t *testing.T) {
	_, err := mustService(t).ExposureOf("ndpr_oxide", false)
	if critmin.ErrorCode(err) != critmin.ENOTFOUND || !strings.Contains(err.Error(), "rare earths") || !strings.Contains(err.Error(), "valid commodities") {
		t.Errorf("unknown commodity: %v, want ENOTFOUND listing the valid commodities (rare earths, …)", err)
	}
}
