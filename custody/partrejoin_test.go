package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestPartRejoinWeigh (issue 15, fix15p): a part shipped back to where
// the lot's body stands rejoins the body, and a weighing there judges
// the body with it. Lot K3: 30 t at 8 % at mine M; D1 and D2 ship 5 t
// each to port P and are received; D3 ships 5 t from P back to M and is
// received. 25 t stand at M (20 + 5): a 25 t ticket there is the body's
// mass, taken without a reason, and the lot stays 25 + 5 (D2 at P) =
// 30 t wet, dry 30 × 0.92 = 27.6 t (every tonne at 8 %). A 26.5 t
// ticket (+1.5 t, 6 % over 25 t, beyond the weighing tolerance) is
// refused and nothing is stored.
func TestPartRejoinWeigh(t *testing.T) {
	ctx := context.Background()
	const mine, port = "urn:t:site:M", "urn:t:site:P"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	ship := func(id, day, from, to, bol string) string {
		return ev(id, "2025-10-"+day+"T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+from+`"}, "destinationList": [{"type": "location", "destination": "`+to+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	receive := func(id, day, at, bol string) string {
		return ev(id, "2025-10-"+day+"T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+at+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 30, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
	db := store(t, doc(nil, commission,
		ship("d1", "02", mine, port, "D1"), ship("d2", "03", mine, port, "D2"),
		receive("r1", "04", port, "D1"), receive("r2", "05", port, "D2"),
		ship("d3", "06", port, mine, "D3"), receive("r3", "07", mine, "D3")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	l, err := db.FindLot(ctx, "urn:t:lot:K3")
	if err != nil {
		t.Fatal(err)
	}
	if !near(l.WetTonnes, 30) || !near(l.DryTonnes, 27.6) || !near(l.RemainingWetTonnes(), 25) || len(l.Parts) != 3 || l.Parts[2].Status != critmin.PartRejoined {
		t.Fatalf("after the return: wet %v, dry %v, at M %v, parts %+v; want 30, 27.6, 25, the third rejoined", l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes(), l.Parts)
	}
	weigh := func(id, tonnes string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ev(id, "2025-10-08T00:00:00Z", "inspecting",
			`"quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": `+tonnes+`, "uom": "TNE"}], "bizLocation": {"id": "`+mine+`"}`)))})
		return err
	}
	if err := weigh("w1", "26.5"); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("26.5 t ticket at M, 25 t stand there: %v; want a conflict", err)
	}
	if l, _ = db.FindLot(ctx, "urn:t:lot:K3"); !near(l.WetTonnes, 30) {
		t.Fatalf("refused ticket stored: wet %v", l.WetTonnes)
	}
	if err := weigh("w2", "25"); err != nil {
		t.Fatalf("25 t ticket at M, 25 t stand there: %v", err)
	}
	if l, _ = db.FindLot(ctx, "urn:t:lot:K3"); !near(l.WetTonnes, 30) || !near(l.DryTonnes, 27.6) || !near(l.RemainingWetTonnes(), 25) {
		t.Errorf("after the 25 t ticket: wet %v, dry %v, at M %v; want 30, 27.6, 25", l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes())
	}
}
