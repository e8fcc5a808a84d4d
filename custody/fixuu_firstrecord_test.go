package custody_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// fixuuAdd is an ObjectEvent ADD urn:t:ev:<id> of 10 t of lot
// urn:t:lot:<lot> at site on October day (1–9) with bizStep step and,
// when ilmd is not "", that ILMD.
func fixuuAdd(id, lot, site, step string, day int, ilmd string) string {
	ev := `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-0` + string(rune('0'+day)) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "` + step + `",
	  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"}`
	if ilmd != "" {
		ev += `, "ilmd": {"cm:commodity": "ree_concentrate", ` + ilmd + ` "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`
	}
	return ev + `}`
}

// fixuuShip is a shipping (ObjectEvent OBSERVE, in_transit) urn:t:ev:<id>
// of 10 t of lot urn:t:lot:<lot> from site at eventTime at: a receipt
// elsewhere ends its trip (a receiving with no bill of lading of a lot
// standing at a site elsewhere and on no trip is refused, fixQl).
func fixuuShip(id, lot, site, at string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"}}`
}

// TestFirstRecordContradictsStatedOrigin (fixUu, issue 9 §2): the place
// the origin function reads as where a stated lot was mined is the mine
// of its first record (its commissioning, else its first ADD with a
// quantity). Capture, through every door (custody.NewService: serve, the
// CLI import, the forms' Validate preview), refuses a document that
// would leave a stated origin contradicted by that mine — before, each
// was stored and flagged origin_conflict (origin unknown). Master data:
// cn a mine in China, cnw a warehouse in China, pk a mine in Pakistan.
//
//   - V, first recorded at mine cn (no ILMD): a preview (Validate) of an
//     ADD at cnw stating PAK names the refusal as capture does — the
//     lot, Pakistan, China, cn and the first record V0.
//   - X, commissioned at mine pk (no ILMD) on 10-01, shipped from pk
//     that day and received with a quantity at mine cn on 10-02,
//     shipped from cn on 10-03 and stated PAK at cnw on 10-05: Pakistan
//     100 % (the commissioning is the first record). A declaration in
//     error of the commissioning would make the receipt at the Chinese
//     mine its first record against the stated PAK: refused 409 at the
//     declaration, nothing stored — X still reads Pakistan.
//   - Y, first recorded at mine cn, shipped from cn on 10-03, later
//     stated CHN at cnw: consistent,
//     accepted, China 100 % (no false refusal).
func TestFirstRecordContradictsStatedOrigin(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := custody.NewService(db)
	capture := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fix9avDocOf(evs...))})
		return err
	}
	if err := capture(fixuuAdd("V0", "V", "cn", "commissioning", 1, ""),
		fixuuAdd("X0", "X", "pk", "commissioning", 1, ""), fixuuShip("X0s", "X", "pk", "2025-10-01T12:00:00Z"),
		fixuuAdd("X1", "X", "cn", "receiving", 2, ""), fixuuShip("X1s", "X", "cn", "2025-10-03T00:00:00Z"),
		fixuuAdd("X2", "X", "cnw", "receiving", 5, `"cm:originCountry": "PAK",`),
		fixuuAdd("Y0", "Y", "cn", "commissioning", 1, ""), fixuuShip("Y0s", "Y", "cn", "2025-10-03T00:00:00Z")); err != nil {
		t.Fatal(err)
	}

	errs, err := svc.Validate(ctx, []byte(fix9avDocOf(fixuuAdd("V1", "V", "cnw", "receiving", 5, `"cm:originCountry": "PAK",`))))
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || len(errs[0]) != 1 || errs[0][0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originCountry" || !errs[0][0].Conflict {
		t.Fatalf("preview of V1: %+v, want one conflict at /epcisBody/eventList/0/ilmd/cm:originCountry", errs)
	}
	for _, w := range []string{"urn:t:lot:V", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:ev:V0"} {
		if !strings.Contains(errs[0][0].Reason, w) {
			t.Errorf("preview of V1: %q does not name %q", errs[0][0].Reason, w)
		}
	}

	o, err := custody.OriginOf(ctx, db, "urn:t:lot:X", false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Country() != "PAK" {
		t.Fatalf("X: country %q, want PAK (first record at mine pk)", o.Country())
	}
	err = capture(`{"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:pk"}, "bizLocation": {"id": "urn:t:site:pk"},
	  "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}, "eventID": "urn:t:ev:X0"}`)
	fs := critmin.ErrorFields(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, "/epcisBody/eventList/0") {
		t.Errorf("declaring X0 in error: %v %+v, want one conflict at the declaration", err, fs)
	} else {
		for _, w := range []string{"urn:t:lot:X", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:ev:X1", "urn:t:ev:X2"} {
			if !strings.Contains(fs[0].Reason, w) {
				t.Errorf("declaring X0 in error: %q does not name %q", fs[0].Reason, w)
			}
		}
	}
	if o, err := custody.OriginOf(ctx, db, "urn:t:lot:X", false); err != nil || o.Country() != "PAK" {
		t.Errorf("X after the refused declaration: %v %v, want PAK (nothing stored)", o, err)
	}

	if err := capture(fixuuAdd("Y1", "Y", "cnw", "receiving", 5, `"cm:originCountry": "CHN",`)); err != nil {
		t.Fatalf("Y stated CHN, first recorded at a Chinese mine: %v", err)
	}
	if o, err := custody.OriginOf(ctx, db, "urn:t:lot:Y", false); err != nil || o.Country() != "CHN" || len(o.Headline().Flags) > 0 {
		t.Errorf("Y: %v %v, want CHN, no flag", o, err)
	}
}
