package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// TestCappedFigureUpstreamIsFlagged (issue 9, fix9n 1): a lot whose
// figures rest on a capped figure anywhere in its genealogy says so —
// element_capped naming the capped lot and the run that gained — in the
// lot page's origin, the kept mix (lot list) and the certificate, not
// only the lot whose own figure was capped.
//
//	W: Pakistan, 10 t at Nd 1 % = 0.1 t Nd → run R → WO, 1 t at Nd 60 %
//	   = 0.6 t > 0.1 t: element_gain; WO counts 0.1 t (capped) for runs
//	   and credits, and the other 0.5 t came from no recorded input: its
//	   Nd is Pakistan 0.1 / 0.6 = 1/6, unknown 5/6 (nu37a).
//	WO, 1 t → run R2 → WO2, 1 t at Nd 9 % = 0.09 t ≤ 0.1 t (WO's capped
//	   figure): balanced, WO2 not capped itself — but its 0.09 t rest on
//	   the 0.1 t WO counts, a capped figure; its shares are WO's whole
//	   mix: Pakistan 1/6, unknown 5/6.
//	WO2, 1 t (0.09 t Nd) + X, Myanmar, 10 t at Nd 0.9 % = 0.09 t → run R3
//	   → B, 1 t at Nd 15 % = 0.15 t ≤ 0.18 t: balanced; B's shares rest on
//	   WO2's, which rest on WO's capped figure: 0.09 t of WO2 (Pakistan
//	   1/6, unknown 5/6) + 0.09 t of X (Myanmar) over 0.18 t — Pakistan
//	   1/6 × 1/2 = 1/12, unknown 5/12, Myanmar 1/2.
func TestCappedFigureUpstreamIsFlagged(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:1"),
		feed("X", "ree_concentrate", "MMR", 10, "Nd:0.9"),
		runOf("R", "b", "2025-10-10T00:00:00Z", []string{"W:10"}, product{lot: "WO", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}}),
		runOf("R2", "b", "2025-10-12T00:00:00Z", []string{"WO:1"}, product{lot: "WO2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:9"}}),
		runOf("R3", "b", "2025-10-14T00:00:00Z", []string{"WO2:1", "X:10"}, product{lot: "B", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:15"}}),
	))
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	flagged := func(as []custody.Anomaly) bool {
		for _, a := range as {
			if a.Kind == "element_capped" && namesWO(a.Detail) && strings.Contains(a.Detail, "urn:t:ev:R") && strings.Contains(a.Detail, "0.1 t Nd") &&
				len(a.Events) > 0 && a.Events[0] == "urn:t:ev:R" {
				return true
			}
		}
		return false
	}
	for lot, pak := range map[string]float64{"WO": 1.0 / 6, "WO2": 1.0 / 6, "B": 1.0 / 12} {
		id := "urn:t:lot:" + lot
		l, err := db.FindLot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, id, evidence)
			if err != nil {
				t.Fatal(err)
			}
			for name, c := range map[string]*custody.Composition{"lot page": c, "lot list": list[id]} {
				if !flagged(c.Anomalies) {
					t.Errorf("%s %s (evidence %v): no element_capped naming WO and run R: %+v", lot, name, evidence, c.Anomalies)
				}
				var got float64
				for _, sh := range c.Elements["Nd"].ByCountry {
					if sh.Key == "PAK" {
						got = sh.Share
					}
				}
				if !near(got, pak) {
					t.Errorf("%s %s: Nd shares %+v, want Pakistan %.2f", lot, name, c.Elements["Nd"].ByCountry, pak)
				}
			}
		}
		cert, err := custody.Issue(ctx, db, id, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(cert)
		var doc struct {
			Subject struct {
				Comp custody.Composition `json:"cm:originComposition"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if !flagged(doc.Subject.Comp.Anomalies) {
			t.Errorf("%s certificate: no element_capped naming WO and run R: %+v", lot, doc.Subject.Comp.Anomalies)
		}
	}
}

var _ = (*sqldb.DB)(nil)

// namesWO reports whether d names lot urn:t:lot:WO itself (not WO2).
func namesWO(d string) bool {
	for rest := d; ; {
		i := strings.Index(rest, "urn:t:lot:WO")
		if i < 0 {
			return false
		}
		rest = rest[i+len("urn:t:lot:WO"):]
		if !strings.HasPrefix(rest, "2") {
			return true
		}
	}
}
