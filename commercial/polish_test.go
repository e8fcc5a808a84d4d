package commercial_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Small defects of issue 13's new-user check, each refused or shown as
// the docs say. MustDemo's clock is 1 Dec 2025 00:00 UTC; ClockSkew is 14 h.
func TestTradeInputPolish(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	final := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	for _, c := range []struct{ name, amount, paidOn, field string }{
		{"exponent amount", "1e3", "2025-11-20", "amount"},
		{"signed amount", "+10.00", "2025-11-20", "amount"},
		{"paid in 2099", "10.00", "2099-01-01", "paid_on"},
		// 1 Dec 00:00 + 14 h is still 1 Dec: 2 Dec is refused.
		{"paid tomorrow", "10.00", "2025-12-02", "paid_on"},
	} {
		err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: final, Amount: c.amount, PaidOn: c.paidOn})
		if !hasField(err, c.field) {
			t.Errorf("%s: err = %v, want one naming %s", c.name, err, c.field)
		}
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: final, Amount: "10.00", PaidOn: "2025-12-01"}); err != nil {
		t.Errorf("payment today: %v", err)
	}
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: commercial.Buyer, Lab: "urn:lab:x", At: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("22"), Unit: "%"}}}
	if _, err := s.SubmitAssays(ctx, sub); !hasField(err, "/at") {
		t.Errorf("assay dated 2099: err = %v, want one naming at", err)
	}
	// A case that fails has null figures, not nsr_per_dmt 0: the antimony
	// sheet cannot value a feed given only Cu.
	cmp, err := s.NSRFor(ctx, "FWO-USSM-CU-2025,FWO-USSM-SB-2025", "", "Cu=24%,Au=4g/t", time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC), 10)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cmp)
	var back struct {
		Cases []map[string]any `json:"cases"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, c := range back.Cases {
		if c["error"] != nil && c["error"] != "" {
			failed++
			if c["nsr_per_dmt"] != nil {
				t.Errorf("failed case %v has nsr_per_dmt %v; want null", c["contract"], c["nsr_per_dmt"])
			}
		} else if c["nsr_per_dmt"] == nil {
			t.Errorf("case %v has no nsr_per_dmt", c["contract"])
		}
	}
	if failed != 1 {
		t.Errorf("%d failed cases in %s; want the antimony sheet", failed, b)
	}
	// Rounding places: the schema and the domain say 0–6 alike.
	schema, _ := os.ReadFile("termsheet.schema.json")
	if strings.Contains(string(schema), `"maximum": 8`) {
		t.Error("termsheet.schema.json still allows 8 decimals")
	}
	body := strings.Replace(mustFile(t, "testdata/cu-conc.json"), `"decimals": 4`, `"decimals": 7`, 1)
	if _, err := commercial.ParseTermSheet([]byte(body)); !hasField(err, "/assay_exchange/decimals") {
		t.Errorf("exchange decimals 7: err = %v", err)
	}
}

// Every line of the demo copper lot's final settlement links to the
// events its dry tonnes rest on (the B/L and the weights) and lists each
// event once; the refining charge on Cu links to the Cu assay events its
// payable rests on, as the Cu payable line does.
func TestLineEvents(t *testing.T) {
	s := MustDemo(t)
	v, _, err := s.Value(context.Background(), "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil || v.Final == nil {
		t.Fatalf("final settlement: %v, %s", err, v.Missing)
	}
	bl := v.Facts.BLEvent
	var payCu []string
	for _, l := range v.Final.Lines {
		seen := map[string]bool{}
		for _, e := range l.Events {
			if seen[e] {
				t.Errorf("line %s lists event %s twice", l.Code, e)
			}
			seen[e] = true
		}
		if !seen[bl] {
			t.Errorf("line %s does not link the B/L event %s: %v", l.Code, bl, l.Events)
		}
		if l.Code == "payable:Cu" {
			payCu = l.Events
		}
		if l.Code == "rc:Cu" && len(payCu) > 0 && strings.Join(l.Events, " ") != strings.Join(payCu, " ") {
			t.Errorf("rc:Cu events %v, payable:Cu %v", l.Events, payCu)
		}
	}
}

// A price CSV with 2025-10-09 on lines 2 and 3 is refused once, at line
// 3 (the repeated row), not a second time at the series' first line; a
// value of 1e400 is refused as written (an exponent is no plain decimal,
// issue 13 new-user check item 6d), not echoed as a 401-digit number.
func TestPriceCSVErrors(t *testing.T) {
	csv := "series,date,value,unit,currency,source,frequency\n" +
		"S,2025-10-09,10,USD/t,USD,x,daily\n" +
		"S,2025-10-09,12,USD/t,USD,x,daily\n"
	_, err := commercial.ImportPriceCSV(strings.NewReader(csv), commercial.PriceSeries{})
	fields := critmin.ErrorFields(err)
	if len(fields) != 1 || fields[0].Pointer != "line 3/date" {
		t.Errorf("duplicate day: fields %+v, want one at line 3/date", fields)
	}
	csv = "series,date,value,unit,currency,source,frequency\nS,2025-10-07,1e400,USD/t,USD,x,daily\n"
	_, err = commercial.ImportPriceCSV(strings.NewReader(csv), commercial.PriceSeries{})
	if msg := critmin.ErrorMessage(err); !hasField(err, "line 2/value") || !strings.Contains(msg, `"1e400" is not a plain decimal`) || len(msg) > 300 {
		t.Errorf("1e400: %q", msg)
	}
}
