package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// A lot whose ILMD cm:originCountry contradicts the country master data
// gives its cm:originMine is refused at capture (issue 9 follow-up), on
// every path — a streamed JSON document with the mine in its own header
// (before or after the body), one with the mine stored by an earlier
// capture, a single event, an XML
// document, and the forms' and import's preview (Validate) — with
// EINVALID naming the ILMD country field and both countries. Nothing is
// stored. A country that agrees in another ISO form (PK for a mine in
// PAK) is accepted.
func TestOriginCountryAgainstMineRefused(t *testing.T) {
	ctx := context.Background()
	const mineMD = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	  {"id": "urn:t:site:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}]}]}]}},`
	event := func(id, ctry string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		 "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + ctry + `", "cm:originMine": "urn:t:site:mine"}}`
	}
	doc := func(header string, events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
		 ` + header + ` "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	single := func(ev string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], ` + strings.TrimPrefix(ev, "{"))
	}
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:cm="https://ns.critmin.org/mineral/v1/" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z"><EPCISBody><EventList>
<ObjectEvent><eventTime>2025-10-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>urn:t:ev:X</eventID><epcList/><action>ADD</action>
<bizStep>commissioning</bizStep><bizLocation><id>urn:t:site:mine</id></bizLocation>
<quantityList><quantityElement><epcClass>urn:t:lot:X</epcClass><quantity>100</quantity><uom>TNE</uom></quantityElement></quantityList>
<ilmd><cm:commodity>ree_concentrate</cm:commodity><cm:originCountry>PAK</cm:originCountry><cm:originMine>urn:t:site:mine</cm:originMine></ilmd></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`)
	refused := func(t *testing.T, err error, pointer string) {
		t.Helper()
		var e *critmin.Error
		if !errors.As(err, &e) || e.Code != critmin.EINVALID {
			t.Fatalf("got %v, want EINVALID", err)
		}
		for _, f := range e.Fields {
			if strings.HasSuffix(f.Pointer, pointer) && strings.Contains(f.Reason, "PAK") && strings.Contains(f.Reason, "CHN") && strings.Contains(f.Reason, "urn:t:site:mine") {
				return
			}
		}
		t.Errorf("fields %+v, want one at …%s naming PAK, CHN and the mine", e.Fields, pointer)
	}
	open := func(t *testing.T) (*ledger.Service, interface {
		FindLotsByID(context.Context, []string) ([]*critmin.Lot, error)
	}) {
		store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		return ledger.NewService(store), store
	}
	nothingStored := func(t *testing.T, st interface {
		FindLotsByID(context.Context, []string) ([]*critmin.Lot, error)
	}, id string) {
		t.Helper()
		if lots, err := st.FindLotsByID(ctx, []string{"urn:t:lot:" + id}); err != nil || len(lots) != 0 {
			t.Errorf("lot %s stored: %v %v", id, lots, err)
		}
	}
	t.Run("document with its mine", func(t *testing.T) {
		svc, st := open(t)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(mineMD, event("A", "PAK"))})
		refused(t, err, "/epcisBody/eventList/0/ilmd/cm:originCountry")
		nothingStored(t, st, "A")
	})
	t.Run("header after the body", func(t *testing.T) {
		svc, st := open(t)
		// Event A is staged with the first batch (ledger.StreamBatch
		// events), before the header is read: the document's end refuses
		// it, under proceed too, as refused master data is.
		events := []string{event("A", "PAK")}
		for i := 0; i < ledger.StreamBatch; i++ {
			events = append(events, event(fmt.Sprintf("F%d", i), "CHN"))
		}
		body := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
		 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}, ` + strings.TrimSuffix(strings.TrimSpace(mineMD), ",") + `}`
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourProceed})
		refused(t, err, "/epcisBody/eventList/0/ilmd/cm:originCountry")
		nothingStored(t, st, "A")
	})
	t.Run("mine stored earlier", func(t *testing.T) {
		svc, st := open(t)
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(mineMD)}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc("", event("B", "CHN"), event("A", "PK"))})
		refused(t, err, "/epcisBody/eventList/1/ilmd/cm:originCountry")
		nothingStored(t, st, "B")
		// Under proceed the agreeing event is stored, the other refused.
		job, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc("", event("B", "CN"), event("A", "PAK")), Behaviour: critmin.BehaviourProceed})
		if err != nil || job.Stored != 1 || len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Detail, "CHN") {
			t.Errorf("proceed: %+v %v, want B stored and A refused", job, err)
		}
		nothingStored(t, st, "A")
	})
	t.Run("single event", func(t *testing.T) {
		svc, st := open(t)
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(mineMD)}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: single(event("A", "PAK")), SingleEvent: true})
		refused(t, err, "/ilmd/cm:originCountry")
		nothingStored(t, st, "A")
	})
	t.Run("XML", func(t *testing.T) {
		svc, st := open(t)
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(mineMD)}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: xml, XML: true})
		refused(t, err, "originCountry")
		nothingStored(t, st, "X")
	})
	t.Run("preview of forms and import", func(t *testing.T) {
		svc, _ := open(t)
		errs, err := svc.Validate(ctx, doc(mineMD, event("A", "PAK")))
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) != 1 || len(errs[0]) != 1 {
			t.Fatalf("errors %+v, want one on event 0", errs)
		}
		refused(t, &critmin.Error{Code: critmin.EINVALID, Fields: errs[0]}, "/epcisBody/eventList/0/ilmd/cm:originCountry")
	})
}
