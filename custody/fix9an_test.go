package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// Tests of fix9an (issue 9, nu9i finding 1): a claim accepted at capture
// stays booked on its account whatever later facts do — a corrective
// assay of ANOTHER claimed lot included (ISO 22095-2: a claim out is
// booked when it is made; only its own event declared in error releases
// it).

// assay9an is a sensor report at mb of lot at Nd nd % + Pr pr % (dry),
// event id, dated when.
func assay9an(id, when, lot, nd, pr string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "readPoint": {"id": "urn:t:site:mb"},
	 "sensorElementList": [{"sensorReport": [
	  {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": ` + nd + `, "uom": "P1", "cm:basis": "dry"},
	  {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": ` + pr + `, "uom": "P1", "cm:basis": "dry"}]}]}`
}

// TestCorrectiveAssayKeepsOtherClaimBooked (fix9an, nu9i item 1). Site
// mb (factor 0.9), feeds PK7, PK8, PK10 (PAK) and CN7 (CHN), 10 t each
// at Nd 4 % + Pr 1 % (0.4 t Nd, 0.1 t Pr each):
//
//	R71 (Oct 3): PK7 → X7 1 t, no assay: no credit yet.
//	R72 (Oct 3): PK8 → Y7 1 t at Nd 60 % + Pr 20 %: credit Nd min(0.4 ×
//	  0.9, 0.6) = 0.36 + Pr min(0.1 × 0.9, 0.2) = 0.09 → 0.45 t PAK.
//	R73 (Oct 3): CN7 → Z7 0.5 t at Nd 60 % + Pr 20 % (0.4 t Nd+Pr), CHN.
//	AS7 (Oct 4): X7 at Nd 30 % + Pr 10 %: R71 credits min(0.36, 0.3) +
//	  min(0.09, 0.1) = 0.39 t; PAK 0.39 + 0.45 = 0.84 t.
//	CLX (Oct 5 01:00): X7 PAK 100 % = 0.4 t ≤ 0.84, accepted;
//	CLZ (Oct 5 02:00): Z7 PAK 100 % = 0.4 t ≤ 0.44, accepted.
//	AS7 declared in error (Oct 6); R72 declared in error (Oct 8): both
//	  claims stay booked (0.8 t).
//	AS7c (Oct 9): X7 at Nd 20 % + Pr 5 %: R71 credits min(0.36, 0.2) +
//	  min(0.09, 0.05) = 0.25 t.
//
// PAK, October: 0 + 0.25 − 0.8 − 0 = −0.55 t; CLZ, accepted at capture
// on a lot whose own facts never changed, reads not covered and stays
// booked at 0.4 t — never refused. Then R74 (Oct 10): PK10 → V7 1 t at
// Nd 60 % + Pr 20 % (credit 0.45) claiming PAK 37.5 % = 0.3 t: balance
// before it 0.25 + 0.45 − 0.8 = −0.1 t, so refused, shortfall 0.3 −
// (−0.1) = 0.4 t. Before fix9an CLZ read refused and left the account
// (claims 0.4, closing −0.15 t) and V7's 0.3 t was accepted.
//
// Without R72's retraction ("R72 stands"): after AS7c PAK is 0 + (0.25
// + 0.45) − 0.8 = −0.1 t, CLZ still booked, and V7's 0.3 t on 0.7 +
// 0.45 − 0.8 = 0.35 t is accepted, 0.05 t left.
func TestCorrectiveAssayKeepsOtherClaimBooked(t *testing.T) {
	oxide := func(id, in, lot string, tonnes float64, assays []string, extra string) string {
		return runOf(id, "mb", "2025-10-03T00:00:00Z", []string{in + ":10"}, product{lot: lot, commodity: "ndpr_oxide", t: tonnes, assays: assays, extra: extra})
	}
	r72 := oxide("R72", "PK8", "Y7", 1, []string{"Nd:60", "Pr:20"}, "")
	as7 := assay9an("AS7", "2025-10-04T00:00:00Z", "X7", "30", "10")
	for _, tc := range []struct {
		name                     string
		retractR72               bool
		credits, claims, closing float64
		v7Refused                bool
	}{
		// R71 0.25 (+ R72 0.45 while it stands); claims 0.8.
		{"R72 declared in error", true, 0.25, 0.8, -0.55, true},
		{"R72 stands", false, 0.7, 0.8, -0.1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mbfxStore(t, false, mbfxREE("PK7", "PAK", 10), mbfxREE("PK8", "PAK", 10), mbfxREE("PK10", "PAK", 10), mbfxREE("CN7", "CHN", 10))
			svc := mbfxService(db)
			mbfxCapture(t, svc, "2025-10-03T01:00:00Z", "R71–R73",
				oxide("R71", "PK7", "X7", 1, nil, ""), r72, oxide("R73", "CN7", "Z7", 0.5, []string{"Nd:60", "Pr:20"}, ""))
			mbfxCapture(t, svc, "2025-10-04T01:00:00Z", "AS7", as7)
			mbfxCapture(t, svc, "2025-10-05T01:30:00Z", "X7's claim of 0.4 t on 0.84 t", claim9aj("CLX", "2025-10-05T01:00:00Z", "X7", 1))
			mbfxCapture(t, svc, "2025-10-05T02:30:00Z", "Z7's claim of 0.4 t on 0.44 t", claim9aj("CLZ", "2025-10-05T02:00:00Z", "Z7", 1))
			retractEvent(t, svc, as7, "2025-10-06T00:00:00Z")
			if tc.retractR72 {
				retractEvent(t, svc, r72[:strings.Index(r72, `,{"type": "ObjectEvent"`)], "2025-10-08T00:00:00Z")
			}
			mbfxCapture(t, svc, "2025-10-09T01:00:00Z", "AS7c", assay9an("AS7c", "2025-10-09T00:00:00Z", "X7", "20", "5"))
			st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 9, 12, 0, 0, 0, time.UTC))
			sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, tc.credits, tc.claims, 0, tc.closing)
			for _, lot := range []string{"X7", "Z7"} {
				for i, cl := range claimViews9ae(t, db, lot) {
					if cl.Status == custody.ClaimRefused || !near(cl.Tonnes, 0.4) {
						t.Errorf("%s (%d): %s %v t (%s); want booked at 0.4 t, never refused", lot, i, cl.Status, cl.Tonnes, cl.Error)
					}
				}
			}
			v7 := runOf("R74", "mb", "2025-10-10T01:00:00Z", []string{"PK10:10"},
				product{lot: "V7", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.375}]`})
			err := mbfxTry(svc, "2025-10-10T02:00:00Z", v7)
			if tc.v7Refused {
				if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.4 t") {
					t.Errorf("V7's claim of 0.3 t on −0.1 t: %v, want refused, shortfall 0.4 t", err)
				}
				return
			}
			if err != nil {
				t.Errorf("V7's claim of 0.3 t on 0.35 t: %v, want accepted", err)
			}
		})
	}
}
