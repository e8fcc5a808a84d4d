package custody_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// creditEntries are the October credit entries of category cat at site mb.
func creditEntries(t *testing.T, db critmin.Store, cat string) []custody.Entry {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var out []custody.Entry
	for _, cs := range st.Categories {
		if cs.Category.ID != cat {
			continue
		}
		for _, e := range cs.Entries {
			if e.Kind == "credit" {
				out = append(out, e)
			}
		}
	}
	return out
}

// TestLossyRunCreditsWhatItsProductsContain (fix9c, issue 9 wrong pass):
// a run cannot credit more qualifying element than its products contain
// (ISO 22095-2 mass balance), element by element (fix9ad). Site mb, REE
// factor 0.9 (declaration()):
//
//	PK, Pakistan, 10 t dry at Nd 4 % + Pr 1 %: Nd 0.4 t, Pr 0.1 t.
//	R1 (Oct 5): PK 10 t → P1, 1 kg = 0.001 t of NdPr oxide at Nd 60 % +
//	  Pr 20 % = Nd 0.0006 t + Pr 0.0002 t, and T1, 9 t of residue at
//	  Nd 4 % (0.36 t Nd, another commodity: counts nothing).
//	  inputs × factor: Nd 0.36 t, Pr 0.09 t (0.45 t); credit PAK =
//	  min(0.36, 0.0006) + min(0.09, 0.0002) = 0.0008 t, not 0.45 t.
//	CN, China, 10 t at Nd 4 % + Pr 1 %. R2 (Oct 6): CN 10 t → P2, 0.5 t
//	  at Nd 60 % + Pr 20 % = Nd 0.3 + Pr 0.1 = 0.4 t, claimed Pakistan.
//	  CHN credit = min(0.36, 0.3) + min(0.09, 0.1) = 0.39 t. The claim
//	  takes 0.4 t of Pakistan against 0.0008 t: refused, shortfall 0.4 −
//	  0.0008 = 0.3992 t.
//	PAK line: 0 + 0.0008 − 0 − 0 = 0.0008.
func TestLossyRunCreditsWhatItsProductsContain(t *testing.T) {
	ctx := context.Background()
	r2 := runOf("R2", "mb", "2025-10-06T00:00:00Z", []string{"CN:10"}, product{lot: "P2", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK})
	base := []string{
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"PK:10"},
			product{lot: "P1", commodity: "ndpr_oxide", t: 0.001, assays: []string{"Nd:60", "Pr:20"}},
			product{lot: "T1", commodity: "residue", t: 9, assays: []string{"Nd:4"}}),
	}
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, append(base, r2)...))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.0008, 0, 0, 0.0008)
	sameLine(t, "Oct", line(t, st, "ree", "CHN"), 0, 0.39, 0, 0, 0.39)
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	if len(st.Refused) != 1 || st.Refused[0].Lot != "urn:t:lot:P2" || !near(st.Refused[0].Shortfall, 0.3992) || !near(st.Refused[0].Available, 0.0008) {
		t.Fatalf("refused %+v, want P2's 0.4 t Pakistan claim short by 0.3992 t", st.Refused)
	}
	if !strings.Contains(st.Refused[0].Error, "0.3992") {
		t.Errorf("refusal %q does not name the shortfall 0.3992 t", st.Refused[0].Error)
	}
	var pak *custody.Entry
	for _, e := range creditEntries(t, db, "ree") {
		if e.Country == "PAK" {
			pak = &e
		}
	}
	if pak == nil {
		t.Fatal("no PAK credit entry")
	}
	for _, want := range []string{"bounded by what", "element by element: Nd 0.0006 t, Pr 0.0002 t in 0.001 t of ndpr_oxide (lot urn:t:lot:P1)", "Nd 0.36 t cut to 0.0006 t, Pr 0.09 t cut to 0.0002 t", "inputs × factor 0.9 would credit 0.45 t (Nd 0.36 t, Pr 0.09 t)"} {
		if !strings.Contains(pak.Note, want) {
			t.Errorf("PAK credit note %q lacks %q", pak.Note, want)
		}
	}
	if l := line(t, st, "ree", "PAK"); len(l.Notes) == 0 || !strings.Contains(l.Notes[0], "bounded by what") {
		t.Errorf("PAK line notes %v lack the bound", l.Notes)
	}

	// At capture: the same claim is refused and nothing is stored.
	db2 := store(t, doc(map[string]string{"mb": "mass_balance"}, base...))
	if err := custody.DeclareMassBalance(ctx, db2, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db2)
	svc.ClaimCheck = custody.CaptureClaimCheck(db2)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(r2)})
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.3992 t") {
		t.Fatalf("capture of a claim backed only by lost metal: %v, want a refusal naming the shortfall 0.3992 t", err)
	}
	if l, err := db2.FindLot(ctx, "urn:t:lot:P2"); err == nil && l != nil && l.OriginClaim != nil {
		t.Errorf("refused claim stored: %+v", l)
	}
}

// TestRichRunCreditUnchanged (fix9c): where the products hold more than
// inputs × factor the bound does not bite. PK 10 t at Nd 4 % + Pr 1 %
// (0.5 t Nd+Pr) → P, 0.6 t at Nd 60 % + Pr 20 % = 0.48 t Nd+Pr;
// credit = min(0.5 × 0.9, 0.48) = 0.45 t, with no note.
func TestRichRunCreditUnchanged(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"PK:10"}, product{lot: "P", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:60", "Pr:20"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if l := creditLine(t, db, "ree", "PAK"); !near(l.Credits, 0.45) || len(l.Notes) > 0 {
		t.Errorf("PAK line %+v, want credits 0.45 t and no note", l)
	}
}

// TestUnassayedProductEarnsNoCreditUntilAssayed (fix9c): a run whose
// product has no assay earns no credit (its content is not measured, and
// a wrong pass is the worst defect), with a note naming the product lot;
// an assay of the product recorded later gives the credit on the next
// read. PK 10 t at Nd 4 % + Pr 1 % → P, 0.5 t of oxide, no assay:
// credit 0. Assay of P at Nd 60 % + Pr 20 %: Nd 0.3 t, Pr 0.1 t;
// credit = Nd min(0.36, 0.3) + Pr min(0.09, 0.1) = 0.39 t (fix9ad).
func TestUnassayedProductEarnsNoCreditUntilAssayed(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"PK:10"}, product{lot: "P", commodity: "ndpr_oxide", t: 0.5}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	es := creditEntries(t, db, "ree")
	got := 0.0
	for _, e := range es {
		got += e.Tonnes
		for _, want := range []string{"until its products are assayed", "ndpr_oxide lot urn:t:lot:P has no assay of Nd, Pr", "would credit 0.45 t"} {
			if !strings.Contains(e.Note, want) {
				t.Errorf("credit note %q lacks %q", e.Note, want)
			}
		}
	}
	if len(es) == 0 || got != 0 {
		t.Fatalf("credits %+v, want a 0 t entry with a note", es)
	}
	svc := ledger.NewService(db)
	svc.Now = clockAt("2025-10-10T00:00:00Z")
	as := func(id, el, pct string) string {
		return strings.Replace(strings.Replace(assayEvent(id, "P", el, pct), "2025-10-02", "2025-10-09", 1), `"readPoint": {"id": "urn:t:site:mine-PAK"}`, `"bizLocation": {"id": "urn:t:site:mb"}`, 1)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(as("AS1", "Nd", "60"), as("AS2", "Pr", "20"))}); err != nil {
		t.Fatal(err)
	}
	if l := creditLine(t, db, "ree", "PAK"); !near(l.Credits, 0.39) {
		t.Errorf("PAK line %+v after the assay, want credits 0.39 t", l)
	}
}

// stockEvent is an output-only TransformationEvent of run xid (its
// transformationID) at site: t tonnes of NdPr oxide lot at Nd nd % + Pr
// pr %, no claim. Fixtures add it so that a run's products hold the
// credits its inputs earn (fix9c: a run never credits more than its
// products contain).
func stockEvent(id, xid, site, when, lot string, t float64, nd, pr string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "` + xid + `",
	 "outputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + strconv.FormatFloat(t, 'f', -1, 64) + `, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": ` + pr + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// TestSplitRunProductsCountTogether (fix9c): the bound reads every output
// of the run's product, over all events sharing its transformationID
// (EPCIS 2.0 §7.4.6). December, run S at mb (factor 0.9):
//
//	event sa: P (Pakistan, 10 t at Nd 4 % + Pr 1 % = 0.5 t) → A1, 0.25 t
//	  at Nd 60 % + Pr 20 % = 0.2 t
//	event sb (no input): → A2, 0.35 t at Nd 64 % + Pr 12 % = 0.266 t
//	products 0.2 + 0.266 = 0.466 ≥ 0.5 × 0.9 = 0.45: credit 0.45 t, no
//	note (A1 alone would bound it to 0.2 t).
func TestSplitRunProductsCountTogether(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if err := capture(svc, splitEvent("sa", "S", "mb", "P:10", "A1", "0.25", ""), stockEvent("sb", "urn:t:run:S", "urn:t:site:mb", "2025-12-10T00:00:00Z", "A2", 0.35, "64", "12")); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); !near(l.Credits, 0.45) || len(l.Notes) > 0 {
		t.Errorf("PAK line %+v, want credits 0.45 t (both events' products count) and no note", l)
	}
}
