package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/storetest/unchecked"
)

// lateMakerBody is lot id's commissioning body: tonnes t at mine-a, PAK.
func lateMakerBody(id, tonnes string) string {
	return `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`
}

// declaredWith is ev declared in error (2025-10-20, incorrect_data) with
// the corrective events named.
func declaredWith(t *testing.T, ev string, corrective ...string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(strandedDeclared(t, ev)), &m); err != nil {
		t.Fatal(err)
	}
	if len(corrective) > 0 {
		m["errorDeclaration"].(map[string]any)["correctiveEventIDs"] = corrective
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// testLateMakerRefused (issue 8 §2, fixMm; EPCIS 2.0 §7.4.1.2): lot L is
// commissioned 10 t at mine-a on 2025-10-01 (c) and run R1 takes 10 t
// (or, partly, 4 t) of it on 2025-10-05 (r1). c is declared in error.
// A corrective event that makes L again dated after R1 (2025-10-10)
// would make L exist only from 10-10, after R1 drew on it: the views
// read L in stock with 10 t while R1's take stood against it. It is
// refused (409) naming L, the corrective and R1 with its time, and
// nothing is stored; dated at or before R1 (10-05) it is taken.
func testLateMakerRefused(t *testing.T, open Opener) {
	ctx := context.Background()
	c := declaredLotEv("c", "2025-10-01", lateMakerBody("L", "10"))
	cases := []struct {
		name, take string
		docs       func(cc string) [][]string // captured in turn after c and r1; the last one carries cc
	}{
		{"declared with its corrective", "10", func(cc string) [][]string { return [][]string{{declaredWith(t, c, "urn:t:ii:cc"), cc}} }},
		{"declared, then the corrective", "10", func(cc string) [][]string { return [][]string{{strandedDeclared(t, c)}, {cc}} }},
		{"partial take", "4", func(cc string) [][]string { return [][]string{{declaredWith(t, c, "urn:t:ii:cc"), cc}} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(c, declaredLotRun("r1", "2025-10-05", "L", tc.take, "P1", "3")))
			late := declaredLotEv("cc", "2025-10-10", lateMakerBody("L", "10"))
			docs := tc.docs(late)
			for _, d := range docs[:len(docs)-1] {
				MustCapture(t, svc, retractDoc(d...))
			}
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(docs[len(docs)-1]...))})
			msg := critmin.ErrorMessage(err)
			if critmin.ErrorCode(err) != critmin.ECONFLICT {
				t.Fatalf("a corrective commissioning of L dated 2025-10-10, after run R1 (2025-10-05) took it: %v; want a conflict", err)
			}
			for _, want := range []string{"lot urn:t:lot:L", "event urn:t:ii:cc (2025-10-10", "refinery run urn:t:ii:r1", "2025-10-05", "before 2025-10-05T00:00:00Z"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the refusal does not say %q:\n%s", want, msg)
				}
			}
			if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:cc"); len(evs) > 0 {
				t.Errorf("the corrective was refused, yet it is stored")
			}
			// Dated at R1's very instant (2025-10-05T00:00:00Z) but
			// recorded after R1: the projection reads events of one
			// instant in recorded order, so L would be made after R1
			// drew on it and read in stock with 10 t while capture reads
			// it drawn on (nu35-1). Refused too, saying so.
			docs = tc.docs(declaredLotEv("cc", "2025-10-05", lateMakerBody("L", "10")))
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(docs[len(docs)-1]...))})
			msg = critmin.ErrorMessage(err)
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "is dated at the same instant as, and recorded after, the refinery run urn:t:ii:r1") {
				t.Fatalf("a corrective of L at R1's instant, recorded after R1: %v; want a conflict saying so", err)
			}
			// Dated a day before R1 (10-04) it makes L before R1 drew on
			// it: taken, and L reads drawn on by R1 — consumed whole
			// (10 − 10 = 0 t left), or 10 − 4 = 6 t left of a partial take.
			docs = tc.docs(declaredLotEv("cc", "2025-10-04", lateMakerBody("L", "10")))
			MustCapture(t, svc, retractDoc(docs[len(docs)-1]...))
			if err := custody.CheckLotMade(ctx, s, "urn:t:lot:L"); err != nil {
				t.Errorf("L remade on 2025-10-04: %v; want it in the record", err)
			}
			lot, err := s.FindLot(ctx, "urn:t:lot:L")
			if err != nil {
				t.Fatal(err)
			}
			want := 10.0 - map[string]float64{"10": 10, "4": 4}[tc.take]
			if got := lot.RemainingWetTonnes(); got != want {
				t.Errorf("L remade on 2025-10-04 before R1 took %s t: %v t left (status %s), want %v t", tc.take, got, lot.Status, want)
			}
		})
	}
	// A run's output made again after a run drew on it: Q commissioned
	// (q, 10-01), run x makes 8 t of N from it (10-02), run y takes 8 t
	// of N (10-05); x declared with a corrective run x2 dated 10-08.
	t.Run("run output made later", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		q := declaredLotEv("q", "2025-10-01", lateMakerBody("Q", "10"))
		x := declaredLotRun("x", "2025-10-02", "Q", "10", "N", "8")
		MustCapture(t, svc, retractDoc(q, x, declaredLotRun("y", "2025-10-05", "N", "8", "M", "6")))
		x2 := declaredLotRun("x2", "2025-10-08", "Q", "10", "N", "8")
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredWith(t, x, "urn:t:ii:x2"), x2))})
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Fatalf("a corrective run making N on 2025-10-08, after run y (2025-10-05) took N: %v; want a conflict", err)
		}
		for _, want := range []string{"lot urn:t:lot:N", "urn:t:ii:x2", "refinery run urn:t:ii:y", "2025-10-05"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, msg)
			}
		}
		if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:x2"); len(evs) > 0 {
			t.Errorf("the corrective run was refused, yet it is stored")
		}
	})
	// A receipt as first sighting: lot V first received at pkkhi (v,
	// 10-01), run w takes it (10-05); v declared with a corrective
	// receipt dated 10-08: refused, nothing stored.
	t.Run("receipt", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		receipt := func(id, at string) string {
			return declaredLotEv(id, at, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:pkkhi"},
  "quantityList": [{"epcClass": "urn:t:lot:V", "quantity": 10, "uom": "TNE"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:MMV"}]`)
		}
		run := strings.ReplaceAll(declaredLotRun("w", "2025-10-05", "V", "10", "W", "8"), "urn:t:site:mine-a", "urn:t:site:pkkhi")
		MustCapture(t, svc, retractDoc(receipt("v", "2025-10-01"), run))
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredWith(t, receipt("v", "2025-10-01"), "urn:t:ii:v2"), receipt("v2", "2025-10-08")))})
		if code := critmin.ErrorCode(err); code != critmin.ECONFLICT {
			t.Fatalf("a corrective receipt of V dated after run w took it: %v; want a conflict", err)
		}
		if msg := critmin.ErrorMessage(err); !strings.Contains(msg, "lot urn:t:lot:V") {
			t.Errorf("the refusal does not name lot V:\n%s", msg)
		}
		if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:v2"); len(evs) > 0 {
			t.Errorf("the corrective receipt was refused, yet it is stored")
		}
	})
}

// LateMakerDocuments are the records of lot urn:t:lot:L as a store
// written before fixMm may hold them (stored with
// unchecked.MustStore): c commissions L with 10 t at mine-a on
// 2025-10-01, run r1 takes all 10 t into 3 t of P1 on 2025-10-05, c is
// declared in error (2025-10-20) with its corrective cc, a commissioning
// of L with 10 t dated 2025-10-10 — after r1 drew on it.
var LateMakerDocuments = []string{
	retractDoc(declaredLotEv("c", "2025-10-01", lateMakerBody("L", "10")), declaredLotRun("r1", "2025-10-05", "L", "10", "P1", "3")),
	retractDoc(`{"eventID": "urn:t:ii:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", `+lateMakerBody("L", "10")+
		`, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ii:cc"]}}`,
		declaredLotEv("cc", "2025-10-10", lateMakerBody("L", "10"))),
}

// testLateMakerStored (issue 8 §2, fixMm): a store that already holds
// LateMakerDocuments gives one answer about L everywhere: L is not in
// the record (its first standing making event, cc on 10-10, is dated
// after r1 drew on it on 10-05), so the lot answers 410 naming both
// events, no ledger supply or lot list counts it as stock, and a
// shipment of L is refused as acting on a lot not in the record — not
// as consumed.
func testLateMakerStored(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range LateMakerDocuments {
		unchecked.MustStore(t, s, d, now.Add(time.Duration(i)*time.Minute))
	}
	err := custody.CheckLotMade(ctx, s, "urn:t:lot:L")
	if critmin.ErrorCode(err) != critmin.EGONE {
		t.Fatalf("lot L made on 10-10 after r1 took it on 10-05: %v; want 410 not in the record", err)
	}
	for _, want := range []string{"not in the record", "urn:t:ii:cc", "2025-10-10", "urn:t:ii:r1", "2025-10-05"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("the 410 does not say %q:\n%s", want, critmin.ErrorMessage(err))
		}
	}
	gone, err := custody.UnmadeLots(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if gone["urn:t:lot:L"] == nil || len(gone) != 1 {
		t.Errorf("lots not in the record: %v; want urn:t:lot:L alone", gone)
	}
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredLotEv("s", "2025-10-12", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:MM1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)))})
	msg := critmin.ErrorMessage(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "lot urn:t:lot:L is not in the record") || strings.Contains(msg, "consumed") {
		t.Errorf("shipping L: %v; want a conflict saying L is not in the record, not consumed", err)
	}
}

// testLateMakerCredits (issue 8 §2, fixMm): at mass-balance site mb,
// lot E (ree_concentrate, PAK, 10,000 kg dry at Nd 4 %) is commissioned
// on 2025-10-01 (E1) and run R takes all of it on 2025-10-05 into 500 kg
// of O (ndpr_oxide, Nd 62 %); E1 is declared in error with its
// corrective E1c. Category ree, Nd, conversion 0.9.
//
// E1c dated 2025-10-04 (before R): E stands when R takes it; R's credit
// is min(10 t × 4 % × 0.9 = 0.36, O's 0.5 t × 62 % = 0.31) = 0.31 t Nd
// PAK. E1c dated 2025-10-10 (a store written before capture refused
// it), or at R's very instant 2025-10-05T00:00:00Z but recorded after R
// (the projection reads it after R, nu35-1): E is not in the record when
// R drew on it — no credit (0 t), and the risk view's ledger sourcing
// counts no Nd of E.
func testLateMakerCredits(t *testing.T, open Opener) {
	ctx := context.Background()
	commission := func(id, day string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:E", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`
	}
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:E", "quantity": 10000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 500, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}]}}`
	for _, c := range []struct {
		day          string
		credit       float64
		sourcingLots int
	}{{"04", 0.31, 1}, {"05", 0, 0}, {"10", 0, 0}} {
		t.Run("corrective on 2025-10-"+c.day, func(t *testing.T) {
			s := open(t)
			cs := s.(custody.Store)
			now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
			unchecked.MustStore(t, s, ctDoc(commission("E1", "01")+"}", run), now)
			unchecked.MustStore(t, s, ctDoc(commission("E1", "01")+`, "errorDeclaration": {"declarationTime": "2025-10-15T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:E1c"]}}`,
				commission("E1c", c.day)+"}"), now.Add(time.Minute))
			d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
				Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd"}, ConversionFactor: 0.9}},
				Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
			if err := custody.DeclareMassBalance(ctx, cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			st, err := custody.StatementOf(ctx, cs, "urn:t:site:mb", "2025-10", nil, now)
			if err != nil {
				t.Fatal(err)
			}
			var credit float64
			for _, cat := range st.Categories {
				for _, e := range cat.Entries {
					if e.Kind == "credit" && e.Event == "urn:t:ev:R" {
						credit += e.Tonnes
					}
				}
			}
			if !ctNear(credit, c.credit) {
				t.Errorf("credits of run R: %v t; want %v t Nd", credit, c.credit)
			}
			lots, _, err := s.FindLots(ctx, critmin.LotFilter{Commodity: "ree_concentrate", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			ll, err := risk.LedgerLotsOf(ctx, cs, lots)
			if err != nil {
				t.Fatal(err)
			}
			if len(ll) != c.sourcingLots {
				t.Errorf("ledger sourcing reads %d lots of ree_concentrate; want %d", len(ll), c.sourcingLots)
			}
		})
	}
}
