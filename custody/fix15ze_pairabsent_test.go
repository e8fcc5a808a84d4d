package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunNamingOwnerAndCustodianOfNoHolding (issue 15, fix15ze; nu15g
// item 7): lot F of TestRunNamingAbsentPartyRefused — FWO's 6 t body,
// FWO its custodian, and USSM's 4 t part, USSM its custodian, at the
// port. A run there taking 3 t naming USSM as its source owning_party
// and FWO as its possessing_party is refused (409): both hold there, so
// "FWO held nothing of the lot there" was false; the fault is that no
// holding has owner USSM and custodian FWO together. The refusal says
// so and lists the holdings there as owner / custodian pairs with their
// masses: FWO / FWO 6 t, USSM / USSM 4 t (6 + 4 = 10 t, the lot).
func TestRunNamingOwnerAndCustodianOfNoHolding(t *testing.T) {
	ctx := context.Background()
	const ussm, fwo = "urn:t:party:ussm", "urn:t:party:fwo"
	held := func(ev, party string) string {
		return strings.Replace(ev, `{"type": "owning_party", "destination": "`+party+`"}`,
			`{"type": "owning_party", "destination": "`+party+`"}, {"type": "possessing_party", "destination": "`+party+`"}`, 1)
	}
	db := store(t, doc(nil, held(fix15oOwned("F", 10, fwo), fwo),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "F", "4", fix15rMine, fix15rPort, "B1", ""),
		held(fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "F", "4", fix15rPort, "B1", ussm), ussm),
		fix15nShipNoQty("s2", "2025-10-04T00:00:00Z", "F", fix15rMine, fix15rPort, "B2"),
		fix15rRecv("r2", "2025-10-05T00:00:00Z", "F", "6", fix15rPort, "B2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	run := strings.Replace(runT("x1", "x1", "2025-10-06T00:00:00Z", "port", "F", 3, "OX", 1, ""), `"bizLocation"`,
		`"sourceList": [{"type": "owning_party", "source": "`+ussm+`"}, {"type": "possessing_party", "source": "`+fwo+`"}], "bizLocation"`, 1)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, run))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("run naming owner USSM, custodian FWO: %v; want 409", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"no holding of the lot there then had owner " + ussm + " and custodian " + fwo + " together",
		"owner / custodian: " + fwo + " / " + fwo + " 6 t; " + ussm + " / " + ussm + " 4 t",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %q; want it to say %q", msg, want)
		}
	}
	if strings.Contains(msg, "held nothing") {
		t.Errorf("refusal %q says a party holding there held nothing", msg)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:x1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused run was stored: %v", err)
	}
}
