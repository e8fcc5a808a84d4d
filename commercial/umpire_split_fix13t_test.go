package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// fix13t item 6e: an umpire's result is refused 409 until the exchange
// needs an umpire. Lot UMP-1 (demo copper contract: umpire_closer_mean,
// Cu limit 0.2 %): the umpire first — no party's result — refused; after
// the seller's alone, refused naming the buyer's; seller 24.0 and buyer
// 24.1 (|0.1| ≤ 0.2: the mean settles) refused; lot UMP-2 with seller
// 24.0 and buyer 23.5 (|0.5| > 0.2) takes the umpire's result.
func TestUmpireOnlyWhenNeeded(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	at := func(day int) time.Time { return time.Date(2025, 10, day, 0, 0, 0, 0, time.UTC) }
	submit := func(lot, party, cu string, day int) error {
		_, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:lab:" + party, At: at(day),
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(cu), Unit: "%"}}})
		return err
	}
	for _, lot := range []string{"urn:critmin:test:lot:UMP-1", "urn:critmin:test:lot:UMP-2"} {
		weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
		if _, err := s.IssueAt(ctx, contract, lot, commercial.Provisional, provAt); err != nil {
			t.Fatal(err)
		}
	}
	lot := "urn:critmin:test:lot:UMP-1"
	err := submit(lot, commercial.Umpire, "24.05", 20)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "neither the seller's nor the buyer's Cu result is captured yet") {
		t.Errorf("umpire first: %v; want 409 naming both parties' missing results", err)
	}
	if err := submit(lot, commercial.Seller, "24.0", 8); err != nil {
		t.Fatal(err)
	}
	err = submit(lot, commercial.Umpire, "24.05", 20)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "the buyer's Cu result is not captured yet") {
		t.Errorf("umpire after the seller alone: %v; want 409 naming the buyer's", err)
	}
	if err := submit(lot, commercial.Buyer, "24.1", 9); err != nil {
		t.Fatal(err)
	}
	err = submit(lot, commercial.Umpire, "24.05", 20)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "agree within the splitting limit") {
		t.Errorf("umpire within the limit: %v; want 409", err)
	}
	lot = "urn:critmin:test:lot:UMP-2"
	if err := submit(lot, commercial.Seller, "24.0", 8); err != nil {
		t.Fatal(err)
	}
	if err := submit(lot, commercial.Buyer, "23.5", 9); err != nil {
		t.Fatal(err)
	}
	if err := submit(lot, commercial.Umpire, "23.8", 20); err != nil {
		t.Errorf("umpire beyond the limit: %v", err)
	}
}

// fix13t item 6d: rule split needs no splitting limits — an absent
// "limits" is none — while a rule with an umpire without them is refused
// naming /assay_exchange/limits per element.
func TestSplitRuleWithoutLimits(t *testing.T) {
	s := MustDemo(t)
	for rule, ok := range map[string]bool{"split": true, "umpire_final": false} {
		var m map[string]any
		termsFromMap := func(edit func(map[string]any)) error {
			m = map[string]any{}
			if err := json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m); err != nil {
				t.Fatal(err)
			}
			m["id"] = "T-SPLIT-" + rule
			edit(m)
			_, err := s.SaveContract(context.Background(), []byte(mustJSON(t, m)))
			return err
		}
		err := termsFromMap(func(m map[string]any) { m["assay_exchange"] = map[string]any{"rule": rule} })
		if ok && err != nil {
			t.Errorf("rule %s without limits: %v", rule, err)
		}
		if !ok && (!hasField(err, "/assay_exchange/limits") || !strings.Contains(err.Error(), "no splitting limit for Cu")) {
			t.Errorf("rule %s without limits: %v; want refused naming /assay_exchange/limits", rule, err)
		}
	}
}
