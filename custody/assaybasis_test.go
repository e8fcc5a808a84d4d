package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/storetest"
)

// TestAssayBasisNotStated (fix9b item 6): an assay's cm:basis is dry or
// as_received. Any other value, or one that is not a string, is refused
// naming /ilmd/cm:assay/0/cm:basis, nothing stored; so is, since issue 9,
// an assay without cm:basis. One stored without it before (an older
// store) is read as dry and said so: lot B, 10 t at moisture 0, Nd 5 %
// with no basis reads Nd 10 × 5 % = 0.5 t (the dry reading), the assay is
// marked basisNotStated, and the origin (hence the lot page and the
// certificate, which carry it) lists it under basisNotStated naming the
// lot, the analyte and the event.
func TestAssayBasisNotStated(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	commission := func(id, lot, basis string) string {
		return objectEv(id, "2025-11-20T00:00:00Z", lot, "ADD", `, "bizStep": "commissioning",
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%"`+basis+`}]}`)
	}
	for _, tc := range []struct{ name, basis, reason string }{
		{"unknown value", `, "cm:basis": "wet"`, `basis "wet" is not dry or as_received`},
		{"number", `, "cm:basis": 1`, `basis must be the string "dry" or "as_received", not 1`},
		{"null", `, "cm:basis": null`, `basis must be the string "dry" or "as_received", not null`},
	} {
		err := capture(svc, strings.Replace(commission("X"+tc.name[:1], "urn:t:lot:X", tc.basis), `"quantityList": [{"epcClass": "urn:t:lot:X"}]`, `"quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}]`, 1))
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || !strings.HasSuffix(f[0].Pointer, "/ilmd/cm:assay/0/cm:basis") || f[0].Reason != tc.reason {
			t.Errorf("%s: %v %+v", tc.name, err, f)
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:X"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: refused lot stored: %v", tc.name, err)
		}
	}
	ev := strings.Replace(commission("B0", "urn:t:lot:B", ""), `"quantityList": [{"epcClass": "urn:t:lot:B"}]`, `"quantityList": [{"epcClass": "urn:t:lot:B", "quantity": 10, "uom": "TNE"}]`, 1)
	// Issue 9: a new assay without cm:basis is refused, nothing stored.
	err := capture(svc, ev)
	if f := critmin.ErrorFields(err); critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || !strings.HasSuffix(f[0].Pointer, "/ilmd/cm:assay/0/cm:basis") || !strings.Contains(f[0].Reason, "state dry or as-received") {
		t.Errorf("assay without basis: %v %+v, want refused at its cm:basis", err, f)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:B"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused lot B stored: %v", err)
	}
	// One stored before the refusal still reads, as dry, marked.
	storetest.MustStoreUnchecked(t, db, string(mbDoc(ev)))
	b, err := db.FindLot(ctx, "urn:t:lot:B")
	if err != nil || len(b.Assays) != 1 || b.Assays[0].Basis != "dry" || !b.Assays[0].BasisNotStated {
		t.Fatalf("lot B assays %+v %v, want dry, basis not stated", b, err)
	}
	o, err := custody.Origin(ctx, db, "urn:t:lot:B")
	if err != nil {
		t.Fatal(err)
	}
	// 10 t dry × 5 % = 0.5 t Nd, read as dry.
	if nd := o.Elements["Nd"]; !near(nd.Tonnes, 0.5) {
		t.Errorf("Nd %v t, want 0.5", nd.Tonnes)
	}
	if n := o.BasisNotStated; len(n) != 1 || !strings.Contains(n[0], "lot urn:t:lot:B: the Nd assay (event urn:t:ev:B0") || !strings.Contains(n[0], "basis not stated, read as dry") {
		t.Errorf("basisNotStated %q, want one naming B, Nd and event B0", n)
	}
	// Stated dry: no mark, no anomaly.
	ev = strings.Replace(commission("D0", "urn:t:lot:D", `, "cm:basis": "dry"`), `"quantityList": [{"epcClass": "urn:t:lot:D"}]`, `"quantityList": [{"epcClass": "urn:t:lot:D", "quantity": 10, "uom": "TNE"}]`, 1)
	if err := capture(svc, ev); err != nil {
		t.Fatal(err)
	}
	if o, err = custody.Origin(ctx, db, "urn:t:lot:D"); err != nil {
		t.Fatal(err)
	}
	if len(o.BasisNotStated) != 0 {
		t.Errorf("stated dry basis flagged: %q", o.BasisNotStated)
	}
}
