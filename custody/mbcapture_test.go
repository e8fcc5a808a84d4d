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

// mbDoc wraps events in a capture document.
func mbDoc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-20T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

// oxideRun is a run at site mb on day `when` turning 1 t of C2 (Chinese
// concentrate, 5 % Nd+Pr) into `out`, t tonnes of NdPr oxide at 60 % Nd +
// 20 % Pr, with the ILMD claim `claim` (may be empty).
func oxideRun(id, when, out string, t float64, claim string) string {
	return oxideRunFrom(id, when, out, t, claim, "C2", 1)
}

// oxideRunFrom is oxideRun consuming in t of lot in instead of 1 t of C2:
// a run whose oxide holds more Nd+Pr than 1 t of C2 (0.05 t) gains
// (element_gain: its physical figure and credits are capped, its claim is
// booked at its assay, fix9y), so a test that means a balanced run feeds
// it from CBIG (mbStore: 1000 t at Nd 4 % + Pr 1 %).
func oxideRunFrom(id, when, out string, t float64, claim, in string, inT float64) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + fmt.Sprint(inT) + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + fmt.Sprint(t) + `, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
}

// clockAt is a capture clock fixed at an RFC 3339 time: the record time
// of every event the service captures (ledger.Service.Now).
func clockAt(s string) func() time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

// TestBackDatedClaimBreaksLaterClaim: a claim is checked over every claim
// it affects, not only its own. Captured on November 25 (November open),
// in mbStore the Pakistani account is (tonnes of Nd+Pr):
//
//	October: credits 4.5, O1 claims 1.6 → 2.9 of October's credit left.
//	November: Nov 10 + 0.9 (A2, run E5); O3 claims 0.8 from October's
//	          credit first (2.9 → 2.1); Nov 12 K claims 0.4 (2.1 → 1.7).
//
// A back-dated run on November 11 claiming 3.5 t × 80 % = 2.8 t Pakistani
// fits when it is made (2.1 + 0.9 = 3.0 ≥ 2.8) but leaves 0.2 for K's
// 0.4: short by 0.4 − 0.2 = 0.2 t. The document is refused naming K;
// nothing is stored. 2.5 t claimed (3.125 t of oxide) leaves 3.0 − 2.5 =
// 0.5 ≥ 0.4: accepted. Both runs take 100 t of CBIG (5 t Nd+Pr in, no
// gain); fix9p: from 1 t of C2 (0.05 t in) they gained, and B2's claim,
// read back, counted the capped 0.05 t.
func TestBackDatedClaimBreaksLaterClaim(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRunFrom("B1", "2025-11-11T00:00:00Z", "B1", 3.5, claimPAK, "CBIG", 100))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("back-dated claim breaking K: %v, want ECONFLICT (409, a conflict with the record)", err)
	}
	for _, want := range []string{"accepted claim on lot urn:t:lot:K", "period 2025-11", "shortfall 0.2 t"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0" {
		t.Errorf("fields %+v, want event urn:t:ev:B1", f)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:B1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored B1: %v", err)
	}
	if k, err := custody.Origin(ctx, db, "urn:t:lot:K"); err != nil || k.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("K after the refusal: %+v %v", k.Claimed, err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRunFrom("B2", "2025-11-11T00:00:00Z", "B2", 3.125, claimPAK, "CBIG", 100))}); err != nil {
		t.Fatalf("back-dated claim that breaks nothing: %v", err)
	}
	for _, lot := range []string{"urn:t:lot:B2", "urn:t:lot:K", "urn:t:lot:O3"} {
		if o, err := custody.Origin(ctx, db, lot); err != nil || o.Claimed.Status != custody.ClaimAccepted {
			t.Errorf("%s: %+v %v", lot, o.Claimed, err)
		}
	}
	nov, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// November PAK: opening 2.9 (October's credit), credits 0.9; claims
	// O3 0.8 + B2 2.5 + K 0.4 = 3.7, October's credit first (O3 0.8, B2
	// 2.1 of it, then 0.4 of November's; K 0.4 of November's): nothing of
	// October's left to expire, closing 2.9 + 0.9 − 3.7 − 0 = 0.1.
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 2.9, 0.9, 3.7, 0, 0.1)
}

// TestClaimIntoEndedPeriodRefused (issue 9): ISO 22095-2 books a claim in
// the period it is made, and a period's statement is final once it has
// ended. Captured on November 25 (the capture's clock), a run dated
// October 20 whose output (0.5 t at 80 % = 0.4 t Nd+Pr) claims Pakistan
// would fit October's balance (2.9 t left) but October ended on November
// 1: refused, naming site, category, period and its end; nothing stored.
// So is a later ObjectEvent dated October 25 claiming a lot made in
// October. The same run captured with the clock at October 25 (October
// open) is accepted: the capture's own clock decides, not the event's.
func TestClaimIntoEndedPeriodRefused(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRun("B3", "2025-10-20T00:00:00Z", "B3", 0.5, claimPAK))})
	want := "claim on lot urn:t:lot:B3 refused: site urn:t:site:mb, category ree, period 2025-10 (2025-10-01 to 2025-11-01) ended on 2025-11-01, before this capture (recorded 2025-11-25T00:00:00Z)"
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), want) {
		t.Fatalf("claim into ended October: %v, want EINVALID saying %q", err, want)
	}
	if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originClaim" {
		t.Errorf("fields %+v, want event urn:t:ev:B3/ilmd/cm:originClaim", f)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:B3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored B3: %v", err)
	}
	// An unclaimed run dated in October, captured on November 25, would
	// add credits to October's final statement: refused too.
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRun("B4", "2025-10-20T00:00:00Z", "B4", 0.5, ""))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "claim period 2025-10 (2025-10-01 to 2025-11-01), which ended on 2025-11-01") {
		t.Fatalf("unclaimed run back-dated into ended October: %v", err)
	}
	// Captured while October was open, it is taken; a later claim event
	// dated in October on it is refused once October has ended.
	svc.Now = clockAt("2025-10-25T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRun("B4", "2025-10-20T00:00:00Z", "B4", 0.5, ""))}); err != nil {
		t.Fatalf("unclaimed October run: %v", err)
	}
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:L4", "eventTime": "2025-10-25T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "quantityList": [{"epcClass": "urn:t:lot:B4"}], "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`)})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "period 2025-10 (2025-10-01 to 2025-11-01) ended on 2025-11-01") {
		t.Errorf("later claim dated into ended October: %v", err)
	}
	if b4, err := db.FindLot(ctx, "urn:t:lot:B4"); err != nil || b4.OriginClaim != nil {
		t.Errorf("refused claim stored on B4: %+v %v", b4, err)
	}
	// October still open: the same run is taken, 0.4 ≤ 2.9.
	svc.Now = clockAt("2025-10-25T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRun("B3", "2025-10-20T00:00:00Z", "B3", 0.5, claimPAK))}); err != nil {
		t.Fatalf("claim in open October: %v", err)
	}
}

// TestClaimInLaterEventCheckedAtCapture: a claim carried by a later event
// on a lot already made (not by the run that made it) is checked at
// capture like any other. P11, 5 t of oxide made at mb on November 20
// without a claim from 100 t of CBIG (5 t Nd+Pr in, no gain), holds
// 5 × 80 % = 4.0 t Nd+Pr; the November balance is
// 2.6 t (TestClaimRefusedAtCapture): an ObjectEvent on November 25 claiming
// it Pakistani is refused with the shortfall 1.4 t and nothing is stored.
// A claim on a lot no transformation made is refused too.
func TestClaimInLaterEventCheckedAtCapture(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-26T00:00:00Z") // November is open
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(oxideRunFrom("R11", "2025-11-20T00:00:00Z", "P11", 5, "", "CBIG", 100))}); err != nil {
		t.Fatal(err)
	}
	later := func(id, lot string) []byte {
		return mbDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-25T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
		 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: later("L1", "P11")})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.4 t") || critmin.ErrorFields(err)[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originClaim" {
		t.Fatalf("later over-claim: %v", err)
	}
	if p, err := db.FindLot(ctx, "urn:t:lot:P11"); err != nil || p.OriginClaim != nil {
		t.Errorf("refused claim stored on P11: %+v %v", p, err)
	}
	// A9 was consumed whole by run E9 (November 10): the ADD would also
	// bring it back in stock, which is refused first
	// (TestEventsOnConsumedLotRefused).
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: later("L2", "A9")})
	if (critmin.ErrorCode(err) != critmin.EINVALID && critmin.ErrorCode(err) != critmin.ECONFLICT) || !strings.Contains(err.Error(), "no transformation produced it") && !strings.Contains(err.Error(), "lot urn:t:lot:A9 refused: it was consumed by") {
		t.Errorf("claim on a feed lot: %v", err)
	}
}

// TestRedeclarationKeepsJudgedPeriods: a new declaration version never
// rewrites a period that has ended or holds a claim. On November 20,
// October has ended and holds claims, November holds claims (O3, K),
// December is open. A version halving the REE factor (0.9 → 0.45)
//
//   - effective from October 1 is refused, naming period 2025-11;
//   - that drops period 2025-10 is refused, naming it;
//   - without effectiveFrom takes effect from December 1: October and
//     November keep version 1 (PAK October 0 + 4.5 − 1.6 − 0 = 2.9,
//     November 2.9 + 0.9 − 1.2 − 1.7 = 0.9, O1 accepted, O2 refused as
//     before), December is judged under version 2 at factor 0.45.
func TestRedeclarationKeepsJudgedPeriods(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	now := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	v2 := func() *critmin.MassBalanceDeclaration {
		d := declaration("urn:t:site:mb")
		d.Categories[0].ConversionFactor = 0.45
		return d
	}
	d := v2()
	d.EffectiveFrom = "2025-10-01"
	err := custody.DeclareMassBalance(ctx, db, d, now)
	if critmin.ErrorCode(err) != critmin.EINVALID || critmin.ErrorFields(err)[0].Pointer != "/effectiveFrom" || !strings.Contains(err.Error(), "period 2025-11") || !strings.Contains(err.Error(), "2025-12-01 or later") {
		t.Errorf("back-dated version: %v", err)
	}
	d = v2()
	d.Periods = d.Periods[1:]
	if err := custody.DeclareMassBalance(ctx, db, d, now); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "period 2025-10") || critmin.ErrorFields(err)[0].Pointer != "/periods" {
		t.Errorf("version dropping a claimed period: %v", err)
	}
	if vs, err := db.MassBalanceVersions(ctx, "urn:t:site:mb"); err != nil || len(vs) != 1 {
		t.Fatalf("refused versions stored: %d %v", len(vs), err)
	}
	d = v2()
	if err := custody.DeclareMassBalance(ctx, db, d, now); err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.EffectiveFrom != "2025-12-01" {
		t.Errorf("version %d effective %s, want 2 from 2025-12-01", d.Version, d.EffectiveFrom)
	}
	st := func(p string) *custody.Statement {
		// Read once the periods have ended: their expiry is expired,
		// not a projection (TestOpenPeriodExpiryIsProjection).
		s, err := custody.StatementOf(ctx, db, "urn:t:site:mb", p, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	oct, nov, dec := st("2025-10"), st("2025-11"), st("2025-12")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 4.5, 1.6, 0, 2.9)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 2.9, 0.9, 1.2, 1.7, 0.9)
	if oct.Version != 1 || nov.Version != 1 || dec.Version != 2 || oct.Categories[0].ConversionFactor != 0.9 || dec.Categories[0].ConversionFactor != 0.45 {
		t.Errorf("versions %d %d %d, factors %v %v", oct.Version, nov.Version, dec.Version, oct.Categories[0].ConversionFactor, dec.Categories[0].ConversionFactor)
	}
	if o1, err := custody.Origin(ctx, db, "urn:t:lot:O1"); err != nil || o1.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("O1 %+v %v", o1.Claimed, err)
	}
	if o2, err := custody.Origin(ctx, db, "urn:t:lot:O2"); err != nil || o2.Claimed.Status != custody.ClaimRefused || !near(o2.Claimed.Shortfall, 1.1) {
		t.Errorf("O2 %+v %v", o2.Claimed, err)
	}
	// Every period locked: a further version has nothing to govern.
	if err := custody.DeclareMassBalance(ctx, db, v2(), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "declare a new claim period") {
		t.Errorf("version with every period closed: %v", err)
	}
}

// TestRollingAverageStatement: the rolling-average statement keeps the
// balance like the credit method — closing = opening + credits − claims −
// expired — and adds each origin's percentage over the window (this
// period and carryForward = 1 before it). Site ra, factor 0.9, all feeds
// 5 % Nd+Pr, products 80 % Nd+Pr:
//
//	October: A (PAK 100 t) and C (CHN 100 t) bring 5 × 0.9 = 4.5 t each.
//	  H, 2 t = 1.6 t, claims 50 % PAK = 0.8 t (window PAK 4.5/9 = 50 %).
//	  PAK 0 + 4.5 − 0.8 − 0 = 3.7; CHN 0 + 4.5 − 0 − 0 = 4.5.
//	November: A2 (PAK 20 t) brings 1 × 0.9 = 0.9. H2, 1 t = 0.8 t,
//	  claims 50 % PAK = 0.4 t (window PAK 5.4/9.9 = 54.5 %), taken from
//	  October's credit. October's credits leave the window at November's
//	  end: PAK 3.7 − 0.4 = 3.3 expire, CHN 4.5 expire.
//	  PAK 3.7 + 0.9 − 0.4 − 3.3 = 0.9; CHN 4.5 + 0 − 0 − 4.5 = 0.
//	December: C3 (CHN 20 t) brings 0.9. H3, 0.5 t = 0.4 t, claims 50 %
//	  PAK = 0.2 t (window PAK 0.9/1.8 = 50 %). November's PAK credit
//	  expires at December's end: 0.9 − 0.2 = 0.7.
//	  PAK 0.9 + 0 − 0.2 − 0.7 = 0; CHN 0 + 0.9 − 0 − 0 = 0.9.
//
// Each run also makes unclaimed oxide so that its products hold its
// credits (fix9c), each element within its inputs: R1 HR 10 t at Nd 62 % +
// Pr 15 % = 7.7 t (1.6 + 7.7 = 9.3 ≥ 9); R2 H2R 0.25 t at Nd 60 % = 0.15
// (0.95 ≥ 0.9); R3 H3R 0.7 t at Nd 64 % + Pr 12 % = 0.532 (0.932 ≥ 0.9).
func TestRollingAverageStatement(t *testing.T) {
	half := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]`
	db := store(t, doc(map[string]string{"ra": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("C3", "ree_concentrate", "CHN", 20, "Nd:4", "Pr:1"),
		runOf("R1", "ra", "2025-10-05T00:00:00Z", []string{"A:100", "C:100"}, product{lot: "H", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: half},
			product{lot: "HR", commodity: "ndpr_oxide", t: 10, assays: []string{"Nd:62", "Pr:15"}}),
		runOf("R2", "ra", "2025-11-05T00:00:00Z", []string{"A2:20"}, product{lot: "H2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: half},
			product{lot: "H2R", commodity: "ndpr_oxide", t: 0.25, assays: []string{"Nd:60", "Pr:0"}}),
		runOf("R3", "ra", "2025-12-05T00:00:00Z", []string{"C3:20"}, product{lot: "H3", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: half},
			product{lot: "H3R", commodity: "ndpr_oxide", t: 0.7, assays: []string{"Nd:64", "Pr:12"}}),
	))
	ctx := context.Background()
	d := declaration("urn:t:site:ra")
	d.Method = critmin.MassBalanceRollingAverage
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st := func(p string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:ra", p, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := custody.CheckStatement(s); err != nil {
			t.Error(err)
		}
		if len(s.Refused) > 0 {
			t.Errorf("%s refused %+v", p, s.Refused)
		}
		return s
	}
	oct, nov, dec := st("2025-10"), st("2025-11"), st("2025-12")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 4.5, 0.8, 0, 3.7)
	sameLine(t, "Oct", line(t, oct, "ree", "CHN"), 0, 4.5, 0, 0, 4.5)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 3.7, 0.9, 0.4, 3.3, 0.9)
	sameLine(t, "Nov", line(t, nov, "ree", "CHN"), 4.5, 0, 0, 4.5, 0)
	sameLine(t, "Dec", line(t, dec, "ree", "PAK"), 0.9, 0, 0.2, 0.7, 0)
	sameLine(t, "Dec", line(t, dec, "ree", "CHN"), 0, 0.9, 0, 0, 0.9)
	for _, c := range []struct {
		st   *custody.Statement
		want float64
	}{{oct, 0.5}, {nov, 5.4 / 9.9}, {dec, 0.5}} {
		if got := line(t, c.st, "ree", "PAK").Percent; !near(got, c.want) {
			t.Errorf("%s PAK percent %v, want %v", c.st.Period.ID, got, c.want)
		}
	}
}
