package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// gainDoc is new-user check nu37a p30 and p27: Pakistani feeds, a
// refinery run whose product's own assay holds more of an element than
// its inputs put in (element_gain), and lots made from that product.
//
//	A, Pakistan, 10 t at Nd 4 %, Pr 0 % (assayed) → 0.4 t Nd, 0 t Pr
//	R1 at r: A 10 t → X 0.5 t oxide at Nd 60 %, Pr 20 %
//	  → Nd 0.3 t (≤ 0.4 in), Pr 0.1 t from 0 t in: 0.1 t Pr came from
//	  no recorded input — unknown origin, never "none contained"
//	W, Pakistan, 10 t at Nd 1 % → 0.1 t Nd
//	R3 at r: W 10 t → V 1 t oxide at Nd 60 % → 0.6 t Nd from 0.1 t in:
//	  0.1 t Pakistan, 0.5 t unknown origin (83.3 % of its Nd)
//	B, Australia, 1 t oxide at Nd 60 %, Pr 20 % → 0.6 t Nd, 0.2 t Pr
//	R2 at r: X 0.5 t + B 1 t → Y 2 t at Nd 45 %, Pr 10 %
//	  → Nd 0.9 t (in 0.3 + 0.6 = 0.9: balanced), Pr 0.2 t (in, as
//	  recorded: 0 + 0.2 = 0.2: balanced — no gain of its own), but X
//	  brought 0.1 t Pr of unknown origin: Y's Pr is blended from
//	  0.1 t unknown + 0.2 t Australia = 0.3 t, so 1/3 of it, 0.0667 t,
//	  is of unknown origin and 0.1333 t Australian.
func gainDoc() string {
	return doc(map[string]string{"r": "controlled_blending"},
		feed("A", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:0"),
		feed("W", "ree_concentrate", "PAK", 10, "Nd:1"),
		feed("B", "ndpr_oxide", "AUS", 1, "Nd:60", "Pr:20"),
		runOf("R1", "r", "2025-10-02T00:00:00Z", []string{"A:10"}, product{lot: "X", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}),
		runOf("R3", "r", "2025-10-02T00:00:00Z", []string{"W:10"}, product{lot: "V", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}}),
		runOf("R2", "r", "2025-10-03T00:00:00Z", []string{"X:0.5", "B:1"}, product{lot: "Y", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:45", "Pr:10"}}),
	)
}

// TestGainedMetalIsUnknownOrigin: metal a run's product holds beyond
// what its recorded inputs put in (element_gain) is of unknown origin —
// stated in tonnes and as a share of the lot, the known origins' shares
// of the rest — on the origin read with and without evidence (the kept
// mix), and a covered-country rule cannot pass on it. Failed before:
// X's Pr read "none contained" (0 t), headline "Pakistan 100.0 %",
// DFARS passed on X, V and Y.
func TestGainedMetalIsUnknownOrigin(t *testing.T) {
	ctx := context.Background()
	db := store(t, gainDoc())
	nd, pr := custody.ElementPrices["Nd"].USDPerKg, custody.ElementPrices["Pr"].USDPerKg
	for _, evidence := range []bool{true, false} {
		x, err := custody.OriginOf(ctx, db, "urn:t:lot:X", evidence)
		if err != nil {
			t.Fatal(err)
		}
		b := x.Elements["Pr"]
		// X's own assay: 0.5 t × 20 % = 0.1 t Pr, all of unknown origin.
		if b.NoneContained || !near(b.Tonnes, 0.1) || !near(b.UnknownOrigin, 0.1) || !near(share(b.ByCountry, custody.Unknown).Tonnes, 0.1) || len(b.ByCountry) != 1 {
			t.Fatalf("X (evidence %v) Pr: %+v, want 0.1 t, all of unknown origin (no recorded input)", evidence, b)
		}
		// Nd: 0.5 × 60 % = 0.3 t ≤ 0.4 t in: Pakistan 100 %.
		if n := x.Elements["Nd"]; !near(n.Tonnes, 0.3) || n.UnknownOrigin != 0 || !near(share(n.ByCountry, "PAK").Share, 1) {
			t.Fatalf("X Nd: %+v, want 0.3 t Pakistan", n)
		}
		// Overall by value: Pr's 0.1 t × pr over 0.3 × nd + 0.1 × pr
		// (≈ 8.94 / 34.48 = 25.9 %); Pakistan is 100 % of the rest, 74.1 %.
		want := 0.1 * pr / (0.3*nd + 0.1*pr)
		p := x.Overall.OriginUnknown
		if p == nil || !near(p.Share, want) || !near(p.Tonnes, 0.1) || strings.Join(p.Elements, ",") != "Pr" {
			t.Fatalf("X overall unknown part %+v, want 0.1 t Pr, share %v", p, want)
		}
		// The headline gives shares of the whole, the unknown part
		// first: "origin unknown 25.9 %, Pakistan 74.1 % (by contained
		// value)", never "Pakistan 100.0 %" (nu38b-6).
		h := x.Headline()
		lead := "origin unknown " + custody.Percent(want) + ", Pakistan " + custody.Percent(1-want) + " (by contained value)"
		if !strings.HasPrefix(h.Text, lead) || !strings.Contains(h.Text, "origin unknown: 0.1 t of Pr") || strings.Contains(h.Text, "100.0 %") {
			t.Fatalf("X headline %q: want it to open %q, the unknown-origin part stated", h.Text, lead)
		}
		if w := h.OfWhole; len(w) != 2 || w[0].Key != custody.KeyOriginUnknown || !near(w[0].Share, want) || w[1].Key != "PAK" || !near(w[1].Share, 1-want) {
			t.Fatalf("X overall of the whole %+v, want origin unknown %v, Pakistan %v", w, want, 1-want)
		}
		if strings.Contains(strings.ToLower(h.Text), "none contained") {
			t.Fatalf("X headline %q says none contained", h.Text)
		}
		// The lot list's and lots CSV's one origin country: none, for a
		// lot holding metal of unknown origin.
		if c := x.Country(); c != "" {
			t.Fatalf("X country %q, want none (part of it is of unknown origin)", c)
		}

		v, err := custody.OriginOf(ctx, db, "urn:t:lot:V", evidence)
		if err != nil {
			t.Fatal(err)
		}
		// V: 1 t × 60 % = 0.6 t Nd; 0.1 t put in: 0.1 Pakistan
		// (1/6 = 16.7 %), 0.5 t unknown (5/6 = 83.3 %).
		n := v.Elements["Nd"]
		if !near(n.Tonnes, 0.6) || !near(n.UnknownOrigin, 0.5) || !near(share(n.ByCountry, "PAK").Tonnes, 0.1) || !near(share(n.ByCountry, custody.Unknown).Share, 5.0/6) {
			t.Fatalf("V (evidence %v) Nd: %+v, want 0.6 t: 0.1 Pakistan, 0.5 unknown", evidence, n)
		}
		if p := v.Overall.OriginUnknown; p == nil || !near(p.Share, 5.0/6) || !near(p.Tonnes, 0.5) {
			t.Fatalf("V overall unknown part %+v, want 0.5 t, 83.3 %%", p)
		}
		if len(v.Overall.ByCountry) != 1 || v.Overall.ByCountry[0].Key != "PAK" || !near(v.Overall.ByCountry[0].Tonnes, 0.1) {
			t.Fatalf("V overall %+v: want Pakistan 0.1 t, the shares of the known rest", v.Overall.ByCountry)
		}

		y, err := custody.OriginOf(ctx, db, "urn:t:lot:Y", evidence)
		if err != nil {
			t.Fatal(err)
		}
		// Y: 2 t × 10 % = 0.2 t Pr; blended from 0.1 t unknown (X) +
		// 0.2 t Australia (B): 1/3 unknown = 0.0667 t, 0.1333 t AUS.
		b = y.Elements["Pr"]
		if !near(b.Tonnes, 0.2) || !near(b.UnknownOrigin, 0.2/3) || !near(share(b.ByCountry, "AUS").Tonnes, 0.4/3) {
			t.Fatalf("Y (evidence %v) Pr: %+v, want 0.2 t: 0.0667 unknown origin, 0.1333 Australia", evidence, b)
		}
		// Nd: 0.9 t from 0.3 Pakistan + 0.6 Australia: no unknown part.
		if n := y.Elements["Nd"]; !near(n.Tonnes, 0.9) || n.UnknownOrigin != 0 || !near(share(n.ByCountry, "PAK").Tonnes, 0.3) {
			t.Fatalf("Y Nd: %+v, want 0.3 Pakistan + 0.6 Australia", n)
		}
		if p := y.Overall.OriginUnknown; p == nil || !near(p.Tonnes, 0.2/3) {
			t.Fatalf("Y overall unknown part %+v, want 0.0667 t Pr", p)
		}
	}
	for _, id := range []string{"X", "V", "Y"} {
		v := dfarsOf(t, db, "urn:t:lot:"+id)
		if v.Status == custody.Pass || !strings.Contains(v.Detail, "no recorded input") {
			t.Fatalf("%s: dfars %s %q, want not pass: metal of unknown origin", id, v.Status, v.Detail)
		}
	}
}
