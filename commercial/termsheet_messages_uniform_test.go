package commercial_test

import (
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13h, 5): a payable of 101 % given as a
// JSON number was refused by the schema as "/payables/0/payable_pct:
// maximum: got 101, want 100", with no term-sheet name, while "101" as
// a string read "term sheet …: /payables/0/payable_pct: payable 101 % is
// outside 0–100 %". Both now name the term sheet, the pointer and a
// readable reason.
func TestTermSheetMessagesNameSheetPointerAndReason(t *testing.T) {
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, `"payable_pct"`)
	if i < 0 {
		t.Fatal("demo copper contract has no payable_pct")
	}
	j := i + strings.IndexAny(doc[i:], ",}")
	for _, val := range []string{`101`, `"101"`} {
		_, err := commercial.ParseTermSheet([]byte(doc[:i] + `"payable_pct": ` + val + doc[j:]))
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.EINVALID ||
			!strings.HasPrefix(msg, `term sheet "FWO-USSM-CU-2025": /payables/0/payable_pct: `) ||
			!strings.Contains(msg, "101 % is outside 0–100 %") {
			t.Errorf("payable_pct %s: %q, want the term sheet, the pointer and \"101 %% is outside 0–100 %%\"", val, msg)
		}
	}
	// Any other schema fault reads as words too, named the same way.
	_, err = commercial.ParseTermSheet([]byte(strings.Replace(doc, `"currency": "USD"`, `"currency": "USD", "colour": 1`, 1)))
	if msg := critmin.ErrorMessage(err); !strings.HasPrefix(msg, `term sheet "FWO-USSM-CU-2025": /colour: unknown field`) {
		t.Errorf("unknown field: %q", msg)
	}
}
