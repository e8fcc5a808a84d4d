package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestUnmadeLotWording (nu34-9): the refusal of an event acting on a
// lot whose making event is declared in error, and the 410 of a lot no
// standing event makes, name the maker for each kind — commissioning,
// run output, first receipt — with its eventID set off by one comma on
// each side ("its receipt (its first sighting), event E, …"; it read
// "its first sighting,, event").
func TestUnmadeLotWording(t *testing.T) {
	at := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	decl := &critmin.ErrorDeclaration{DeclarationTime: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC), Reason: "incorrect_data"}
	for _, c := range []struct {
		kind  string
		maker *critmin.Event
		how   string
	}{
		{"commissioning", &critmin.Event{EventID: "E", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: at}, "its commissioning"},
		{"run output", &critmin.Event{EventID: "E", Type: critmin.TransformationEvent, EventTime: at}, "the run that made it"},
		{"first receipt", &critmin.Event{EventID: "E", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "receiving", EventTime: at}, "its receipt (its first sighting)"},
	} {
		for _, d := range []*critmin.ErrorDeclaration{nil, decl} {
			got := custody.LotDeclaredUnmade("L", "a run's input", c.maker, d)
			when := "by this document"
			if d != nil {
				when = "on 2025-10-20T00:00:00Z (reason incorrect_data)"
			}
			want := "lot L is not in the record: " + c.how + ", event E (2025-10-01), was declared in error " + when + " and no standing event makes the lot, so a run's input cannot act on it"
			if !strings.HasPrefix(got, want) {
				t.Errorf("%s:\n got %q\nwant %q…", c.kind, got, want)
			}
			if strings.Contains(got, ",,") {
				t.Errorf("%s: %q has a double comma", c.kind, got)
			}
		}
		m := *c.maker
		m.Quantities = []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:L"}}
		if m.Type == critmin.TransformationEvent {
			m.Quantities[0].Role = critmin.RoleOutput
		}
		m.DeclaredInError = decl
		err := custody.UnmadeLotError("urn:t:lot:L", []*critmin.Event{&m})
		want := `lot "urn:t:lot:L" is not in the record: ` + c.how + ", event E (2025-10-01), was declared in error at 2025-10-20T00:00:00Z (reason incorrect_data) and no standing event makes it; the events that drew on it before the declaration took nothing of it"
		if critmin.ErrorCode(err) != critmin.EGONE || critmin.ErrorMessage(err) != want {
			t.Errorf("%s: %v\nwant %s: %s", c.kind, err, critmin.EGONE, want)
		}
	}
}
