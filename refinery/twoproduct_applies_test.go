package refinery_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestTwoProductOnlyWithoutMasses: the two-product formula (recovery from
// grades alone) is used only when no mass is measured, so its message and
// recovery_from_grades_not_determined appear only then.
//
//	weighed masses (feed 100 ± 2 t, conc 8 ± 0.3, tail 92 ± 2), Sb fixed
//	at 0 % in all three: the Sb recovery is 0 t out of 0 t, not
//	determinable, but from masses, not from grades → no two-product text.
//
//	the same grades with no mass measured: the formula is the only way,
//	and c > f > t fails (f = 0), so it says why, naming each stream once:
//	"feed" is the stream id, not repeated as "feed feed".
func TestTwoProductOnlyWithoutMasses(t *testing.T) {
	weighed := decode(t, `{"elements": ["Cu","Sb"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}, "Sb": 0}},
 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}, "Sb": 0}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}, "Sb": 0}}]}`)
	r, err := refinery.Reconcile(weighed)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Accounts {
		if a.FromGradesWhyNot != "" || a.FromGrades != nil {
			t.Errorf("%s: masses are measured, yet from grades: %+v / %q", a.Element, a.FromGrades, a.FromGradesWhyNot)
		}
	}
	unweighed := decode(t, `{"elements": ["Sb"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "grade_pct": {"Sb": {"value": 0.0001, "sd": 0.00001}}},
 {"id": "conc", "from": "flotation", "grade_pct": {"Sb": {"value": 0.5, "sd": 0.1}}},
 {"id": "tail", "from": "flotation", "grade_pct": {"Sb": {"value": 0.2, "sd": 0.01}}}]}`)
	r, err = refinery.Reconcile(unweighed)
	if err != nil {
		t.Fatal(err)
	}
	why := r.Accounts[0].FromGradesWhyNot
	if why == "" || r.Accounts[0].FromGrades != nil {
		t.Fatalf("no mass measured and f < t: want a reason, got %+v / %q", r.Accounts[0].FromGrades, why)
	}
	if strings.Contains(why, "feed feed") || strings.Count(why, "feed ") > 1 {
		t.Errorf("stream named twice: %q", why)
	}
	for _, id := range []string{"conc", "feed", "tail"} {
		if !strings.Contains(why, id) {
			t.Errorf("%q does not name %s", why, id)
		}
	}
}
