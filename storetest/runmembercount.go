package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// testRunMembersRefuseDeletedMember: the run's members as custody's
// capture-time claim check reads them (RunMembers) are refused (409
// naming table transformation_members and the run) when a member row
// was deleted by hand, rather than served without it; the run's sealed
// member count (transformation_runs, migration 0077) betrays it. Run R
// takes 30 t of lot L and makes lot O: two members.
func testRunMembersRefuseDeletedMember(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	rs, ok := s.(interface {
		RunMembers(ctx context.Context, xids []string) (map[string][]critmin.QuantityElement, error)
	})
	if !ok {
		t.Fatalf("store %T has no RunMembers", s)
	}
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [`
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}]}}`)
	MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`)
	if m, err := rs.RunMembers(ctx, []string{"urn:t:run:R"}); err != nil || len(m["urn:t:run:R"]) != 2 {
		t.Fatalf("members of R: %v, %v; want L in and O out", m, err)
	}
	tamper(t, s, `CREATE TABLE saved_members AS SELECT * FROM transformation_members WHERE epc_class = 'urn:t:lot:L'`,
		`DELETE FROM transformation_members WHERE epc_class = 'urn:t:lot:L'`)
	_, err := rs.RunMembers(ctx, []string{"urn:t:run:R"})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "table transformation_members") || !strings.Contains(err.Error(), `transformation_id="urn:t:run:R"`) {
		t.Errorf("members of R after L's was deleted: %v; want a conflict naming table transformation_members and the run", err)
	}
	tamper(t, s, `INSERT INTO transformation_members SELECT * FROM saved_members`, `DROP TABLE saved_members`)
	if m, err := rs.RunMembers(ctx, []string{"urn:t:run:R"}); err != nil || len(m["urn:t:run:R"]) != 2 {
		t.Errorf("members of R put back: %v, %v; want L in and O out", m, err)
	}
}
