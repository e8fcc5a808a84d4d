package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// fix9agRun sets up the new-user check nu9f's run at a mass-balance site
// (issue 9, fix9ag) at site mb (credit method, factor 0.9, elements Nd
// and Pr: declaration; the products' bound holds element by element,
// fix9ad):
//
//	L, Pakistan, 20 t wet at its mine, moisture 0.1, assayed as received
//	Nd 4.5 % + Pr 0.9 % = dry 4.5 / 0.9 = 5 % + 0.9 / 0.9 = 1 %.
//	6 t of it shipped to mb (Oct 2) and received (Oct 4): 6 × 0.9 = 5.4 t
//	dry, holding Nd 0.27 t + Pr 0.054 t.
//	RY (Oct 10) takes the 6 t → PY, 0.4 t of NdPr oxide at Nd 60 % +
//	Pr 13 % (Nd 0.24 t ≤ 0.27, Pr 0.052 t ≤ 0.054), claiming Pakistan:
//	  Nd min(0.27 × 0.9 = 0.243, 0.24) = 0.24;
//	  Pr min(0.054 × 0.9 = 0.0486, 0.052) = 0.0486;
//	  credit at the run 0.24 + 0.0486 = 0.2886 t.
//
// A claim of share 1 (0.4 × 73 % = 0.292 t) is refused at capture naming
// what the account holds at the run, 0.2886 t; share 0.98 (0.28616 t) is
// accepted. It returns the site's store and a capture that fails the
// test when refused.
func fix9agRun(t *testing.T) (custody.Store, func(now, what string, docs ...string)) {
	t.Helper()
	const mb, mine, lot = "urn:t:site:mb", "urn:t:site:mine-PAK", "urn:t:lot:L"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "` + lot + `", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0.1,
	           "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4.5, "cm:unit": "%", "cm:basis": "as_received"}, {"cm:analyte": "Pr", "cm:value": 0.9, "cm:unit": "%", "cm:basis": "as_received"}]}}`
	ship := ev("s1", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 6, "uom": "TNE"}],
	 "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+mb+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B2"}]`)
	recv := ev("r1", "2025-10-04T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 6, "uom": "TNE"}],
	 "bizLocation": {"id": "`+mb+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B2"}]`)
	db := mbfxStore(t, false, commission, ship, recv)
	svc := mbfxService(db)
	capt := func(now, what string, docs ...string) { t.Helper(); mbfxCapture(t, svc, now, what, docs...) }
	ry := func(share string) string {
		return runOf("RY", "mb", "2025-10-10T00:00:00Z", []string{"L:6"}, product{lot: "PY", commodity: "ndpr_oxide", t: 0.4, assays: []string{"Nd:60", "Pr:13"},
			extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": ` + share + `}]`})
	}
	err := mbfxTry(svc, "2025-10-10T01:00:00Z", ry("1"))
	if err == nil || !strings.Contains(err.Error(), "0.2886") {
		t.Fatalf("PY claiming 0.4 × 73 %% = 0.292 t Pakistani against 0.2886 t: %v, want refused naming the 0.2886 t held at the run", err)
	}
	capt("2025-10-10T01:00:00Z", "RY, PY claiming 0.98 × 0.292 = 0.28616 t", ry("0.98"))
	return db, capt
}

// fix9agAssay is an assay of lot at site mb of Nd and Pr (dry %).
func fix9agAssay(id, at, lot, nd, pr string) string {
	report := func(el, v string) string {
		return `{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/` + el + `", "value": ` + v + `, "uom": "P1", "cm:basis": "dry"}`
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "sensorElementList": [{"sensorReport": [` + report("Nd", nd) + `, ` + report("Pr", pr) + `]}]}`
}

// fix9agCredit is L's credit entry in site mb's October statement.
func fix9agCredit(t *testing.T, db custody.Store) custody.Entry {
	t.Helper()
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
	var got []custody.Entry
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" && e.Lot == "urn:t:lot:L" {
				got = append(got, e)
			}
		}
	}
	if len(got) != 1 {
		t.Fatalf("L's credit entries %+v, want one", got)
	}
	return got[0]
}

// TestCreditAtRunIsTheCreditThen (issue 9, fix9ag; nu9f WRONG FIGURE 3):
// a credit entry whose figures changed by an assay dated after its run
// says what it "was … at the run": the credit the account computed from
// the facts as they stood at the run — inputs × factor bounded by the
// products, each read as it was then — never the credit now scaled by
// the inputs' grade then ÷ now. fix9agRun's RY credited 0.2886 t at the
// run (the capture refusal said so).
//
// 1. The part of L at mb is assayed on Oct 15 at Nd 6 % + Pr 1 % dry:
//
//	Nd min(5.4 × 6 % × 0.9 = 0.2916, 0.24) = 0.24; Pr min(0.0486,
//	0.052) = 0.0486: now 0.2886 t. "was 0.2886 t at the run" (it read
//	0.2886 × (Nd+Pr grade then 6 % ÷ now 7 %) = 0.247371).
//
// 2. PY is re-assayed on Oct 16 at Nd 50 % + Pr 10 %, Nd 0.2 t + Pr
// 0.04 t:
//
//	Nd min(0.2916, 0.2) = 0.2; Pr min(0.0486, 0.04) = 0.04: now 0.24 t.
//	"was 0.2886 t at the run": PY held Nd 0.24 + Pr 0.052 then (it read
//	0.24 × 6 / 7 = 0.205714). The note names PY's later assay too, which
//	is why the credit fell.
func TestCreditAtRunIsTheCreditThen(t *testing.T) {
	db, capt := fix9agRun(t)
	capt("2025-10-15T01:00:00Z", "part of L at mb assayed Nd 6 % + Pr 1 %", fix9agAssay("lay", "2025-10-15T00:00:00Z", "L", "6", "1"))
	e := fix9agCredit(t, db)
	if !near(e.Tonnes, 0.2886) || !strings.Contains(e.Note, "was 0.2886 t at the run, now 0.2886 t") {
		t.Errorf("after L's part is re-assayed: credit %v t, note %q; want 0.2886 t (Nd min(0.2916, 0.24) + Pr min(0.0486, 0.052)) and \"was 0.2886 t at the run, now 0.2886 t\"", e.Tonnes, e.Note)
	}
	if !strings.Contains(e.Note, "urn:t:ev:lay") {
		t.Errorf("note %q does not name the part's assay urn:t:ev:lay", e.Note)
	}
	capt("2025-10-16T01:00:00Z", "PY re-assayed Nd 50 % + Pr 10 %", fix9agAssay("pyre", "2025-10-16T00:00:00Z", "PY", "50", "10"))
	e = fix9agCredit(t, db)
	if !near(e.Tonnes, 0.24) || !strings.Contains(e.Note, "was 0.2886 t at the run, now 0.24 t") {
		t.Errorf("after PY is re-assayed: credit %v t, note %q; want 0.24 t (Nd 0.2 + Pr 0.04) and \"was 0.2886 t at the run, now 0.24 t\"", e.Tonnes, e.Note)
	}
	for _, want := range []string{"urn:t:ev:lay", "urn:t:ev:pyre", "product urn:t:lot:PY"} {
		if !strings.Contains(e.Note, want) {
			t.Errorf("note %q does not name %s", e.Note, want)
		}
	}
}

// TestCreditAtRunProductOnly (issue 9, fix9ag): a credit that a later
// assay of the run's product alone changed says so too, with the figure
// at the run. fix9agRun's RY credited 0.2886 t at the run; PY re-assayed
// on Oct 16 at Nd 50 % + Pr 10 % bounds it at Nd min(0.243, 0.2) + Pr
// min(0.0486, 0.04) = 0.24 t now: "was 0.2886 t at the run, now 0.24 t",
// naming PY's assay (before, the credit fell with no word of the later
// assay).
func TestCreditAtRunProductOnly(t *testing.T) {
	db, capt := fix9agRun(t)
	capt("2025-10-16T01:00:00Z", "PY re-assayed Nd 50 % + Pr 10 %", fix9agAssay("pyre", "2025-10-16T00:00:00Z", "PY", "50", "10"))
	e := fix9agCredit(t, db)
	if !near(e.Tonnes, 0.24) || !strings.Contains(e.Note, "was 0.2886 t at the run, now 0.24 t") || !strings.Contains(e.Note, "urn:t:ev:pyre") {
		t.Errorf("credit %v t, note %q; want 0.24 t and \"was 0.2886 t at the run, now 0.24 t\" naming urn:t:ev:pyre", e.Tonnes, e.Note)
	}
}
