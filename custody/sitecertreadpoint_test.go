package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSiteCertificationReadsReadPoint (new-user check nuq2 s17, a WRONG
// PASS): the site_certified rule checks "every event at such a site"
// (docs/rule-packs.md). A shipping observed at the mine names the mine as
// its readPoint (EPCIS 2.0 §7.3.5: where the event was observed) and, in
// transit, no bizLocation (CBV 2.0 §7.2: in_transit has none). The mine
// M's certification covers 2026-11-01 to 2026-11-02 inclusive; lot A is
// commissioned there on 11-01 (covered) and shipped from there on 11-03
// (not covered). Before, the rule read bizLocation only, counted 1 event
// and passed; it must fail naming the 11-03 shipment and count 2 events
// in its evidence. A receipt at an uncertified-kind site (a port, not a
// mine or refinery) is not checked.
func TestSiteCertificationReadsReadPoint(t *testing.T) {
	db := demoStore(t)
	ctx := context.Background()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-12-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:t:sc:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"},
   {"id": "https://ns.critmin.org/mineral/v1/certification", "attribute": "ITSCI"},
   {"id": "https://ns.critmin.org/mineral/v1/certificationValidFrom", "attribute": "2026-11-01"}, {"id": "https://ns.critmin.org/mineral/v1/certificationValidUntil", "attribute": "2026-11-02"}]},
  {"id": "urn:t:sc:port", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "port"}]}]}]}},
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:sc:ev:c", "eventTime": "2026-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:sc:lot:A", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:sc:mine"}, "readPoint": {"id": "urn:t:sc:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:sc:ev:sh", "eventTime": "2026-11-03T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
   "quantityList": [{"epcClass": "urn:t:sc:lot:A", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:sc:mine"},
   "sourceList": [{"type": "location", "source": "urn:t:sc:mine"}], "destinationList": [{"type": "location", "destination": "urn:t:sc:port"}]},
  {"type": "ObjectEvent", "eventID": "urn:t:sc:ev:rc", "eventTime": "2026-11-05T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
   "quantityList": [{"epcClass": "urn:t:sc:lot:A", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:sc:port"}, "bizLocation": {"id": "urn:t:sc:port"}}]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(ctx, db, "urn:t:sc:lot:A", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	var v custody.Verdict
	for _, x := range vs {
		if x.Rule == "site-certification" {
			v = x
		}
	}
	if v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:sc:ev:sh") || strings.Contains(v.Detail, "urn:t:sc:ev:c ") {
		t.Errorf("site-certification = %s %q; want fail naming the 11-03 shipment only", v.Status, v.Detail)
	}
	if got := strings.Join(v.Evidence, ","); got != "urn:t:sc:ev:c,urn:t:sc:ev:sh" {
		t.Errorf("evidence %s; want the commissioning and the shipment (the port is not a checked kind)", got)
	}
}
