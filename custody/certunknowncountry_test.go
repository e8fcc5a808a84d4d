package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestCertificateOmitsUnknownCountry (issue 9, new-user check 6): a
// certificate's materialsProvenance wrote originCountry "unknown", which
// is no ISO 3166 code. Lot U is commissioned with no country and no mine:
// its one line (dry mass, 100 % of unknown origin) now has no
// originCountry (countryName "unknown" says why), and every line that has
// one holds an ISO 3166-1 alpha-3 code. A certificate issued before, in
// the old form ("originCountry": "unknown"), still verifies as stating
// today's record (verify-cert: no restatement).
func TestCertificateOmitsUnknownCountry(t *testing.T) {
	ctx := context.Background()
	unknown := strings.Replace(strings.Replace(feed("U", "ree_concentrate", "PAK", 10, "Nd:4"), `"cm:originCountry": "PAK", `, "", 1), `"cm:originMine": "urn:t:site:mine-PAK", `, "", 1)
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, unknown))
	b := issue(t, db, "urn:t:lot:U")
	var cert map[string]any
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	subj := cert["credentialSubject"].(map[string]any)
	prov := subj["materialsProvenance"].([]any)
	if len(prov) == 0 {
		t.Fatalf("no provenance: %s", b)
	}
	for _, p := range prov {
		line := p.(map[string]any)
		if c, ok := line["originCountry"]; ok && (c == "unknown" || c == "" || len(c.(string)) != 3) {
			t.Errorf("line %v: originCountry %q is not an ISO 3166 code", line["name"], c)
		}
	}
	if strings.Contains(string(b), `"originCountry":"unknown"`) {
		t.Errorf("certificate still writes originCountry unknown: %s", b)
	}
	// The old form: the same certificate with "originCountry": "unknown"
	// on the unknown line is not reported as restated.
	for _, p := range prov {
		line := p.(map[string]any)
		if _, ok := line["originCountry"]; !ok {
			line["originCountry"] = "unknown"
		}
	}
	if msg, err := custody.RestatedChanged(ctx, db, custody.Certificate(cert)); err != nil || msg != "" {
		t.Errorf("an old-form certificate reads as restated: %q %v", msg, err)
	}
}
