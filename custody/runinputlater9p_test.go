package custody_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// run9p is a TransformationEvent of run xid at site mb on when, taking
// inputs ("lot:t") and making out (none when out is ""): tonnes of NdPr
// oxide at Nd 60 % + Pr 20 % with the ILMD extra (a claim).
func run9p(id, xid, when string, inputs []string, out string, tonnes float64, extra string) string {
	var in []string
	for _, i := range inputs {
		lot, t, _ := strings.Cut(i, ":")
		in = append(in, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+t+`, "uom": "TNE"}`)
	}
	ev := `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:` + xid + `",
	 "inputQuantityList": [` + strings.Join(in, ",") + `], "bizLocation": {"id": "urn:t:site:mb"}`
	if out != "" {
		ev += `, "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + fmt.Sprint(tonnes) + `, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}`
	}
	return ev + `}`
}

// TestLaterRunInputLeavesClaimBooked (fix9p F1): an input added later to
// a run whose output already carries an accepted claim (an event of the
// same transformationID, EPCIS 2.0 §7.4.6) shares the run's credits
// among more inputs; the claim, accepted at capture, is left not covered
// yet stays booked in full, naming the added input's event, and a later
// claim cannot take the credits it rests on (docs/origin.md, "a claim
// no longer covered stays booked"). At site mb (REE → NdPr oxide on
// Nd + Pr, factor 0.9, carry-forward 1):
//
//	PK (Pakistan) 50 t at Nd 4 % + Pr 1 % = 2.5 t Nd+Pr;
//	CN, CN2 (China) 10 t and 40 t at the same grade = 0.5 t and 2 t.
//	a (Oct 5, run tA): PK 50 t → OA 2 t at 80 % = 1.6 t, claiming
//	  Pakistan 100 %: credit min(2.5 × 0.9 = 2.25, 1.6) = 1.6 t PAK;
//	  claim 1.6 ≤ 1.6 → accepted.
//	a2 (Oct 6, recorded later, run tA): input CN 10 t, no output. The
//	  run's bound 1.6 t is shared by input Nd+Pr: PAK 1.6 × 2.5/3 =
//	  1.333333 t, CHN 1.6 × 0.5/3 = 0.266667 t. OA's claim (1.6 t) stays
//	  booked: not covered, shortfall 1.6 − 1.333333 = 0.266667 t, PAK
//	  closing 1.333333 − 1.6 = −0.266667 t, naming a2.
//	d (Oct 7, run tD): CN2 40 t → OD 1.6 t at 80 % = 1.28 t claiming
//	  Pakistan 100 %: the PAK balance is −0.266667 t, so refused with
//	  shortfall 1.28 + 0.266667 = 1.546667 t.
func TestLaterRunInputLeavesClaimBooked(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 50, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		feed("CN2", "ree_concentrate", "CHN", 40, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-05T01:00:00Z")
	if err := capture(svc, run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:50"}, "OA", 2, claimPAK)); err != nil {
		t.Fatalf("a: %v", err)
	}
	claim := func() *custody.Claim {
		t.Helper()
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:OA", false)
		if err != nil || o.Claimed == nil {
			t.Fatalf("OA origin: %+v %v", o, err)
		}
		return o.Claimed
	}
	if cl := claim(); cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-1.6) > 1e-9 {
		t.Fatalf("OA after a: %+v, want accepted at 1.6 t", cl)
	}
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	issue := func() custody.Certificate {
		t.Helper()
		cert, err := custody.Issue(ctx, db, "urn:t:lot:OA", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	before := issue()
	svc.Now = clockAt("2025-10-06T01:00:00Z")
	if err := capture(svc, run9p("a2", "tA", "2025-10-06T00:00:00Z", []string{"CN:10"}, "", 0, "")); err != nil {
		t.Fatalf("a2 (a later input of run tA): %v; want stored (a run's input is a fact)", err)
	}
	cl := claim()
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.8/3) > 1e-9 || strings.Join(cl.RunChangedBy, " ") != "urn:t:ev:a2" {
		t.Errorf("OA after a2: status %s shortfall %v runChangedBy %v, want not_covered, 0.266667 t short, naming urn:t:ev:a2", cl.Status, cl.Shortfall, cl.RunChangedBy)
	}
	for _, want := range []string{"not covered", "urn:t:ev:a2", "recorded after the claim"} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("OA's error lacks %q: %s", want, cl.Error)
		}
	}
	if txt := custody.RefusedClaimText(cl); !strings.Contains(txt, "no longer covered since urn:t:ev:a2") {
		t.Errorf("OA's claim text %q, want naming urn:t:ev:a2", txt)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// PAK: credits 1.333333, OA booked in full 1.6, closing −0.266667.
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-4.0/3) > 1e-9 || math.Abs(l.Claims-1.6) > 1e-9 || math.Abs(l.Closing+0.8/3) > 1e-9 || strings.Join(l.DeficitBy, " ") != "urn:t:lot:OA" {
		t.Errorf("October PAK %+v, want credits 1.333333, claims 1.6 (OA booked), closing −0.266667 naming OA", l)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:OA" {
			found = true
			if !r.Booked || r.Status != custody.ClaimNotCovered || strings.Join(r.RunChangedBy, " ") != "urn:t:ev:a2" {
				t.Errorf("statement's OA: %+v, want booked, not covered, naming urn:t:ev:a2", r)
			}
		}
	}
	if !found {
		t.Errorf("statement lists no claim not covered on OA: %+v", st.Refused)
	}
	// The certificate issued after a2 states the claim not covered,
	// naming a2; the one issued before reads superseded, naming a2.
	b, _ := json.Marshal(issue())
	var c struct {
		Subject map[string]json.RawMessage `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var rc custody.CertRefusedClaim
	if err := json.Unmarshal(c.Subject["cm:refusedClaim"], &rc); err != nil || rc.Status != custody.ClaimNotCovered || strings.Join(rc.RunChangedBy, " ") != "urn:t:ev:a2" {
		t.Errorf("OA's certificate cm:refusedClaim %s (%v), want not covered naming urn:t:ev:a2", c.Subject["cm:refusedClaim"], err)
	}
	cs, err := custody.Status(ctx, db, before)
	if err != nil || !cs.Superseded || !strings.Contains(cs.Summary()+fmt.Sprint(cs.Reasons), "urn:t:ev:a2") {
		t.Errorf("status of the certificate issued before a2: %+v %v, want superseded naming urn:t:ev:a2", cs, err)
	}
	svc.Now = clockAt("2025-10-07T01:00:00Z")
	err = capture(svc, run9p("d", "tD", "2025-10-07T00:00:00Z", []string{"CN2:40"}, "OD", 1.6, claimPAK))
	if err == nil || !strings.Contains(err.Error(), "shortfall 1.546667 t") || !strings.Contains(err.Error(), "urn:t:lot:OA") {
		t.Errorf("d (OD claims 1.28 t PAK on a −0.266667 t balance): %v, want refused with shortfall 1.546667 t naming OA", err)
	}
}
