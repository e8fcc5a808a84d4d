package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// fix13w item 1: as of a day, the trade views know only what was
// recorded by then. Lot ASOF-REC is loaded (commissioning and B/L) on
// 2025-09-03; its receipt, dated 2025-10-04 (98 000 kg, H2O 9 %), is
// entered on 2025-10-20, after the lot's opening record. As of
// 2025-10-10 nobody knew of the receipt: the settlement has no discharge
// weighing (before the fix it had the receipt, being dated by then). As
// of 2025-10-20 it does: the outturn 98 wmt < 100 × (1 − 0.5 %) = 99.5
// stands, 98 × (1 − 9 %) = 89.18 dmt.
func TestAsOfKnowsOnlyWhatWasRecorded(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:ASOF-REC"
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	clock := func(d string) { s.Ledger.Now = func() time.Time { return asOfDay(t, d).Add(12 * time.Hour) } }
	t.Cleanup(func() { s.Ledger.Now = time.Now })
	clock("2025-09-03")
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	clock("2025-10-20")
	receipt := "urn:uuid:" + uuidFor(lot+"late-r")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": receipt, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 98000), "sensorElementList": h2oAt("2025-10-04T10:00:00Z", 9)})

	v, _, err := s.ValueAsOf(ctx, contract, lot, asOfDay(t, "2025-10-10"))
	if err != nil {
		t.Fatal(err)
	}
	if d := v.Facts.Discharge; d != nil {
		t.Errorf("as of 2025-10-10 the discharge weighing is %s (event %s), entered only on 2025-10-20; want none", d.WMT, d.EventID)
	}
	v, _, err = s.ValueAsOf(ctx, contract, lot, asOfDay(t, "2025-10-20"))
	if err != nil {
		t.Fatal(err)
	}
	if d := v.Facts.Discharge; d == nil || d.EventID != receipt {
		t.Fatalf("as of 2025-10-20 the discharge weighing is %+v; want the receipt %s", d, receipt)
	} else {
		eq(t, "discharge dmt as of 2025-10-20", d.DMT(), "89.18")
	}
	// The exposure as of 2025-10-10 reads the lot as known then too: its
	// dmt is the loading one, 100 × (1 − 9 %) = 91.
	ex, err := s.Exposure(ctx, asOfDay(t, "2025-10-10"), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ex.Lots {
		if l.Lot == lot {
			found = true
			eq(t, "exposure dmt as of 2025-10-10", l.DMT, "91")
		}
	}
	if !found {
		t.Errorf("lot %s shipped 2025-09-02, not invoiced: not in the exposure as of 2025-10-10", lot)
	}
}

// fix13w item 1: the agreement's progress as of a day valued the lots
// shipped and not yet invoiced on the data of the day it was asked (the
// receipt, the final QP prices, corrections and exchange results entered
// since). Lot AGR-ASOF (B/L 2025-09-02, 100 000 kg at 9 %, received
// 98 000 kg on 2025-10-04) as of 2025-10-03 had no receipt, and its
// provisional price (the August average of DEMO-LME-CU) had no
// correction: 15 Aug is corrected to 9 999.99 today (2025-12-01). Its
// what-if value as of 2025-10-03 is the one the settlement as of that
// day gives (ValueAsOf: the provisional on 100 × (1 − 9 %) = 91 dmt at
// the August average as published), not today's, and the basis says so.
func TestAgreementAsOfValuesShippedLotAsKnownThen(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:AGR-ASOF"
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	weighedLot(t, s, lot, 100000, "KGM", 9, 98000, 9)
	if _, err := s.ImportPriceCorrections(ctx, strings.NewReader("series,date,value\nDEMO-LME-CU,2025-08-15,9999.99\n"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	day := asOfDay(t, "2025-10-03")
	then, _, err := s.ValueAsOf(ctx, contract, lot, day)
	if err != nil {
		t.Fatal(err)
	}
	now, _, err := s.Value(ctx, contract, lot)
	if err != nil {
		t.Fatal(err)
	}
	if then.LotValue.Equal(now.LotValue) {
		t.Fatalf("the test needs the lot worth differently then (%s) and now (%s) %s %s %s", then.LotValue, now.LotValue, now.Basis, now.Missing, now.Figures)
	}
	eq(t, "dmt as of 2025-10-03", then.DMT, "91")
	p, err := s.Progress(ctx, commercial.DemoAgreement, day)
	if err != nil {
		t.Fatal(err)
	}
	var got *commercial.ShippedLot
	for i := range p.ShippedNotInvoiced {
		if p.ShippedNotInvoiced[i].Lot == lot {
			got = &p.ShippedNotInvoiced[i]
		}
	}
	if got == nil {
		t.Fatalf("as of 2025-10-03 lot %s (B/L 2025-09-02) is not counted as shipped: %+v", lot, p.ShippedNotInvoiced)
	}
	if !got.Value.Equal(then.LotValue) {
		t.Errorf("as of 2025-10-03 the shipped lot is valued %s, the settlement as of that day %s (today's data give %s)", got.Value, then.LotValue, now.LotValue)
	}
	if want := "what-if: not invoiced; the provisional settlement on the data known on 2025-10-03"; len(got.Basis) < len(want) || got.Basis[:len(want)] != want {
		t.Errorf("basis %q; want it to start %q", got.Basis, want)
	}
}
