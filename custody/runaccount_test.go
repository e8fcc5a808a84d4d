package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// inputsOnly is a TransformationEvent of run urn:t:run:<xid> at site mb on
// 2025-12-10 with one input line (lot, tonnes) and no output.
func inputsOnly(id, xid, lot, t string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-12-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:` + xid + `",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
}

// TestRestatedOutputConsumesOnce (issue 9, second new-user check, 1): a
// run's inputs are counted by the quantities its events state, once; an
// output restated in a later event of the run adds no consumption.
//
// Site mb (declaration(): REE factor 0.9, monthly periods). December:
// feed P, Pakistan, 10 t at 4 % Nd + 1 % Pr; run Y: event ya takes 10 t of
// P and makes YO, 0.3 t oxide at 60 % Nd + 20 % Pr; event yb (no input)
// names YO again with 0.2 t — the events of a run add up, outputs as
// inputs (fix9f): YO is 0.3 + 0.2 = 0.5 t; event yc (no input) makes YR, 0.1 t at Nd 60 %,
// Pr 0 %, so that the run's products hold 0.4 + 0.06 = 0.46 t ≥ its
// 0.45 t credit (fix9c: a run never credits more than its products hold).
//
//	credit PAK = 10 × (4 % + 1 %) × 0.9 = 0.45 t Nd+Pr (not 0.9: yb's
//	             link from P to YO restates ya's consumption)
//
// Feed C, China, 10 t at 5 % Nd+Pr; run Z takes it and makes ZO, 0.7 t
// oxide claiming Pakistan: 0.7 × 80 % = 0.56 t > 0.45 → refused, shortfall
// 0.56 − 0.45 = 0.11 t (counted twice, 0.9 t, the claim passed).
func TestRestatedOutputConsumesOnce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if err := capture(svc, splitEvent("ya", "Y", "mb", "P:10", "YO", "0.3", ""), splitEvent("yb", "Y", "mb", "", "YO", "0.2", ""),
		stockEvent("yc", "urn:t:run:Y", "urn:t:site:mb", "2025-12-10T00:00:00Z", "YR", 0.1, "60", "0")); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "2025-12", line(t, st, "ree", "PAK"), 0, 0.45, 0, 0, 0.45)
	// Run Y's element balance: Nd in 10 × 4 % = 0.4 t, out 0.5 × 60 % +
	// 0.1 × 60 % = 0.36 t; Pr in 10 × 1 % = 0.1 t, out 0.5 × 20 % = 0.1 t.
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:YO", true)
	if err != nil {
		t.Fatal(err)
	}
	var nd *custody.ElementLine
	for _, rb := range c.Runs {
		for i, l := range rb.Elements {
			if l.Element == "Nd" {
				nd = &rb.Elements[i]
			}
		}
	}
	if nd == nil || !near(nd.In, 0.4) || !near(nd.OutTonnes(), 0.36) {
		t.Errorf("run Y Nd balance %+v, want in 0.4 out 0.36", nd)
	}
	err = capture(svc, splitEvent("z1", "Z", "mb", "C:10", "ZO", "0.7", claimPAK))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.11 t") {
		t.Fatalf("claim of 0.56 t on 0.45 t of credits: %v, want refused, shortfall 0.11 t", err)
	}
}

// TestRestatedOutputElementGain: the element balance reads the same
// definition. Run GR at cb: g1 takes G (10 t at 5 % Nd = 0.5 t Nd) and
// makes GQ, 0.6 t at 60 % Nd; g2 (no input) names GQ again with 0.4 t,
// which adds (fix9f: GQ = 0.6 + 0.4 = 1 t = 0.6 t Nd). In 0.5 t, out
// 0.6 t > 0.5 × (1 + 0.5 %) = 0.5025: element_gain (with G counted
// twice, in 1.0 t, it passed).
func TestRestatedOutputElementGain(t *testing.T) {
	ctx := context.Background()
	ev := func(id, in, outT string) string {
		inputs := ""
		if in != "" {
			inputs = `"inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}],`
		}
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:GR", ` + inputs + `
		 "outputQuantityList": [{"epcClass": "urn:t:lot:GQ", "quantity": ` + outT + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, feed("G", "ree_concentrate", "PAK", 10, "Nd:5"), ev("g1", "G", "0.6"), ev("g2", "", "0.4")))
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:GQ", true)
	if err != nil {
		t.Fatal(err)
	}
	var found *custody.Anomaly
	for i, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			found = &c.Anomalies[i]
		}
	}
	if found == nil {
		t.Fatalf("no element_gain in %+v", c.Anomalies)
	}
	for _, want := range []string{"0.6 t Nd", "only 0.5 t"} {
		if !strings.Contains(found.Detail, want) {
			t.Errorf("anomaly %q lacks %q", found.Detail, want)
		}
	}
}

// TestInputsBeforeOutputsAddUp: input lines stated before the run has any
// output are consumed into its first outputs, each once. Run W: wa takes
// 4 t of P, wb 6 t of P (neither has an output), wc makes WO (0.5 t
// oxide): P put 4 + 6 = 10 t into W, credit PAK 10 × 5 % × 0.9 = 0.45 t
// (the two lines must not collapse into one link, 0.18 or 0.27 t). A
// later wd naming WO again adds 0.5 t to it (fix9f: WO 1 t, its Nd
// capped at what the run put in) but consumes nothing more. wx makes WR, 0.1 t at Nd 60 %, so
// the run's products hold 0.4 + 0.06 = 0.46 ≥ 0.45 t (fix9c).
func TestInputsBeforeOutputsAddUp(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if err := capture(svc, inputsOnly("wa", "W", "P", "4")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, inputsOnly("wb", "W", "P", "6"), splitEvent("wc", "W", "mb", "", "WO", "0.5", ""),
		stockEvent("wx", "urn:t:run:W", "urn:t:site:mb", "2025-12-10T00:00:00Z", "WR", 0.1, "60", "0")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, splitEvent("wd", "W", "mb", "", "WO", "0.5", "")); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "2025-12", line(t, st, "ree", "PAK"), 0, 0.45, 0, 0, 0.45)
	// P is 10 t: a further run taking 1 t finds none left (10 t consumed,
	// tolerance 0.5 % of 10 t = 0.05 t).
	err = capture(svc, splitEvent("we", "V", "mb", "P:1", "VO", "0.05", ""))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "only 0 t of its 10 t remain") {
		t.Errorf("1 t more of P after 10 t: %v", err)
	}
}

// TestLotListedTwiceRefused (issue 9, second new-user check, 2): an event
// listing one lot twice among its inputs (5 t + 5 t of a 10 t lot) or its
// outputs is refused naming the line, nothing stored. Stored, the two
// input lines became one link of 5 t: the run's Nd in was 5 × 5 % = 0.25 t
// instead of 0.5 t (a false element_gain), and a later run could take 5 t
// more of the lot, 15 t from 10 t. Spellings of one lot are one lot.
func TestLotListedTwiceRefused(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
	svc := ledger.NewService(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	twice := strings.Replace(splitEvent("e1", "E", "mb", "P:5", "EQ", "0.5", ""), `"inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 5, "uom": "TNE"}]`,
		`"inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 5, "uom": "TNE"}, {"epcClass": "urn:t:lot:P", "quantity": 5000, "uom": "KGM"}]`, 1)
	err := capture(svc, twice)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/inputQuantityList/1/epcClass") || !strings.Contains(err.Error(), "lot urn:t:lot:P is listed twice") {
		t.Fatalf("input listed twice: %v", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:EQ"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused event's output stored: %v", err)
	}
	outTwice := strings.Replace(splitEvent("e2", "E", "mb", "P:5", "EQ", "0.5", ""), `"outputQuantityList": [{"epcClass": "urn:t:lot:EQ", "quantity": 0.5, "uom": "TNE"}]`,
		`"outputQuantityList": [{"epcClass": "urn:t:lot:EQ", "quantity": 0.5, "uom": "TNE"}, {"epcClass": "urn:t:lot:EQ", "quantity": 0.5, "uom": "TNE"}]`, 1)
	err = capture(svc, outTwice)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/outputQuantityList/1/epcClass") {
		t.Fatalf("output listed twice: %v", err)
	}
	// The same lot as input in two events of one run is two lines, each
	// consumed (TestInputsBeforeOutputsAddUp); as input and as output of
	// one event it is neither listed twice nor linked to itself.
	if err := capture(svc, splitEvent("e3", "E", "mb", "P:5", "EQ", "0.5", "")); err != nil {
		t.Errorf("one line per lot: %v", err)
	}
}

// TestRetractionNamesRun (issue 9, second new-user check, 7): a claim
// broken by the retraction of a credit run names the run by its
// transformationID, with the event declared in error. December at mb: run
// MB2 (event b6) takes P, Pakistan, 10 t at 5 % Nd+Pr → credit 10 × 5 % ×
// 0.9 = 0.45 t, its products O1 (0.5 t × 80 % = 0.4 t) and O1R (event b7,
// 0.1 t at Nd 60 % = 0.06 t) holding 0.46 ≥ 0.45 t (fix9c); run Z makes ZO, 0.5 t oxide × 80 % = 0.40 t claimed
// Pakistan (accepted, 0.40 ≤ 0.45). b6 declared in error: 0 t of credit,
// ZO refused, shortfall 0.40 t, "retraction of run urn:t:run:MB2 (event
// urn:t:ev:b6, 2025-12-10)" — not "run urn:t:ev:b6".
func TestRetractionNamesRun(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if err := capture(svc, splitEvent("b6", "MB2", "mb", "P:10", "O1", "0.5", ""),
		stockEvent("b7", "urn:t:run:MB2", "urn:t:site:mb", "2025-12-10T00:00:00Z", "O1R", 0.1, "60", "0")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, splitEvent("z", "Z", "mb", "C:10", "ZO", "0.5", claimPAK)); err != nil {
		t.Fatalf("0.40 t claimed on 0.45 t: %v", err)
	}
	evs, err := db.FindEventsByID(ctx, "urn:t:ev:b6")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-10T12:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	if err := capture(svc, string(b)); err != nil {
		t.Fatalf("the retraction: %v", err)
	}
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:ZO", false)
	if err != nil {
		t.Fatal(err)
	}
	const named = "the claim was covered until the retraction of run urn:t:run:MB2 (event urn:t:ev:b6, 2025-12-10) declared in error on 2025-12-10T12:00:00Z (reason incorrect_data)"
	if cl := c.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || !strings.Contains(cl.Error, named) {
		t.Errorf("ZO after b6's retraction: %+v, want refused naming %q", cl, named)
	}
}
