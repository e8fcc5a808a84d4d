package web

import (
	"reflect"
	"testing"

	"github.com/critmin/critmin"
)

// TestFormErrorsOnceEachNamingEveryLine (issue 15, fix15g item 5): one
// cause reported for two lines of a list field (a lot named on lines 1
// and 3, each line refused for it) is one error naming both lines; a
// reason repeated word for word is shown once; the summary's errors no
// field owns are listed once, with every pointer they were reported at.
func TestFormErrorsOnceEachNamingEveryLine(t *testing.T) {
	got := onceEach(map[string][]string{
		"lots": {"line 1: lot X is unknown: commission it first", "line 3: lot X is unknown: commission it first", "line 2: unit MT is not a mass unit"},
		"site": {"lot X is elsewhere", "lot X is elsewhere"},
	})
	want := map[string][]string{
		"lots": {"lines 1 and 3: lot X is unknown: commission it first", "line 2: unit MT is not a mass unit"},
		"site": {"lot X is elsewhere"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("onceEach = %q; want %q", got, want)
	}
	other := onceOther([]critmin.FieldError{{Pointer: "/a/0", Reason: "same"}, {Pointer: "/a/1", Reason: "same"}, {Pointer: "/b", Reason: "other"}})
	if len(other) != 2 || other[0].Pointer != "/a/0, /a/1" || other[1].Reason != "other" {
		t.Errorf("onceOther = %+v", other)
	}
}
