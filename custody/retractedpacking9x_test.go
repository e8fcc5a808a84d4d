package custody_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRetractedPackingNamedOnRefusedClaim (fix9x item 1): a claim refused
// because a packing was declared in error names that AggregationEvent in
// retractedBy and its error, as a retracted run is named. Site mb
// (declaration(): ree, factor 0.9):
//
//	X, Pakistan, 10 t dry at Nd 4 % + Pr 1 % (0.5 t Nd+Pr), Oct 1
//	PACK (Oct 3, at mb): X 10 t packed into SSCC S
//	E1 (Oct 5, at mb): S fed whole (inputEPCList) → O, 0.5 t oxide at
//	  Nd 62 % + Pr 18 % = 0.5 × 80 % = 0.4 t Nd+Pr, claims Pakistan: S
//	  holds X, which earns PAK, bounded per element by O (fix9ad), Nd
//	  min(0.36, 0.31) + Pr min(0.09, 0.09) = 0.4 t ≥ 0.4, accepted
//	PACK declared in error (Oct 20): S held nothing when E1 read it, so
//	  E1 earns no credit; PAK balance 0, O not covered (shortfall 0.4 t),
//	  retractedBy PACK, its error naming the packing (the SSCC in
//	  its canonical GS1 Digital Link form). Since fix9aj E1 is also out
//	  of the category's system (its input S holds nothing on record
//	  since PACK's retraction), so O has two rows, each naming PACK:
//	  its share of the 0.4 t deficit and its category_system row
//	  (claimed 0.4, available 0, shortfall 0.4 t); every row is checked.
func TestRetractedPackingNamedOnRefusedClaim(t *testing.T) {
	ctx := context.Background()
	const sscc = "urn:epc:id:sscc:0614141.1234567890"
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:PACK", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + sscc + `", "childQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	e1 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputEPCList": ["` + sscc + `"], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 18, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}}`
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("X", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), pack))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(e1)}); err != nil {
		t.Fatalf("O's claim (0.4 t against 0.4 t of credit): %v", err)
	}
	// Since fixPa the checked capture refuses the declaration of PACK
	// alone (409 naming E1: the run consumed S, which without PACK held
	// nothing); a declaration stored before that rule is read as below,
	// so it is stored here through the unchecked service.
	var m map[string]any
	if err := json.Unmarshal([]byte(pack), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
	decl, _ := json.Marshal(m)
	svc.Now = clockAt("2025-10-20T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(decl))}); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "refinery run urn:t:ev:E1 ") {
		t.Errorf("declaring PACK alone under E1, which was fed S: %v; want 409 naming the run E1", err)
	}
	unchecked := ledger.NewService(db)
	unchecked.Now = svc.Now
	if _, err := unchecked.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(decl))}); err != nil {
		t.Fatalf("the retraction, unchecked: %v", err)
	}
	const want = "urn:t:ev:PACK"
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O" {
			found = true
			if !near(r.Shortfall, 0.4) || strings.Join(r.RetractedBy, " ") != want || !strings.Contains(r.Error, "event urn:t:ev:PACK (packing of lot urn:t:lot:X into https://id.gs1.org/00/106141412345678908, 2025-10-03) declared in error on 2025-10-20T00:00:00Z (reason incorrect_data)") {
				t.Errorf("O refused %+v,\nwant shortfall 0.4 t, retractedBy %s, its error naming the packing", r, want)
			}
		}
	}
	if !found {
		t.Errorf("October's refused claims %+v, want O", st.Refused)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.RetractedBy, " ") != want || !strings.Contains(cl.Error, want) {
		t.Errorf("O's claim %+v, want refused, retractedBy %s", cl, want)
	}
}

// TestRetractionNamedOnlyWhereItChangedCredit (fix9x item 3): of the runs
// declared in error at the site, a refused claim names only those whose
// retraction changed its credit. Site mb (declaration(): ree factor 0.9,
// sb factor 0.8), every run on October 3 but E1:
//
//	R1: A (Pakistan, 10 t at Nd 4 % + Pr 1 % = 0.5 t) → O1, 0.6 t oxide
//	    at Nd 60 % + Pr 20 %: credit REE PAK 0.5 × 0.9 = 0.45 t
//	R2: SbP (Pakistan antimony ore, 10 t at Sb 10 % = 1 t) → SB1, 1 t
//	    Sb2O3 at Sb 80 %: credit Sb PAK 1 × 0.8 = 0.8 t (another element)
//	R3: C3 (China, 10 t at 5 % Nd+Pr) → O3, 0.6 t oxide: credit REE CHN
//	    0.45 t (another origin)
//	E1 (Oct 5): C (China, 10 t) → O, 0.5 t oxide = 0.4 t Nd+Pr, claims
//	    Pakistan: REE PAK balance 0.45 ≥ 0.4, accepted.
//
// R1, R2, R3 declared in error (Oct 20): REE PAK balance 0, O refused
// (shortfall 0.4 t). Only R1's retraction took credit O rested on:
// retractedBy is R1 alone, and the error names neither R2 nor R3.
func TestRetractionNamedOnlyWhereItChangedCredit(t *testing.T) {
	ctx := context.Background()
	ox := func(lot string, t float64) product {
		return product{lot: lot, commodity: "ndpr_oxide", t: t, assays: []string{"Nd:60", "Pr:20"}}
	}
	r1 := runOf("R1", "mb", "2025-10-03T00:00:00Z", []string{"A:10"}, ox("O1", 0.6))
	r2 := runOf("R2", "mb", "2025-10-03T00:00:00Z", []string{"SbP:10"}, product{lot: "SB1", commodity: "antimony_trioxide", t: 1, assays: []string{"Sb:80"}})
	r3 := runOf("R3", "mb", "2025-10-03T00:00:00Z", []string{"C3:10"}, ox("O3", 0.6))
	e1 := runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"C:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK})
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("SbP", "antimony_ore", "PAK", 10, "Sb:10"),
		feed("C3", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		r1, r2, r3))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(e1)}); err != nil {
		t.Fatalf("O's claim (0.4 t against 0.45 t of Pakistani credit): %v", err)
	}
	for i, r := range []string{r1, r2, r3} {
		retractEvent(t, svc, r[:strings.Index(r, `,{"type": "ObjectEvent"`)], "2025-10-2"+string(rune('0'+i))+"T00:00:00Z")
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O" {
			found = true
			if !near(r.Shortfall, 0.4) || strings.Join(r.RetractedBy, " ") != "urn:t:ev:R1" || !strings.Contains(r.Error, "urn:t:ev:R1") || strings.Contains(r.Error, "urn:t:ev:R2") || strings.Contains(r.Error, "urn:t:ev:R3") {
				t.Errorf("O refused %+v,\nwant shortfall 0.4 t, retractedBy R1 only, its error naming neither R2 nor R3", r)
			}
		}
	}
	if !found {
		t.Errorf("October's refused claims %+v, want O", st.Refused)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:R1" || strings.Contains(cl.Error, "urn:t:ev:R2") || strings.Contains(cl.Error, "urn:t:ev:R3") {
		t.Errorf("O's claim %+v, want refused, retractedBy R1 only", cl)
	}
}

// TestRetractedPackingNamedOnVerdict (fix9x item 1): a verdict that fails
// because a packing was declared in error says so. X (China, 10 t) is
// packed into SSCC S (PACK, Oct 3); run E1 at site bl (controlled
// blending, Oct 5) feeds S whole and makes P. PACK declared in error
// (Oct 20): S held nothing when E1 read it, so P's origin is unknown —
// anomaly no_origin on S naming PACK declared in error, and the
// covered-country rule, unable to show exclusion, names it in words
// (never among its evidence).
func TestRetractedPackingNamedOnVerdict(t *testing.T) {
	ctx := context.Background()
	const sscc = "urn:epc:id:sscc:0614141.1234567890"
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:PACK", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + sscc + `", "childQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:bl"}}`
	e1 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputEPCList": ["` + sscc + `"], "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:bl"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
	db := store(t, doc(map[string]string{"bl": "controlled_blending"}, feed("X", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"), pack, e1))
	retractEvent(t, ledger.NewService(db), pack, "2025-10-20T00:00:00Z")
	o, err := custody.Origin(ctx, db, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if !anomalyWith(o.Anomalies, "no_origin", "urn:t:ev:PACK", "packing of lot urn:t:lot:X into", "declared in error on 2025-10-20T00:00:00Z") {
		t.Errorf("P's anomalies %+v,\nwant no_origin naming the packing PACK declared in error", o.Anomalies)
	}
	pk, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [{"id": "no-chn-mining", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["mining"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(ctx, db, "urn:t:lot:P", pk)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Status != custody.Fail || !strings.Contains(vs[0].Detail, "urn:t:ev:PACK") || !strings.Contains(vs[0].Detail, "declared in error") || slices.Contains(vs[0].Evidence, "urn:t:ev:PACK") {
		t.Errorf("verdicts %+v, want no-chn-mining failing as unknown, naming PACK declared in error in words only", vs)
	}
}
