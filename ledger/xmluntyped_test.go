package ledger_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestXMLUntypedNumberSaysXsiType (nu37a): an XML extension element
// without xsi:type is text, so <cm:moisture>0</cm:moisture> arrives as
// the string "0". The refusal names the field and says how XML states a
// number (xsi:type="xsd:decimal"), not only "not a JSON string", which
// an XML sender has no JSON to fix in. Failed before: no mention of
// xsi:type.
func TestXMLUntypedNumberSaysXsiType(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:cm="https://ns.critmin.org/mineral/v1/" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z"><EPCISBody><EventList>
<ObjectEvent><eventTime>2025-10-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>urn:t:ev:X</eventID><epcList/><action>ADD</action>
<bizStep>commissioning</bizStep><readPoint><id>urn:t:site:mine</id></readPoint>
<quantityList><quantityElement><epcClass>urn:t:lot:X</epcClass><quantity>100</quantity><uom>TNE</uom></quantityElement></quantityList>
<ilmd><cm:commodity>ree_concentrate</cm:commodity><cm:originCountry>PAK</cm:originCountry><cm:moisture>0</cm:moisture></ilmd></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`)
	_, err = ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: xml, XML: true})
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	for _, f := range e.Fields {
		if strings.HasSuffix(f.Pointer, "/ilmd/cm:moisture") && strings.Contains(f.Reason, `<cm:moisture xsi:type="xsd:decimal">0.08</cm:moisture>`) {
			return
		}
	}
	t.Fatalf("fields %+v, want /ilmd/cm:moisture saying how XML types a number (xsi:type)", e.Fields)
}
