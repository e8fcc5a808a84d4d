package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestSharesNotMeasuredCarriesDownstream (fix9q item 3): at blending site
// b, two runs:
//
//	U, Pakistan, 10 t, no assay (its Nd grade never measured)
//	RU (Oct 5): U 10 t → UO 0.1 t at Nd 60 % = 0.06 t Nd, measured, but
//	  where it came from is unknown: SharesNotMeasured [Nd]
//	RV (Oct 6): UO 0.1 t → VO 0.05 t at Nd 60 % = 0.03 t Nd, measured;
//	  all of it came from UO, whose Nd shares are unknown because U's
//	  grade was never measured: VO's Nd shares rest on the same unmeasured
//	  grade, SharesNotMeasured [Nd], no share and no value stated — not
//	  "unknown 100 %" with US$ as if measured.
func TestSharesNotMeasuredCarriesDownstream(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("U", "ree_concentrate", "PAK", 10),
		runOf("RU", "b", "2025-10-05T00:00:00Z", []string{"U:10"}, product{lot: "UO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60"}}),
		runOf("RV", "b", "2025-10-06T00:00:00Z", []string{"UO:0.1"}, product{lot: "VO", commodity: "ndpr_oxide", t: 0.05, assays: []string{"Nd:60"}}),
	))
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:VO", false)
	if err != nil {
		t.Fatal(err)
	}
	if !near(o.Elements["Nd"].Tonnes, 0.03) {
		t.Errorf("VO Nd %v t, want 0.05 × 0.6 = 0.03", o.Elements["Nd"].Tonnes)
	}
	if strings.Join(o.SharesNotMeasured, ",") != "Nd" {
		t.Errorf("VO SharesNotMeasured %v, want [Nd] carried from UO", o.SharesNotMeasured)
	}
	h := o.Headline()
	if o.Overall.ValueUSD != 0 || strings.Contains(h.Text, "US$") || !strings.Contains(h.Text, "grade not measured") {
		t.Errorf("VO overall %+v headline %q: want no value, grade not measured", o.Overall, h.Text)
	}
	// The certificate states no provenance line for VO's Nd (no share)
	// and names it in cm:physicalOrigin's sharesNotMeasured.
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(ctx, db, "urn:t:lot:VO", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cert)
	var d struct {
		Subject struct {
			Prov []custody.Provenance `json:"materialsProvenance"`
			Phys struct {
				SharesNotMeasured []string `json:"sharesNotMeasured"`
			} `json:"cm:physicalOrigin"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Subject.Prov {
		if strings.HasPrefix(p.Name, "Nd ") {
			t.Errorf("certificate states a share of VO's Nd %+v where a feed's grade is not measured", p)
		}
	}
	if strings.Join(d.Subject.Phys.SharesNotMeasured, ",") != "Nd" {
		t.Errorf("certificate's sharesNotMeasured %v, want [Nd]", d.Subject.Phys.SharesNotMeasured)
	}
}
