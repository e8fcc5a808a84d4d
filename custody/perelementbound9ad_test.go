package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// elRun is TransformationEvent id of run xid (its transformationID) at
// site mb on when, consuming inputs ("lot:t") and making t tonnes of NdPr
// oxide out at Nd nd % + Pr pr % (dry), the facts and the claim (may be
// empty) in the event's own ILMD.
func elRun(id, xid, when string, inputs []string, out string, t float64, nd, pr, claim string) string {
	var in []string
	for _, i := range inputs {
		lot, q, _ := strings.Cut(i, ":")
		in = append(in, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+q+`, "uom": "TNE"}`)
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:%s",
	 "inputQuantityList": [%s], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`,
		id, when, xid, strings.Join(in, ","), out, t, nd, pr, claim)
}

// claimOf is the ILMD claim of share s of origin iso.
func claimOf(iso string, s float64) string {
	return fmt.Sprintf(`, "cm:originClaim": [{"cm:country": "%s", "cm:share": %v}]`, iso, s)
}

// elStatement is site mb's statement of period p, read on 2026-01-15.
func elStatement(t *testing.T, db critmin.Store, p string) *custody.Statement {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", p, nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	return st
}

// elCredit is the one credit entry of site mb's statement st in category
// ree from input lot.
func elCredit(t *testing.T, st *custody.Statement, lot string) custody.Entry {
	t.Helper()
	var out []custody.Entry
	for _, e := range line9gEntries(st, "credit") {
		if e.Lot == "urn:t:lot:"+lot {
			out = append(out, e)
		}
	}
	if len(out) != 1 {
		t.Fatalf("credit entries of lot %s: %+v, want one", lot, out)
	}
	return out[0]
}

// TestProductBoundPerElement (issue 9, fix9ad): a run's credits are
// bounded by what its products contain element by element (ISO 22095-2
// counts credits in the qualifying characteristic), so one element's loss
// cuts that element's credits only, split among origins as that
// element's feeds give it. Site mb (declaration(): REE → NdPr oxide on
// Nd + Pr, factor 0.9):
//
//	PK, Pakistan, 10 t at Nd 4 % + Pr 1 %: Nd 0.4 t, Pr 0.1 t.
//	CN, China,    10 t at Nd 1 % + Pr 4 %: Nd 0.1 t, Pr 0.4 t.
//	R (Oct 5): PK 10 t + CN 10 t → P, 1 t at Nd 50 % + Pr 10 %:
//	  Nd 0.5 t (all of the 0.5 t in), Pr 0.1 t (0.4 t of Pr lost).
//	Credits, inputs × 0.9:
//	  Nd: PAK 0.4 × 0.9 = 0.36, CHN 0.1 × 0.9 = 0.09; Σ 0.45 ≤ 0.5: kept.
//	  Pr: PAK 0.1 × 0.9 = 0.09, CHN 0.4 × 0.9 = 0.36; Σ 0.45 > 0.1:
//	      f_Pr = 0.1 / 0.45 = 2/9 → PAK 0.02, CHN 0.08.
//	  PAK = 0.36 + 0.02 = 0.38 t; CHN = 0.09 + 0.08 = 0.17 t (Σ 0.55).
//	  (Before: one factor (0.5 + 0.1) / 0.9 = 2/3 on all: PAK 0.3, CHN
//	  0.3 — Pakistani Nd cut for China's Pr loss.)
//	R's own claim, Pakistan share s of P's 0.6 t Nd+Pr, at capture:
//	  s = 0.65: 0.39 t > 0.38 t: refused, shortfall 0.01 t, nothing stored;
//	  s = 0.6:  0.36 t ≤ 0.38 t: accepted (before: refused, 0.3 t).
//	October PAK: 0 + 0.38 − 0.36 = 0.02; CHN: 0 + 0.17 = 0.17.
func TestProductBoundPerElement(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:1", "Pr:4"),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	r := func(s float64) string {
		return elRun("R", "R", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:10"}, "P", 1, "50", "10", claimOf("PAK", s))
	}
	err := capture(svc, r(0.65))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.01 t") || !strings.Contains(err.Error(), "holds 0.38 t") {
		t.Fatalf("claim of 0.39 t against 0.38 t: %v, want refused, shortfall 0.01 t", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:P"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored P: %v", err)
	}
	if err := capture(svc, r(0.6)); err != nil {
		t.Fatalf("claim of 0.36 t within 0.38 t: %v", err)
	}
	st := elStatement(t, db, "2025-10")
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.38, 0.36, 0, 0.02)
	sameLine(t, "Oct", line(t, st, "ree", "CHN"), 0, 0.17, 0, 0, 0.17)
	pk, cn := elCredit(t, st, "PK"), elCredit(t, st, "CN")
	if !near(pk.Tonnes, 0.38) || !near(cn.Tonnes, 0.17) {
		t.Errorf("credits PK %v, CN %v, want 0.38 and 0.17", pk.Tonnes, cn.Tonnes)
	}
	for _, e := range []custody.Entry{pk, cn} {
		for _, want := range []string{"element by element: Nd 0.5 t, Pr 0.1 t in 1 t of ndpr_oxide (lot urn:t:lot:P)", "Pr 0.45 t cut to 0.1 t, Nd 0.45 t kept", "inputs × factor 0.9 would credit 0.9 t (Nd 0.45 t, Pr 0.45 t)"} {
			if !strings.Contains(e.Note, want) {
				t.Errorf("%s credit note %q lacks %q", e.Country, e.Note, want)
			}
		}
	}
	if o, err := custody.Origin(ctx, db, "urn:t:lot:P"); err != nil || o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("P's claim: %+v %v", o, err)
	}
}

// TestProductBoundElementGainPerElement (fix9ad): an element the products
// gained is counted at what the inputs held (a gain earns no credit,
// fix9m) and its credits stand whole; the other element's loss cuts only
// its own credits. Site mb, factor 0.9:
//
//	PK, Pakistan, 10 t at Nd 5 % + Pr 0 %: Nd 0.5 t.
//	CN, China,    10 t at Nd 0 % + Pr 5 %: Pr 0.5 t.
//	R (Oct 5): PK 10 t + CN 10 t → P, 1 t at Nd 60 % + Pr 10 %:
//	  Nd 0.6 t > 0.5 t in (element_gain): counted as 0.5 t; Pr 0.1 t.
//	Nd: PAK 0.5 × 0.9 = 0.45 ≤ 0.5: kept, no note.
//	Pr: CHN 0.5 × 0.9 = 0.45 > 0.1: cut to 0.1 t.
//	(Before: one factor (0.5 + 0.1) / 0.9 = 2/3: PAK 0.3, CHN 0.3 — the
//	Nd headroom 0.5 − 0.45 = 0.05 t credited for Pr that is not there.)
func TestProductBoundElementGainPerElement(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:0"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:0", "Pr:5"),
		elRun("R", "R", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:10"}, "P", 1, "60", "10", ""),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st := elStatement(t, db, "2025-10")
	pak, chn := line(t, st, "ree", "PAK"), line(t, st, "ree", "CHN")
	sameLine(t, "Oct", pak, 0, 0.45, 0, 0, 0.45)
	sameLine(t, "Oct", chn, 0, 0.1, 0, 0, 0.1)
	if len(pak.Notes) > 0 {
		t.Errorf("PAK line notes %v: its Nd credit is not cut", pak.Notes)
	}
	if n := elCredit(t, st, "PK").Note; n != "" {
		t.Errorf("PK credit note %q, want none", n)
	}
	cn := elCredit(t, st, "CN")
	for _, want := range []string{"element by element: Nd 0.5 t, Pr 0.1 t in 1 t of ndpr_oxide (lot urn:t:lot:P)", "element_gain: Nd 0.6 t counted as 0.5 t", "Pr 0.45 t cut to 0.1 t, Nd 0.45 t kept"} {
		if !strings.Contains(cn.Note, want) {
			t.Errorf("CN credit note %q lacks %q", cn.Note, want)
		}
	}
}

// TestProductBoundPerElementAcrossPeriods (fix9ad): a run credited in two
// periods counts, element by element, what it credited in the earlier
// period against its products. Site mb, factor 0.9, run X:
//
//	PK, Pakistan, 10 t at Nd 4 % + Pr 1 %: Nd 0.4 t, Pr 0.1 t.
//	CN, China,    10 t at Nd 1 % + Pr 4 %: Nd 0.1 t, Pr 0.4 t.
//	xa (Oct 20): PK 10 t → O, 0.6 t at Nd 60 % + Pr 15 %: Nd 0.36, Pr 0.09.
//	xb (Nov 8):  CN 10 t → O2, 0.2 t at Nd 70 % + Pr 30 %: Nd 0.14, Pr 0.06.
//	X's products: Nd 0.5 (≤ 0.5 in), Pr 0.15 (≤ 0.5 in).
//	October, xa: Nd 0.36 ≤ 0.5, Pr 0.09 ≤ 0.15: PAK 0.45 t, no cut
//	  (O alone holds Nd 0.36, Pr 0.09: October is the same before xb).
//	November, xb: Nd 0.09 ≤ 0.5 − 0.36 = 0.14: kept; Pr 0.36 > 0.15 −
//	  0.09 = 0.06: cut to 0.06. CHN = 0.09 + 0.06 = 0.15 t.
//	  (Before: one figure, (0.5 + 0.15) − 0.45 = 0.2 t left: CHN 0.2.)
//	xb's own claim, China share s of O2's 0.2 t Nd+Pr, at capture:
//	  s = 1: 0.2 t > 0.15 t: refused, shortfall 0.05 t (before: accepted);
//	  s = 0.7: 0.14 t ≤ 0.15 t: accepted. November CHN: 0 + 0.15 − 0.14 = 0.01.
func TestProductBoundPerElementAcrossPeriods(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:1", "Pr:4"),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	if err := capture(svc, elRun("xa", "X", "2025-10-20T00:00:00Z", []string{"PK:10"}, "O", 0.6, "60", "15", "")); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-11-09T00:00:00Z")
	xb := func(s float64) string {
		return elRun("xb", "X", "2025-11-08T00:00:00Z", []string{"CN:10"}, "O2", 0.2, "70", "30", claimOf("CHN", s))
	}
	err := capture(svc, xb(1))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "period 2025-11") || !strings.Contains(err.Error(), "shortfall 0.05 t") {
		t.Fatalf("claim of 0.2 t against 0.15 t: %v, want refused, shortfall 0.05 t", err)
	}
	if err := capture(svc, xb(0.7)); err != nil {
		t.Fatalf("claim of 0.14 t within 0.15 t: %v", err)
	}
	oct, nov := elStatement(t, db, "2025-10"), elStatement(t, db, "2025-11")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 0.45, 0, 0, 0.45)
	if n := elCredit(t, oct, "PK").Note; n != "" {
		t.Errorf("October PK credit note %q, want none", n)
	}
	sameLine(t, "Nov", line(t, nov, "ree", "CHN"), 0, 0.15, 0.14, 0, 0.01)
	cn := elCredit(t, nov, "CN")
	for _, want := range []string{"run urn:t:run:X", "element by element: Nd 0.5 t, Pr 0.15 t in 0.8 t of ndpr_oxide (lot urn:t:lot:O, urn:t:lot:O2)", "credited already in an earlier period: Nd 0.36 t, Pr 0.09 t", "Pr 0.36 t cut to 0.06 t, Nd 0.09 t kept"} {
		if !strings.Contains(cn.Note, want) {
			t.Errorf("November CN credit note %q lacks %q", cn.Note, want)
		}
	}
}
