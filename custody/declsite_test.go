package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestDeclarationSiteAndInputs (issue 9): a declaration is refused, with
// nothing stored, when one input commodity earns credits in two of its
// categories that qualify a shared element (that element's credits would
// be counted in each: ISO 22095-2 keeps categories apart), naming the
// second occurrence, both categories and the element (an input in
// categories with disjoint elements is allowed: sharedinput_test.go); and when no master
// data or event names its site. Spellings of one GS1 key are one site:
// master data names urn:epc:id:sgln:4012345.00008.0, and a declaration
// for its Digital Link https://id.gs1.org/414/4012345000085 or an
// upper-case urn:epc: prefix is stored under the known spelling.
func TestDeclarationSiteAndInputs(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}))
	now := time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)

	d := declaration("urn:t:site:mb")
	d.Categories[1].Inputs = []string{"ree_concentrate"}
	d.Categories[1].Elements = []string{"Sb", "Pr"}
	err := custody.DeclareMassBalance(ctx, db, d, now)
	if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != "/categories/1/inputs/0" || !strings.Contains(f[0].Reason, `"ree_concentrate" is an input of category "ree" too, and both categories "ree" and "sb" qualify element Pr`) {
		t.Errorf("one input in two categories: %v", err)
	}
	if _, err := db.FindMassBalance(ctx, "urn:t:site:mb"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused declaration stored: %v", err)
	}

	err = custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:nowhere"), now)
	if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != "/site" || !strings.Contains(f[0].Reason, "unknown site urn:t:site:nowhere") {
		t.Errorf("unknown site: %v", err)
	}
	if _, err := db.FindMassBalance(ctx, "urn:t:site:nowhere"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("declaration at an unknown site stored: %v", err)
	}

	const urn = "urn:epc:id:sgln:4012345.00008.0"
	md := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "` + urn + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
	 "epcisBody": {"eventList": []}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(md)}); err != nil {
		t.Fatal(err)
	}
	for _, spelling := range []string{"https://id.gs1.org/414/4012345000085", "URN:EPC:id:sgln:4012345.00008.0"} {
		d := declaration(spelling)
		if err := custody.DeclareMassBalance(ctx, db, d, now); err != nil {
			t.Fatalf("%s: %v", spelling, err)
		}
		if d.Site != urn {
			t.Errorf("%s stored as %s, want the known spelling %s", spelling, d.Site, urn)
		}
	}
	if vs, err := db.MassBalanceVersions(ctx, urn); err != nil || len(vs) != 2 {
		t.Errorf("versions under %s: %d %v, want 2", urn, len(vs), err)
	}
}
