package refinery_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestRecoveryTwoStreamsOneCommodity (fix12h 1): two product streams
// of one commodity are one product: the recovery into it is their sum.
// Feed 100 t at 1.0 % Nd = 1.0 t; ndpr_oxide_a 0.6 t × 75 % = 0.45 t;
// ndpr_oxide_b 0.4 t × 75 % = 0.30 t; residue 99 t × 0.2525253 % =
// 0.25 t (0.45 + 0.30 + 0.25 = 1.0). Into ndpr_oxide: 0.45 + 0.30 =
// 0.75 — not 0.30 (the last stream) nor 0.45 (the first).
func TestRecoveryTwoStreamsOneCommodity(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:twostreams"
	q := func(v float64) string { return fmt.Sprintf(`{"value": %g, "sd": %g}`, v, v*0.005) }
	doc := fmt.Sprintf(`{"site": %q, "period": "2025-11", "elements": ["Nd"], "nodes": [{"id": "plant"}], "streams": [
	 {"id": "feed", "to": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "ndpr_oxide_a", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "ndpr_oxide_b", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "residue", "kind": "residue", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}}]}`,
		site, q(100), q(1.0), q(0.6), q(75), q(0.4), q(75), q(99), q(0.2525253))
	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, doc), op, "", key, at); err != nil {
		t.Fatalf("close: %v", err)
	}
	rs, err := refinery.RecoveryFor(ctx, db, site, "Nd", "2025-11")
	if err != nil || len(rs) != 2 {
		t.Fatalf("RecoveryFor: %+v %v", rs, err)
	}
	r, ok := refinery.ProductRecovery(rs, "ndpr_oxide")
	if !ok || r.Stream != "ndpr_oxide_a+ndpr_oxide_b" {
		t.Fatalf("ProductRecovery: %+v %v", r, ok)
	}
	near(t, "recovery into ndpr_oxide", r.Fraction, 0.75, 1e-4)
	if _, ok := refinery.ProductRecovery(rs, "la_carbonate"); ok {
		t.Errorf("ProductRecovery found a commodity no stream carries")
	}
	cf := refinery.ConversionFactors{Store: db}
	cat := critmin.MaterialCategory{Elements: []string{"Nd"}, Product: "ndpr_oxide", ConversionFactor: 0.5}
	f, src, ok, err := cf.ConversionFactor(ctx, site, cat, critmin.ClaimPeriod{From: "2025-11-01", To: "2025-12-01"})
	if err != nil || !ok {
		t.Fatalf("conversion factor %v %q %v %v", f, src, ok, err)
	}
	near(t, "conversion factor", f, 0.75, 1e-4)
}

// TestLineYieldProductWarehouse (fix12h 2): a product warehouse (an
// inventory node downstream of the plant that ships the product) holds
// metal the plant processed: its build-up is neither taken off the
// basis nor left out of the product.
// Feed 100 t at 1.0 % Nd = 1.0 t into the plant; plant → warehouse
// 1.0 t oxide × 75 % = 0.75 t; residue 99 t × 0.2525253 % = 0.25 t.
// Warehouse 0.2 t → 0.8 t at 75 % (0.15 → 0.60 t Nd, +0.45 t), ships
// 0.4 t × 75 % = 0.30 t (0.2 + 1.0 − 0.4 = 0.8). Basis: feed 1.0 t
// (the warehouse is downstream, not taken off); into ndpr_oxide:
// shipped 0.30 + built up 0.45 = 0.75 t; yield 0.75 / 1.0 = 0.75 —
// not 0.30 / (1.0 − 0.45) = 0.545 (the warehouse taken as feed stock).
func TestLineYieldProductWarehouse(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:warehouse"
	q := func(v float64) string { return fmt.Sprintf(`{"value": %g, "sd": %g}`, v, v*0.005) }
	doc := fmt.Sprintf(`{"site": %q, "period": "2025-11", "elements": ["Nd"], "nodes": [
	 {"id": "plant"},
	 {"id": "warehouse", "inventory": {"opening_t": %s, "closing_t": %s, "opening_grade_pct": {"Nd": %s}, "closing_grade_pct": {"Nd": %s}}}], "streams": [
	 {"id": "feed", "to": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "to_warehouse", "from": "plant", "to": "warehouse", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "residue", "kind": "residue", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "warehouse", "mass_t": %s, "grade_pct": {"Nd": %s}}]}`,
		site, q(0.2), q(0.8), q(75), q(75), q(100), q(1.0), q(1.0), q(75), q(99), q(0.2525253), q(0.4), q(75))
	p := decode(t, doc)
	if got := refinery.DownstreamStores(p); len(got) != 1 || got[0] != "warehouse" {
		t.Fatalf("DownstreamStores = %v, want [warehouse]", got)
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, p, op, "", key, at); err != nil {
		t.Fatalf("close: %v", err)
	}
	rs, err := refinery.RecoveryFor(ctx, db, site, "Nd", "2025-11")
	if err != nil || len(rs) != 1 || rs[0].Stream != "oxide" {
		t.Fatalf("RecoveryFor: %+v %v", rs, err)
	}
	near(t, "line yield with a product warehouse", rs[0].Fraction, 0.75, 1e-3)
}

// TestDownstreamStoresSurgeTank: a tank between two units and a
// receiving pile feed a unit (not downstream); a residue store fed by a
// tank that feeds nothing is downstream.
func TestDownstreamStoresSurgeTank(t *testing.T) {
	inv := &refinery.Inventory{}
	p := &refinery.Problem{
		Nodes: []refinery.Node{{ID: "pile", Inventory: inv}, {ID: "leach"}, {ID: "tank", Inventory: inv}, {ID: "sx"},
			{ID: "thickener", Inventory: inv}, {ID: "dam", Inventory: inv}},
		Streams: []refinery.Stream{{ID: "a", To: "pile"}, {ID: "b", From: "pile", To: "leach"}, {ID: "c", From: "leach", To: "tank"},
			{ID: "d", From: "tank", To: "sx"}, {ID: "e", From: "sx"}, {ID: "f", From: "sx", To: "thickener"}, {ID: "g", From: "thickener", To: "dam"}},
	}
	got := refinery.DownstreamStores(p)
	if len(got) != 2 || got[0] != "thickener" || got[1] != "dam" {
		t.Fatalf("DownstreamStores = %v, want [thickener dam]", got)
	}
}

// TestInvisibleNamesAndReasons (fix12h 6): a name or reason of only
// zero-width or other invisible characters is refused like a blank one.
func TestInvisibleNamesAndReasons(t *testing.T) {
	for _, s := range []string{"", " \t", "\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u00a0\u3000", "\u200e"} {
		if !refinery.Blank(s) {
			t.Errorf("Blank(%q) = false", s)
		}
	}
	for _, s := range []string{"a", "\u200bx", "metallurgist"} {
		if refinery.Blank(s) {
			t.Errorf("Blank(%q) = true", s)
		}
	}
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:invisible"
	q := func(v float64) string { return fmt.Sprintf(`{"value": %g, "sd": %g}`, v, v*0.005) }
	doc := fmt.Sprintf(`{"site": %q, "period": "2025-11", "elements": ["Nd"], "nodes": [{"id": "plant"}], "streams": [
	 {"id": "feed", "to": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "residue", "kind": "residue", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}}]}`,
		site, q(100), q(1.0), q(1.0), q(75), q(99), q(0.2525253))
	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, doc), refinery.Actor{Name: "\u200b", Role: critmin.RoleOperator}, "", key, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("close by a zero-width name: %v, want EINVALID", err)
	}
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("a refused close left %d records", len(recs))
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, doc), op, "", key, at); err != nil {
		t.Fatalf("close: %v", err)
	}
	admin := refinery.Actor{Name: "controller", Role: critmin.RoleAdmin}
	if _, err := refinery.ReopenPeriod(ctx, db, site, "2025-11", admin, "\u200b\u200b", key, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("reopen with a zero-width reason: %v, want EINVALID", err)
	}
	if _, err := refinery.ReopenPeriod(ctx, db, site, "2025-11", refinery.Actor{Name: "\ufeff", Role: critmin.RoleAdmin}, "wrong assay", key, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("reopen by an invisible admin name: %v, want EINVALID", err)
	}
}
