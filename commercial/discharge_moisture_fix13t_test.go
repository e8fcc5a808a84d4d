package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// noMoistureReceipt captures a copper lot loaded 100 000 kg with H2O 9 %
// on its B/L (2 Sep 2025) and received recvKg on 4 Oct 2025 with no
// moisture determination at discharge. It returns the receipt's event id.
func noMoistureReceipt(t *testing.T, s *commercial.Service, lot string, recvKg float64) string {
	t.Helper()
	weighedLotNoReceipt := func() {
		q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
		capture(t, s,
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"c"), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
				"action": "ADD", "bizStep": "commissioning", "quantityList": q,
				"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
				"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
					map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
					map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"s"), "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
				"quantityList": q, "sensorElementList": h2oAt("2025-09-02T07:00:00Z", 9),
				"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + uuidFor(lot)[:8]}}})
	}
	weighedLotNoReceipt()
	id := "urn:uuid:" + uuidFor(lot+"r")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": id, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, recvKg)})
	return id
}

// fix13t item 2: no determination, no dry tonnes. A lot loaded 100 wmt at
// 9 % and received with no moisture determined at discharge, under a
// contract final at discharge:
//   - received 101 wmt (a gain, final at discharge: the outturn weight
//     stands) — before, the final was issued on 101 × (1 − 9 %) = 91.91
//     dmt, the loading moisture, with a warning only; now 409 naming the
//     receipt event and the missing determination, no invoice;
//   - received 99.6 wmt under a 0 % weight franchise (the loss is
//     claimed: the outturn weight stands): refused alike;
//   - the same 99.6 wmt under the 0.5 % franchise: 99.6 ≥ 100 × 0.995 =
//     99.5, the loading weight stands with its own moisture, 100 × 0.91 =
//     91 dmt, issued — nothing to refuse;
//   - accepted (loading_moisture, who and why): the parties agree to use
//     the loading moisture, 101 × 0.91 = 91.91 dmt, the acceptance kept
//     with the invoice.
func TestDischargeWithoutMoistureRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	for id, franchise := range map[string]float64{"T-DM-05": 0.5, "T-DM-0": 0} {
		termsFrom(t, s, "demo/cu-2025.json", id, func(m map[string]any) {
			delete(m, "assay_exchange")
			m["weights"] = map[string]any{"final_at": "discharge", "franchise_pct": franchise}
		})
	}
	for _, c := range []struct {
		contract, lot string
		kg            float64
	}{{"T-DM-05", "urn:critmin:test:lot:DM-GAIN", 101000}, {"T-DM-0", "urn:critmin:test:lot:DM-LOSS", 99600}} {
		recv := noMoistureReceipt(t, s, c.lot, c.kg)
		if _, err := s.IssueAt(ctx, c.contract, c.lot, commercial.Provisional, provAt); err != nil {
			t.Fatalf("%s provisional: %v", c.lot, err)
		}
		_, err := s.IssueAt(ctx, c.contract, c.lot, commercial.Final, finalAt)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !fieldNamed(err, "/lot/discharge/moisture") || !strings.Contains(err.Error(), recv) || !strings.Contains(err.Error(), "no moisture was determined at discharge") {
			t.Errorf("%s final: err = %v, want 409 naming the receipt %s and the missing discharge moisture", c.lot, err, recv)
		}
		invs, _ := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: c.contract})
		for _, inv := range invs {
			if inv.Kind == commercial.Final {
				t.Errorf("%s: a final invoice was stored though refused", c.lot)
			}
		}
	}
	within := "urn:critmin:test:lot:DM-WITHIN"
	noMoistureReceipt(t, s, within, 99600)
	if _, err := s.IssueAt(ctx, "T-DM-05", within, commercial.Provisional, provAt); err != nil {
		t.Fatal(err)
	}
	inv, err := s.IssueAt(ctx, "T-DM-05", within, commercial.Final, finalAt)
	if err != nil {
		t.Fatalf("within the franchise: %v", err)
	}
	eq(t, "within the franchise: loading weight and moisture", inv.Settlement.DMT, "91")
	inv, err = s.IssueAccepting(ctx, "T-DM-05", "urn:critmin:test:lot:DM-GAIN", commercial.Final, finalAt,
		[]commercial.Acceptance{{Check: commercial.AcceptLoadingMoisture, By: "both parties", Reason: "agreed in writing to settle on the loading moisture"}})
	if err != nil {
		t.Fatalf("accepted: %v", err)
	}
	eq(t, "accepted: 101 × 0.91", inv.Settlement.DMT, "91.91")
	if len(inv.Settlement.Accepted) != 1 || inv.Settlement.Accepted[0].Check != commercial.AcceptLoadingMoisture {
		t.Errorf("accepted = %+v", inv.Settlement.Accepted)
	}
}

// fieldNamed reports whether err names the field pointer, whatever its code.
func fieldNamed(err error, pointer string) bool {
	pointer = jsonPointer(pointer)
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}
