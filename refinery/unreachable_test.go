package refinery_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/refinery"
)

// TestUnreachableRecoveryIsNotZero (fix12c gap 6): two units side by
// side, one fed with Cu and no Sb (its Sb grade fixed at 0), the other
// with Sb and no Cu. Both balance exactly, so the reconciled values are
// the measured ones:
//
//	cu unit: feed 100 t × 1 % = 1 t Cu = conc 20 t × 4 % (0.8 t) + tail 80 t × 0.25 % (0.2 t)
//	sb unit: feed 50 t × 4 % = 2 t Sb = conc 10 t × 18 % (1.8 t) + residue 40 t × 0.5 % (0.2 t)
//
// Cu recovery to cu_conc = 0.8 / 1 = 0.8, Sb to sb_conc = 1.8 / 2 = 0.9.
// Sb cannot reach cu_conc or cu_tail (nothing upstream carries it) and Cu
// cannot reach sb_conc or sb_res: those are "n/a (unreachable)", not 0.
func TestUnreachableRecoveryIsNotZero(t *testing.T) {
	p := decode(t, `{"elements":["Cu","Sb"],"nodes":[{"id":"cu"},{"id":"sb"}],"streams":[
 {"id":"feed_cu","to":"cu","mass_t":{"value":100,"sd":2},"grade_pct":{"Cu":{"value":1,"sd":0.03},"Sb":0}},
 {"id":"cu_conc","from":"cu","mass_t":{"value":20,"sd":0.5},"grade_pct":{"Cu":{"value":4,"sd":0.1}}},
 {"id":"cu_tail","from":"cu","mass_t":{"value":80,"sd":2},"grade_pct":{"Cu":{"value":0.25,"sd":0.01}}},
 {"id":"feed_sb","to":"sb","mass_t":{"value":50,"sd":1},"grade_pct":{"Sb":{"value":4,"sd":0.1},"Cu":0}},
 {"id":"sb_conc","from":"sb","mass_t":{"value":10,"sd":0.3},"grade_pct":{"Sb":{"value":18,"sd":0.4}}},
 {"id":"sb_res","from":"sb","mass_t":{"value":40,"sd":1},"grade_pct":{"Sb":{"value":0.5,"sd":0.02}}}]}`)
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		rec         map[string]float64
		unreachable []string
	}{
		"Cu": {map[string]float64{"cu_conc": 0.8, "cu_tail": 0.2}, []string{"sb_conc", "sb_res"}},
		"Sb": {map[string]float64{"sb_conc": 0.9, "sb_res": 0.1}, []string{"cu_conc", "cu_tail"}},
	}
	for _, a := range r.Accounts {
		w := want[a.Element]
		if len(a.Recovery) != len(w.rec) {
			t.Errorf("%s recoveries %v, want only %v", a.Element, a.Recovery, w.rec)
		}
		for id, x := range w.rec {
			if math.Abs(float64(a.Recovery[id])-x) > 1e-6 {
				t.Errorf("%s recovery to %s = %v, want %v", a.Element, id, a.Recovery[id], x)
			}
		}
		if !slices.Equal(a.Unreachable, w.unreachable) {
			t.Errorf("%s unreachable %v, want %v", a.Element, a.Unreachable, w.unreachable)
		}
		if _, ok := a.Deportment[w.unreachable[0]]; ok {
			t.Errorf("%s deportment lists unreachable %s", a.Element, w.unreachable[0])
		}
	}
	for _, n := range r.Nodes {
		if n.ID == "sb" && (len(n.Recovery["Cu"]) != 0) {
			t.Errorf("unit sb lists Cu recoveries %v", n.Recovery["Cu"])
		}
	}
	rep := refinery.NewReport(p, r, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var rows []string
	for _, sec := range rep.Sections() {
		if sec.Name == "Recoveries" {
			for _, row := range sec.Rows {
				rows = append(rows, strings.Join(row, ","))
			}
		}
	}
	all := strings.Join(rows, "\n")
	for _, w := range []string{"overall,Sb,cu_conc,n/a (unreachable)", "overall,Cu,sb_res,n/a (unreachable)"} {
		if !strings.Contains(all, w) {
			t.Errorf("report recoveries lack %q:\n%s", w, all)
		}
	}
	if strings.Contains(all, "overall,Sb,cu_conc,0") {
		t.Errorf("report lists a 0 recovery for an unreachable stream:\n%s", all)
	}
}
