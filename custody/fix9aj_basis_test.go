package custody_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// decl9aj is site mb's declaration in October and November 2025 (carry
// forward 1): category lace, ree_concentrate → lace_carbonate on La+Ce
// at 0.8; category sb, antimony_ore → antimony_trioxide on Sb at 0.8.
func decl9aj() *critmin.MassBalanceDeclaration {
	return &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{
			{ID: "lace", Inputs: []string{"ree_concentrate"}, Product: "lace_carbonate", Elements: []string{"La", "Ce"}, ConversionFactor: 0.8},
			{ID: "sb", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8},
		},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}},
	}
}

// doc9aj is a capture document whose master data types site mb as a
// mass-balance refinery in the United States.
func doc9aj(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mb", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mb"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"},
	    {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}]}]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// run9aj is a TransformationEvent id of run xid at mb on when with
// inputs ("lot:t") and outputs ("lot:t", all lace carbonate at La 30 % +
// Ce 45 %, stated in the event's ILMD).
func run9aj(id, xid, when string, inputs, outputs []string, assays ...string) string {
	line := func(s string) string {
		lot, q, _ := strings.Cut(s, ":")
		return `{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + q + `, "uom": "TNE"}`
	}
	var in, out []string
	for _, s := range inputs {
		in = append(in, line(s))
	}
	for _, s := range outputs {
		out = append(out, line(s))
	}
	ev := `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:run:` + xid + `", "bizLocation": {"id": "urn:t:site:mb"}`
	if len(in) > 0 {
		ev += `, "inputQuantityList": [` + strings.Join(in, ",") + `]`
	}
	if len(out) > 0 {
		var as []string
		for _, a := range assays {
			el, v, _ := strings.Cut(a, ":")
			as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
		}
		ev += `, "outputQuantityList": [` + strings.Join(out, ",") + `], "ilmd": {"cm:commodity": "lace_carbonate", "cm:moisture": 0, "cm:assay": [` + strings.Join(as, ",") + `]}`
	}
	return ev + `}`
}

// claim9aj is an ObjectEvent ADD (bizStep commissioning, as a user's
// claim event reads) at mb on when that attaches a claim of Pakistan at
// share to lot, naming no quantity.
func claim9aj(id, when, lot string, share float64) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:%s"}], "bizLocation": {"id": "urn:t:site:mb"}, "readPoint": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": %v}]}}`, id, when, lot, share)
}

// site9aj stores at site mb (decl9aj) PK (Pakistan) and CN (China),
// REE concentrate 10 t each at Nd 5 % + Pr 1.5 % + La 8 % + Ce 12 %
// (0.8 t La, 1.2 t Ce), and SC (China), antimony ore 5 t at Sb 40 % +
// La 1 % (0.05 t La); captures run R1, then the events r2 of run R2, then
// C2's claim:
//
//	R1 (Oct 5): PK 10 t → C1 3 t lace carbonate at La 25 % + Ce 35 %
//	  (0.75 + 1.05 = 1.8 t La+Ce): lace PAK credit, element by element
//	  (fix9ad), La min(0.8 × 0.8 = 0.64, 0.75) + Ce min(1.2 × 0.8 = 0.96,
//	  1.05) = 0.64 + 0.96 = 1.6 t.
//	R2 (Oct 6): consumes CN (an input of lace) and SC (not one), makes C2
//	  2 t and C3 0.1 t at La 30 % + Ce 45 % (C2 2 × 75 % = 1.5 t La+Ce,
//	  C3 0.075 t); it credits lace CHN, PAK untouched.
//	cl (Oct 7): an ObjectEvent ADD (bizStep commissioning) attaching to C2
//	  a claim of Pakistan 100 %: 1.5 ≤ 1.6, accepted; lace PAK 0 + 1.6 −
//	  1.5 − 0 = 0.1 t.
func site9aj(t *testing.T, r2 ...string) (*sqldb.DB, *ledger.Service) {
	t.Helper()
	db := store(t, doc9aj(feed("PK", "ree_concentrate", "PAK", 10, full9aj...), cn9aj,
		feed("SC", "antimony_ore", "CHN", 5, "Sb:40", "La:1")))
	if err := custody.DeclareMassBalance(context.Background(), db, decl9aj(), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "R1", run9aj("r1", "R1", "2025-10-05T00:00:00Z", []string{"PK:10"}, []string{"C1:3"}, "La:25", "Ce:35"))
	mbfxCapture(t, svc, "2025-10-06T03:00:00Z", "R2", r2...)
	mbfxCapture(t, svc, "2025-10-07T01:00:00Z", "C2's claim of 1.5 t on 1.6 t", claim9aj("cl", "2025-10-07T00:00:00Z", "C2", 1))
	return db, svc
}

var (
	full9aj = []string{"Nd:5", "Pr:1.5", "La:8", "Ce:12"}
	cn9aj   = feed("CN", "ree_concentrate", "CHN", 10, full9aj...)
	// Run R2 told in three events: xa feeds CN, xb feeds SC, xo makes
	// C2 and C3.
	xa9aj = run9aj("xa", "R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, nil)
	xb9aj = run9aj("xb", "R2", "2025-10-06T01:00:00Z", []string{"SC:5"}, nil)
	xo9aj = run9aj("xo", "R2", "2025-10-06T02:00:00Z", nil, []string{"C2:2", "C3:0.1"}, "La:30", "Ce:45")
	// Run R2 told in two events: xe feeds CN and SC and makes C4 (0.1 t),
	// xo makes C2 and C3.
	xe9aj = run9aj("xe", "R2", "2025-10-06T00:00:00Z", []string{"CN:10", "SC:5"}, []string{"C4:0.1"}, "La:30", "Ce:45")
)

// TestClaimBookedWhenRunLeavesCategory (fix9aj, nu9g): a claim accepted
// at capture whose run a later fact takes out of its category's
// mass-balance system is not covered, naming the fact, in every view,
// and stays booked in full: the credit it retired stays retired, so no
// second claim is backed by it. At site9aj, C2 claims 1.5 t La+Ce of
// Pakistan on R1's 1.6 t; then, each case on its own:
//
//	f: xa declared in error — R2 consumes SC alone, no input of lace;
//	g: xa and xb declared in error — R2 has no live input;
//	h: CN's commissioning declared in error — CN is no longer on record,
//	   R2's other input SC is not of lace;
//	e: R2 told as xe (CN + SC → C4) and xo; xe declared in error — R2
//	   has no live input.
//
// Each case: C2 not covered, naming the events, booked in full (its row
// claimed 1.5, available 0, shortfall 1.5 t, apart from the deficit);
// lace PAK, October: opening 0 + credits 1.6 − claims 1.5 − expired 0 =
// closing 0.1 t. A claim on C1 of Pakistan 85 % = 3 × 60 % × 0.85 =
// 1.53 t is refused at capture, shortfall 1.53 − 0.1 = 1.43 t; a claim
// on C3 (0.075 t ≤ 0.1 t) is refused at capture, R2 being out of lace's
// system. Before fix9aj: in f C2 read refused and left the account
// (closing 1.6 t) and C1's 1.53 t was accepted — 3.03 t stated to buyers
// against 1.6 t of credit; in g, h and e C2 stayed accepted and the
// mass-balance-claim rule passed, and in h C3's claim was accepted.
func TestClaimBookedWhenRunLeavesCategory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r2      []string
		retract []string
		named   []string
		words   string
		// c3 is what the refusal of C3's claim at capture says.
		c3 string
	}{
		{"f xa", []string{xa9aj, xb9aj, xo9aj}, []string{xa9aj}, []string{"urn:t:ev:xa"}, "consumes none of the category's inputs (ree_concentrate) now — it consumes antimony_ore",
			"consumes none of the category's inputs (ree_concentrate) now — it consumes antimony_ore (since the retraction of run urn:t:run:R2 (event urn:t:ev:xa, 2025-10-06)"},
		{"g xa xb", []string{xa9aj, xb9aj, xo9aj}, []string{xa9aj, xb9aj}, []string{"urn:t:ev:xa", "urn:t:ev:xb"}, "has no live input left", "refused"},
		{"h cn", []string{xa9aj, xb9aj, xo9aj}, []string{cn9aj}, []string{"urn:t:ev:CN"}, "consumes none of the category's inputs (ree_concentrate) now — its input urn:t:lot:CN is no longer on record; it consumes antimony_ore",
			"its input urn:t:lot:CN is no longer on record; it consumes antimony_ore (since the retraction of event urn:t:ev:CN (commissioning of input lot urn:t:lot:CN, 2025-10-01)"},
		{"e xe", []string{xe9aj, xo9aj}, []string{xe9aj}, []string{"urn:t:ev:xe"}, "has no live input left", "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, svc := site9aj(t, tc.r2...)
			for _, r := range tc.retract {
				retractEvent(t, svc, r, "2025-10-08T00:00:00Z")
			}
			var named []string
			for _, id := range tc.named {
				named = append(named, strings.TrimPrefix(id, "urn:t:ev:"))
			}
			// The lot API, the lot list and the lots CSV, lot show and the
			// lot page (OriginOf with and without evidence, Origins).
			for i, cl := range claimViews9ae(t, db, "C2") {
				if cl.Status != custody.ClaimNotCovered || strings.Join(cl.RetractedBy, " ") != strings.Join(tc.named, " ") || !near(cl.Shortfall, 1.5) {
					t.Errorf("C2 (%d): %s, retractedBy %v, shortfall %v (%s); want not covered, naming %v, shortfall 1.5 t", i, cl.Status, cl.RetractedBy, cl.Shortfall, cl.Error, tc.named)
				}
				for _, want := range []string{"claim on lot urn:t:lot:C2 not covered", "category lace", "period 2025-10", "the claim was covered until the retraction of", tc.words, "the 1.5 t La+Ce it retired stays retired"} {
					if !strings.Contains(cl.Error, want) {
						t.Errorf("C2 (%d)'s error lacks %q: %s", i, want, cl.Error)
					}
				}
				if txt := custody.RefusedClaimText(cl); !strings.HasPrefix(txt, "claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since "+strings.Join(tc.named, ", ")) {
					t.Errorf("C2 (%d) reads %q", i, txt)
				}
			}
			// The mass-balance-claim rule.
			if v := claimVerdict9d(t, db, "urn:t:lot:C2")[0]; v.Status != custody.Fail || !strings.Contains(v.Detail, tc.named[0]) {
				t.Errorf("mass-balance-claim rule on C2: %s (%s), want fail naming %s", v.Status, v.Detail, tc.named[0])
			}
			// The certificate.
			var cert struct {
				Subject struct {
					Refused struct {
						Status string `json:"status"`
					} `json:"cm:refusedClaim"`
					Claimed json.RawMessage `json:"cm:claimedOrigin"`
				} `json:"credentialSubject"`
			}
			if err := json.Unmarshal(mbfxCert(t, svc, "urn:t:lot:C2", time.Date(2025, 10, 8, 12, 0, 0, 0, time.UTC)), &cert); err != nil {
				t.Fatal(err)
			}
			if cert.Subject.Refused.Status != custody.ClaimNotCovered {
				t.Errorf("certificate's cm:refusedClaim status %q, want not_covered", cert.Subject.Refused.Status)
			}
			// The statement: C2 booked in full, its own row apart from
			// the deficit.
			st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
			sameLine(t, "Oct", line(t, st, "lace", "PAK"), 0, 1.6, 1.5, 0, 0.1)
			rows := 0
			for _, r := range st.Refused {
				if r.Lot != "urn:t:lot:C2" {
					continue
				}
				rows++
				if r.Status != custody.ClaimNotCovered || !r.Booked || r.ShortOf != custody.ShortOfCategorySystem || !near(r.Claimed, 1.5) || r.Available != 0 || !near(r.Shortfall, 1.5) || strings.Join(r.RetractedBy, " ") != strings.Join(tc.named, " ") {
					t.Errorf("C2's statement row %+v, want not covered, booked, short of its category's system: claimed 1.5, available 0, shortfall 1.5", r)
				}
			}
			if rows != 1 {
				t.Errorf("C2 has %d statement rows, want 1: %+v", rows, st.Refused)
			}
			// No credit released: C1's 1.53 t is 1.43 t short.
			err := mbfxTry(svc, "2025-10-09T01:00:00Z", claim9aj("c1", "2025-10-09T00:00:00Z", "C1", 0.85))
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.43 t") {
				t.Errorf("C1's claim of 1.53 t on 0.1 t: %v, want refused, shortfall 1.43 t", err)
			}
			// A claim judged at capture on the broken basis is refused.
			err = mbfxTry(svc, "2025-10-09T02:00:00Z", claim9aj("c3", "2025-10-09T01:00:00Z", "C3", 1))
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), tc.c3) {
				t.Errorf("C3's claim (0.075 t on 0.1 t) at capture: %v, want refused (%s)", err, tc.c3)
			}
		})
	}
}

// TestClaimBesideRetractionOfSplitRunInput (fix9aj): a document that
// declares xa in error is judged on the account as it leaves it (docs/
// origin.md "A claim beside a retraction"), the links the store made from
// xa's input CN to R2's outputs (stated by xo) gone with xa. At site9aj:
//
//	xa declared in error beside a claim on C3 (0.075 t ≤ 0.1 t): R2
//	  consumes SC alone, so C3's claim is refused at capture, naming xa;
//	  C2 stays booked (not covered, naming xa once stored);
//	the same document with C1's claim of 1.53 t: 1.53 − 0.1 = 1.43 t
//	  short, refused.
//
// Before fix9aj the document's replay kept CN linked to C3 through xo's
// links and accepted C3's claim, which, read after the capture, was
// refused and left the account.
func TestClaimBesideRetractionOfSplitRunInput(t *testing.T) {
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	var m map[string]any
	if err := json.Unmarshal([]byte(xa9aj), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-09T00:00:00Z", "reason": "incorrect_data"}
	decl, _ := json.Marshal(m)
	err := mbfxTry(svc, "2025-10-09T01:00:00Z", string(decl), claim9aj("c3", "2025-10-09T00:00:00Z", "C3", 1))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "claim on lot urn:t:lot:C3 refused") || !strings.Contains(err.Error(), "consumes none of the category's inputs (ree_concentrate) now — it consumes antimony_ore (since the retraction of run urn:t:run:R2 (event urn:t:ev:xa, 2025-10-06) declared in error by this document)") {
		t.Fatalf("xa declared in error beside C3's claim: %v, want C3 refused, R2 consuming antimony_ore alone since xa's retraction", err)
	}
	err = mbfxTry(svc, "2025-10-09T01:00:00Z", string(decl), claim9aj("c1", "2025-10-09T00:00:00Z", "C1", 0.85))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.43 t") {
		t.Fatalf("xa declared in error beside C1's claim of 1.53 t: %v, want C1 refused, shortfall 1.43 t", err)
	}
	if cl := mbfxClaim(t, db, "C2"); cl.Status != custody.ClaimAccepted {
		t.Errorf("C2 after the refused documents: %s (%s), want accepted (nothing stored)", cl.Status, cl.Error)
	}
}

// TestInputlessRunOutputAnomalies (fix9aj, nu9g): a lot made by a run
// whose input events were all declared in error has no origin because its
// run has no live input — said so, naming them — and the claim event
// that attached its claim (an ObjectEvent ADD, bizStep commissioning, at
// a refinery) is no commissioning of it: no commissioned_not_at_mine.
// At site9aj, xa and xb declared in error (case g above).
func TestInputlessRunOutputAnomalies(t *testing.T) {
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	retractEvent(t, svc, xa9aj, "2025-10-08T00:00:00Z")
	retractEvent(t, svc, xb9aj, "2025-10-08T00:00:00Z")
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:C2", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "commissioned_not_at_mine" {
			t.Errorf("C2's anomalies name the claim event as a commissioning: %s", a.Detail)
		}
	}
	if !anomalyWith(o.Anomalies, "no_origin", "run urn:t:run:R2 (event urn:t:ev:xo, 2025-10-06), which made it, has no live input",
		"urn:t:ev:xa (2025-10-06) declared in error on 2025-10-08T00:00:00Z (reason incorrect_data), urn:t:ev:xb (2025-10-06) declared in error") ||
		anomalyWith(o.Anomalies, "no_origin", "no cm:originCountry at commissioning") {
		t.Errorf("C2's anomalies %+v, want no_origin naming R2's input events declared in error", o.Anomalies)
	}
}

// TestAttachingADDIsNoCommissioning (fix9aj, the class of nu9g's
// finding): an ObjectEvent ADD that only attaches facts to a lot that
// already exists is not its commissioning. Lot M, 10 t at Nd 4 %, is
// created at mine pk (Pakistan, a mine by master data) by an ADD stating
// no bizStep and no origin; a later ADD, bizStep commissioning and no
// quantity, attaches an assay at refinery us (United States). M's origin
// is its commissioning site's country, Pakistan, 100 % of its 0.4 t Nd,
// and no commissioned_not_at_mine names the refinery. Before fix9aj the
// later ADD, being a "commissioning", was read as M's commissioning: M's
// origin unknown, commissioned_not_at_mine at us.
func TestAttachingADDIsNoCommissioning(t *testing.T) {
	d := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
	   {"id": "urn:t:site:us", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	  "quantityList": [{"epcClass": "urn:t:lot:M", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:pk"}, "bizLocation": {"id": "urn:t:site:pk"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:MA", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:M"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
	  "ilmd": {"cm:assay": [{"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	db := store(t, d)
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:M", true)
	if err != nil {
		t.Fatal(err)
	}
	nd := o.Elements["Nd"]
	if len(nd.ByCountry) != 1 || nd.ByCountry[0].Key != "PAK" || math.Abs(nd.Tonnes-0.4) > 1e-9 {
		t.Errorf("M's Nd %+v, want 0.4 t, Pakistan 100 %%", nd)
	}
	if anomalyWith(o.Anomalies, "commissioned_not_at_mine") {
		t.Errorf("M's anomalies %+v name the attaching ADD as its commissioning", o.Anomalies)
	}
}

// TestClaimOutOfSystemAndShortNamesBoth (fix9aj): a claim whose run left
// its category's system and whose credits were removed names both
// retractions. At site9aj, xa declared in error (R2 consumes SC alone),
// then R1 (C2's Pakistani credit) declared in error:
//
//	lace PAK: opening 0 + credits 0 − claims 1.5 − expired 0 = −1.5 t,
//	  a deficit of 1.5 t, all C2's (booked in full);
//	C2: not covered, shortfall max(its share of the deficit 1.5, all it
//	  claims beyond its category's system 1.5) = 1.5 t; retractedBy xa
//	  (the basis) then r1 (the credits), its error naming each.
func TestClaimOutOfSystemAndShortNamesBoth(t *testing.T) {
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	retractEvent(t, svc, xa9aj, "2025-10-08T00:00:00Z")
	retractEvent(t, svc, run9aj("r1", "R1", "2025-10-05T00:00:00Z", []string{"PK:10"}, []string{"C1:3"}, "La:25", "Ce:35"), "2025-10-09T00:00:00Z")
	cl := mbfxClaim(t, db, "C2")
	if cl.Status != custody.ClaimNotCovered || !near(cl.Shortfall, 1.5) || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:xa urn:t:ev:r1" {
		t.Errorf("C2: %s, shortfall %v, retractedBy %v (%s); want not covered, 1.5 t, naming xa then r1", cl.Status, cl.Shortfall, cl.RetractedBy, cl.Error)
	}
	for _, want := range []string{"(shortfall 1.5 t)", "consumes none of the category's inputs (ree_concentrate) now", "the claim was covered until the retraction of run urn:t:run:R1 (event urn:t:ev:r1, 2025-10-05)"} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("C2's error lacks %q: %s", want, cl.Error)
		}
	}
	sameLine(t, "Oct", line(t, mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)), "lace", "PAK"), 0, 0, 1.5, 0, -1.5)
}
