package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLaterProductFactsAndCredit (fix9j item 4, docs/origin.md "One
// basis for the credit bound"): a later ASSAY of a credit run's product
// changes the run's credit, back-dated to the run — it is a better
// measurement of what the run made, the same material; a later MOISTURE
// report or WEIGHING of the product does not — it records what happened
// to the lot after the run (drying, losses), and the bound reads the
// product's mass and moisture as the run made it. Site mb at factor 1:
//
//	A, Pakistan, 10 t at Nd 4 % + Pr 1 %: 0.5 t Nd+Pr in.
//	R (Oct 5): A → P, 0.6275 t oxide at moisture 0, Nd 64 % + Pr 16 %:
//	  holds 0.6275 × 0.8 = 0.502 t; credit = min(0.5 × 1, 0.502) = 0.5 t.
//	Each later fact dated Oct 20 (after the run), read on Dec 1:
//	"assay": P is Nd 40 % + Pr 16 % (the Pr assay stands): holds Nd
//	  0.6275 × 40 % = 0.251 t and Pr 0.6275 × 16 % = 0.1004 t, the Pr
//	  0.0004 t above the 0.1 t A held (within the 0.5 % tolerance: no
//	  anomaly, but no metal either — fix9aa, each element capped at the
//	  inputs): bound 0.251 + 0.1 = 0.351 t; credit min(0.5, 0.351) =
//	  0.351 t, in October (the run's period), dated at the run; November
//	  has none. (Before fix9aa: 0.3514 t, the uncapped Pr counted.)
//	"moisture": H2O 10 % on P: were it read, 0.6275 × 0.9 × 0.8 =
//	  0.4518 t; read as made: 0.5 t in October.
//	"weighing": P weighed 0.5 t: were it read, 0.5 × 0.8 = 0.4 t; read
//	  as made: 0.5 t in October.
//	The capture check reads the same credit: K (Nov 20), CN (China) 10 t
//	  → 0.5625 t oxide at 80 % = 0.45 t claiming Pakistan, on October's
//	  PAK balance carried forward (one period): after the later assay
//	  0.45 > 0.351, refused (shortfall 0.45 − 0.351 = 0.099 t); after
//	  the later moisture or weighing 0.45 ≤ 0.5, accepted.
func TestLaterProductFactsAndCredit(t *testing.T) {
	obs := func(id, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting", ` + body + `}`
	}
	sensor := func(analyte string, v string) string {
		return `"quantityList": [{"epcClass": "urn:t:lot:P"}], "bizLocation": {"id": "urn:t:site:mb"},
		  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/` + analyte + `", "value": ` + v + `, "uom": "P1", "cm:basis": "dry"}]}]`
	}
	for _, c := range []struct {
		name, ev string
		want     float64
	}{
		{"assay", obs("AS", sensor("Nd", "40")), 0.6275*0.4 + 0.1},
		{"moisture", obs("M1", `"quantityList": [{"epcClass": "urn:t:lot:P"}], "bizLocation": {"id": "urn:t:site:mb"},
		  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10, "uom": "P1"}]}]`), 0.5},
		{"weighing", obs("W1", `"quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}, "cm:massChangeReason": "reweighed"`), 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mb": "mass_balance"},
				feed("A", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
				feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				runOf("R", "mb", "2025-10-05T00:00:00Z", []string{"A:10"}, product{lot: "P", commodity: "ndpr_oxide", t: 0.6275, assays: []string{"Nd:64", "Pr:16"}}),
				c.ev,
			))
			d := declaration("urn:t:site:mb")
			d.Categories[0].ConversionFactor = 1
			if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
			credits := func(period string) (float64, []custody.Entry) {
				st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", period, nil, now)
				if err != nil {
					t.Fatal(err)
				}
				var sum float64
				var es []custody.Entry
				for _, cs := range st.Categories {
					for _, e := range cs.Entries {
						if e.Kind == "credit" && e.Country == "PAK" {
							sum += e.Tonnes
							es = append(es, e)
						}
					}
				}
				return sum, es
			}
			oct, es := credits("2025-10")
			if !near(oct, c.want) {
				t.Errorf("October PAK credits %v after a later %s of P, want %v t", oct, c.name, c.want)
			}
			for _, e := range es {
				if !e.Time.Equal(time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)) || e.Event != "urn:t:ev:R" {
					t.Errorf("credit entry %+v, want dated at run R (2025-10-05)", e)
				}
			}
			if nov, _ := credits("2025-11"); nov != 0 {
				t.Errorf("November PAK credits %v after a later %s of P, want 0 (the credit is the run's, in October)", nov, c.name)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2025-11-21T00:00:00Z")
			err := capture(svc, runOf("K", "mb", "2025-11-20T00:00:00Z", []string{"CN:10"}, product{lot: "K", commodity: "ndpr_oxide", t: 0.5625, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))
			if c.name == "assay" {
				if err == nil || !strings.Contains(err.Error(), "shortfall 0.099 t") {
					t.Errorf("K's 0.45 t on 0.351 t after the later assay: %v, want refused, shortfall 0.099 t", err)
				}
			} else if err != nil {
				t.Errorf("K's 0.45 t on 0.5 t after the later %s: %v, want accepted", c.name, err)
			}
		})
	}
}
