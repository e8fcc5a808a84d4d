package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestFormShowsRecordChecksWithSchemaErrors (issue 15: a form reported
// its faults in two rounds — a value the schema refuses first, and only
// once that was fixed "lot already exists" and a port as the mine): the
// record checks run on whatever of the event could be read, so the one
// preview shows all three, as docs/forms.md promises.
func TestFormShowsRecordChecksWithSchemaErrors(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := commissionForm()
	v.Set("step", "preview")
	v.Set("lot", "urn:critmin:demo:lot:REE-2025-001") // commissioned by the demo
	v.Set("mine", "urn:critmin:demo:site:karachi")    // a port
	v.Set("moisture", "150")                          // over 100 %
	_, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	for _, field := range []string{"moisture", "mine", "lot"} {
		if block := fieldBlock(string(b), field); !strings.Contains(block, `class="field-error"`) {
			t.Errorf("moisture 150 %%, a port as the mine and an existing lot: %s shows no error: %q", field, visibleText(block))
		}
	}
}
