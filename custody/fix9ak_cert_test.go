package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// reassayK is an assay of lot K (sensor report, Nd at pct % dry) at site
// mb on when, after K's claim (November 12).
func reassayK(id, when, pct string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:K"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": ` + pct + `, "uom": "P1", "cm:basis": "dry"}]}]}`
}

// issueK issues a certificate on mbStore's lot K under pack.
func issueK(t *testing.T, db *sqldb.DB, pack *custody.Pack) custody.Certificate {
	t.Helper()
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(context.Background(), db, "urn:t:lot:K", pack, key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func captureK(t *testing.T, db *sqldb.DB, ev string) {
	t.Helper()
	if _, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: mbDoc(ev)}); err != nil {
		t.Fatal(err)
	}
}

// reasonsText is every reason of a status, one a line.
func reasonsText(st *custody.CertStatus) string {
	var out []string
	for _, r := range st.Reasons {
		out = append(out, r.Text())
	}
	return strings.Join(out, "\n")
}

// TestCertCustomRuleFiguresChange (fix9ak item 1): a certificate whose
// rule can be rebuilt neither from its cm:rule nor from the built-in
// pack is still judged on its figures. In mbStore, K (0.5 t of NdPr
// oxide from Chinese C2 at run E6, Nd 60 % + Pr 20 %: Nd 0.3 t, Pr 0.1
// t, 0.4 t Nd+Pr) claims 0.4 t Pakistani Nd+Pr, accepted. A certificate
// on K is issued under a custom pack (rule acme-no-myanmar-mining, in no
// built-in pack) and carries no cm:rule (as one issued before cm:rule).
// K is then reassayed (KA, Nov 20) at Nd 66 %: Nd 0.5 × 0.66 = 0.33 t,
// Nd+Pr 0.33 + 0.1 = 0.43 t (run E6: out K 0.33 + KR 0.06 = 0.39 ≤ in
// C2 10 × 4 % = 0.4 t, no gain). The claim keeps the 0.4 t it took:
// 0.4 ÷ 0.43 = 93.0 % of what K holds now. No event of the certificate
// is declared in error, the claim stays accepted and the custom rule's
// verdict cannot be judged again; before fix9ak the certificate stood.
// Now it is superseded, naming old and new figures and the reassay.
func TestCertCustomRuleFiguresChange(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	pack := &custody.Pack{ID: "acme", Title: "Acme", Rules: []custody.Rule{{ID: "acme-no-myanmar-mining", Kind: custody.KindExcludedCountries, Title: "No Myanmar mining", Countries: []string{"MMR"}, Stages: []string{"mining"}}}}
	cert := issueK(t, db, pack)
	for _, c := range cert["credentialSubject"].(map[string]any)["conformityClaim"].([]any) {
		delete(c.(map[string]any), "cm:rule")
	}
	if st, err := custody.Status(ctx, db, cert); err != nil || st.Superseded {
		t.Fatalf("fresh certificate without cm:rule: %+v %v", st, err)
	}
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	st, err := custody.Status(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	got := reasonsText(st)
	if !st.Superseded {
		t.Fatalf("after K's reassay the certificate stands: %s", got)
	}
	for _, want := range []string{
		"claimed origin Pakistan was 0.4 t (100.0 %) of 0.4 t, is now 0.4 t (93.0 %) of 0.43 t",
		"Nd (physical origin, contained element): China was 0.3 t (100.0 %) of 0.3 t, is now 0.33 t (100.0 %) of 0.33 t",
		"acme-no-myanmar-mining",
		"urn:t:ev:KA (inspecting)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reasons lack %q:\n%s", want, got)
		}
	}
}

// TestCertClaimFigureChangeWording (fix9ak item 2): a claim whose status
// stays accepted but whose figures change reads, in the certificate's
// status, as old and new figures and the event that caused it — not as
// JSON paths. K's certificate under the built-in pack; KA reassays K at
// Nd 66 % (TestCertCustomRuleFiguresChange: 0.4 t of 0.43 t = 93.0 %).
// The claim's reason names its event (E6-facts-0) and the reassay; the
// physical figures that changed with it are a second reason.
func TestCertClaimFigureChangeWording(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	cert := issueK(t, db, custody.DefaultPack())
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	st, err := custody.Status(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Superseded || len(st.Reasons) != 2 {
		t.Fatalf("after K's reassay: %s", reasonsText(st))
	}
	size := custody.CertLogSize(cert)
	want := "changed: claimed origin Pakistan was 0.4 t (100.0 %) of 0.4 t, is now 0.4 t (93.0 %) of 0.43 t — recorded since the certificate (log size " + size + "): urn:t:ev:KA (inspecting) (event urn:t:ev:E6-facts-0)"
	if got := st.Reasons[0].Text(); got != want {
		t.Errorf("claim reason\n got %s\nwant %s", got, want)
	}
	if got := st.Reasons[1].Text(); !strings.HasPrefix(got, "changed: figures the certificate states differ from today's record: Nd (physical origin, contained element): China was 0.3 t (100.0 %) of 0.3 t, is now 0.33 t (100.0 %) of 0.33 t") || strings.Contains(got, "credentialSubject.") {
		t.Errorf("figure reason %s", got)
	}
	if got := st.Summary(); got != "2 stated figure(s) or verdict(s) changed through other events" {
		t.Errorf("summary %q", got)
	}
}

// TestClaimFigureChangesWords (fix9ak item 2): the words of an accepted
// claim's changed figures. The certificate states Pakistan 0.2 t, 80 %
// of the 0.25 t the lot holds (0.2 ÷ 0.25); today the claim attributes
// 0.133333 t, 53.3 % of 0.25 t (0.133333 ÷ 0.25 = 0.533332).
func TestClaimFigureChangesWords(t *testing.T) {
	was := map[string]any{"status": "accepted", "tonnes": 0.2, "contains": 0.25,
		"byCountry": []any{map[string]any{"key": "PAK", "name": "Pakistan", "tonnes": 0.2, "share": 0.8}}}
	now := &custody.Claim{Status: custody.ClaimAccepted, Tonnes: 0.133333, Contains: 0.25,
		ByCountry: []custody.Share{{Key: "PAK", Name: "Pakistan", Tonnes: 0.133333, Share: 0.533332}}}
	got := strings.Join(custody.ClaimFigureChanges(was, now), "; ")
	if want := "claimed origin Pakistan was 0.2 t (80.0 %) of 0.25 t, is now 0.133333 t (53.3 %) of 0.25 t"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := custody.ClaimFigureChanges(was, &custody.Claim{Status: custody.ClaimAccepted, Tonnes: 0.2, Contains: 0.25,
		ByCountry: []custody.Share{{Key: "PAK", Name: "Pakistan", Tonnes: 0.2, Share: 0.8}}}); len(got) != 0 {
		t.Errorf("same figures: %v", got)
	}
}

// TestOldPartialClaimCertStands (fix9ak item 3): a certificate issued
// before fix9ah on a lot whose accepted claim covers part of it states
// the same figures in older words; it is not restated for the words. K
// reassayed at Nd 66 % (KA): the claim covers 0.4 of 0.43 t = 93.0 %,
// 0.03 t (6.977 %) unclaimed. Its certificate, put back in the old words
// (no statusText; "claim accepted)"; "— not covered by the claim",
// countryName "not covered"; the rule's "… not covered by the claim"),
// stands. A second reassay (KB, Nov 21) at Nd 68 %: 0.34 + 0.1 = 0.44 t
// (run E6: out 0.34 + 0.06 = 0.40 ≤ 0.4 + tolerance), 0.4 ÷ 0.44 =
// 90.9 %: a real change, superseded naming it.
func TestOldPartialClaimCertStands(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	cert := issueK(t, db, custody.DefaultPack())
	subj := cert["credentialSubject"].(map[string]any)
	claimed := subj["cm:claimedOrigin"].(map[string]any)
	if claimed["statusText"] != "accepted — covers 93.0 %" {
		t.Fatalf("premise: K's claim reads %v", claimed["statusText"])
	}
	// The pre-fix9ah form.
	delete(claimed, "statusText")
	delete(subj["cm:originComposition"].(map[string]any)["claimed"].(map[string]any), "statusText")
	// Before fixQv the claim's lines followed the physical lines in
	// materialsProvenance: the pre-fix9ah form is that layout too.
	subj["materialsProvenance"] = append(subj["materialsProvenance"].([]any), subj["cm:claimedProvenance"].([]any)...)
	delete(subj, "cm:claimedProvenance")
	rewritten := 0
	for _, p := range subj["materialsProvenance"].([]any) {
		l := p.(map[string]any)
		name := l["name"].(string)
		if n := strings.Replace(name, "; claim accepted — covers 93.0 %)", "; claim accepted)", 1); n != name {
			rewritten++
			name = n
		}
		if strings.HasSuffix(name, " — unclaimed: held beyond the claim") {
			name = strings.TrimSuffix(name, " — unclaimed: held beyond the claim") + " — not covered by the claim"
			l["countryName"] = "not covered"
			rewritten++
		}
		l["name"] = name
	}
	for _, c := range subj["conformityClaim"].([]any) {
		m := c.(map[string]any)
		d := m["declaredValue"].(string)
		if n := strings.Replace(strings.Replace(d, "; accepted — covers 93.0 %: the lot holds ", "; the lot holds ", 1), ") unclaimed, held beyond the claim", ") not covered by the claim", 1); n != d {
			m["declaredValue"] = n
			rewritten++
		}
	}
	if rewritten != 4 {
		t.Fatalf("premise: %d wording members rewritten, want 4 (claimed line, unclaimed line name and country, rule)", rewritten)
	}
	if st, err := custody.Status(ctx, db, cert); err != nil || st.Superseded {
		t.Fatalf("old-form certificate, nothing changed: %s %v", reasonsText(st), err)
	}
	captureK(t, db, reassayK("KB", "2025-11-21T00:00:00Z", "68"))
	st, err := custody.Status(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if want := "claimed origin Pakistan was 0.4 t (93.0 %) of 0.43 t, is now 0.4 t (90.9 %) of 0.44 t"; !st.Superseded || !strings.Contains(reasonsText(st), want) {
		t.Errorf("after KB: %s, want superseded: %s", reasonsText(st), want)
	}
}

// TestCertRefusedClaimShortOf (fix9ak item 4): the certificate's
// cm:refusedClaim carries shortOf as the lot API's claim does. At
// site9aj, C2's claim (1.5 t La+Ce of Pakistan, accepted) is left not
// covered when xa is declared in error: run R2 then consumes only SC,
// antimony ore, no input of category lace — short of its category's
// mass-balance system (shortOf category_system), shortfall 1.5 t.
func TestCertRefusedClaimShortOf(t *testing.T) {
	ctx := context.Background()
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	retractEvent(t, svc, xa9aj, "2025-10-08T00:00:00Z")
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:C2", false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.ShortOf != custody.ShortOfCategorySystem {
		t.Fatalf("premise: C2's claim %+v, want short of its category's system", o.Claimed)
	}
	var cert struct {
		Subject struct {
			Refused map[string]any `json:"cm:refusedClaim"`
		} `json:"credentialSubject"`
	}
	body := issue(t, db, "urn:t:lot:C2")
	if err := json.Unmarshal(body, &cert); err != nil {
		t.Fatal(err)
	}
	if r := cert.Subject.Refused; r["shortOf"] != custody.ShortOfCategorySystem || r["status"] != custody.ClaimNotCovered || !near(r["shortfall"].(float64), 1.5) {
		t.Errorf("cm:refusedClaim %v, want shortOf category_system, not covered, shortfall 1.5", r)
	}
	// A certificate issued before fix9ak states no shortOf: the same
	// statement (its reason still says what the claim is short of).
	var old map[string]any
	if err := json.Unmarshal(body, &old); err != nil {
		t.Fatal(err)
	}
	delete(old["credentialSubject"].(map[string]any)["cm:refusedClaim"].(map[string]any), "shortOf")
	if msg, err := custody.RestatedChanged(ctx, db, custody.Certificate(old)); err != nil || msg != "" {
		t.Errorf("a certificate without shortOf reads as restated: %q %v", msg, err)
	}
}
