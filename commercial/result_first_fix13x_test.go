package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// assayedLot captures a copper concentrate lot of 100 000 kg,
// commissioned on 25 Aug 2025 with the given loading assays (analyte →
// value in %; none: no assay) and shipped on 2 Sep 2025 at 9 % H2O.
func assayedLot(t *testing.T, s *commercial.Service, lot string, pct map[string]float64) {
	t.Helper()
	q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	var assays []any
	for a, v := range pct {
		assays = append(assays, map[string]any{"cm:analyte": a, "cm:value": v, "cm:unit": "%", "cm:basis": "dry"})
	}
	ilmd := map[string]any{"cm:commodity": "copper_concentrate"}
	if len(assays) > 0 {
		ilmd["cm:assay"] = assays
	}
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"c"), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd":            ilmd},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"s"), "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": q, "sensorElementList": h2oAt("2025-09-02T07:00:00Z", 9),
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + uuidFor(lot)[:8]}}})
}

// fix13x item 3: the first party's result of an analyte has no other
// party's to be judged against (ResultSlipFactor, fix13v); it is judged
// against the lot's own recorded assay by the same factor of 30.
//   - Lot FIRST-SLIP, loading assay Cu 24 %: the seller's Cu 0.24 % is
//     24 ÷ 0.24 = 100 times less — a percentage written as a fraction —
//     refused 409 at results/0/value naming the lot's 24 % and the factor
//     100; nothing stored (before the fix it was stored).
//   - Lot FIRST-LOW, loading assay Cu 1.2 % (a genuine low-grade lot):
//     the seller's Cu 1.15 % (1.2 ÷ 1.15 = 1.04) is stored.
//   - Lot FIRST-NONE, no Cu assay on record: the seller's Cu 1.15 % is
//     stored (nothing to judge it against; no floor refuses it).
func TestFirstResultJudgedAgainstLotAssay(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	submit := func(lot, cu string) error {
		_, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: lot, Party: commercial.Seller, Lab: "urn:lab:seller", At: provAt,
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(cu), Unit: "%"}}})
		return err
	}
	slip := "urn:critmin:test:lot:FIRST-SLIP"
	assayedLot(t, s, slip, map[string]float64{"Cu": 24})
	err := submit(slip, "0.24")
	msg := critmin.ErrorMessage(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !fieldNamed(err, "/results/0/value") || !strings.Contains(msg, "the seller's Cu result 0.24 %") ||
		!strings.Contains(msg, "the lot's newest recorded assay Cu 24 %") || !strings.Contains(msg, "factor of 100") {
		t.Errorf("seller 0.24 on a lot assayed 24 %%: err = %v; want 409 at results/0/value naming the lot's 24 %% and the factor 100", err)
	}
	if lf, err := commercial.LotFactsFromEvents(ctx, s.Store, slip); err != nil || len(lf.Results) != 0 {
		t.Errorf("refused result stored: %v, %v", lf, err)
	}
	for lot, pct := range map[string]map[string]float64{"urn:critmin:test:lot:FIRST-LOW": {"Cu": 1.2}, "urn:critmin:test:lot:FIRST-NONE": nil} {
		assayedLot(t, s, lot, pct)
		if err := submit(lot, "1.15"); err != nil {
			t.Errorf("%s: seller's genuine low grade Cu 1.15 %%: %v; want stored", lot, err)
		}
	}
}
