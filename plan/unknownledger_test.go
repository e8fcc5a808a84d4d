package plan

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerLotOfUnknownOriginIsBarredFromDFARSSinks (issue 9 §2,
// new-user check nu31 Y-repro): a 40 t REE concentrate lot commissioned
// at the demo refinery with no country and no mine reaches the planner
// as origin UNK. Before the fix its stream was class "unrestricted" and
// the plan sold NdPr oxide made from it to the DFARS magnet maker
// (sales origins PAK 1.87 t, UNK 0.85 t), although `critmin lot rules`
// fails dfars-covered-countries for it. Now it is class UNK, which the
// magnet maker (magnet-ndpr) and the NdPr reserve (ndpr-reserve), both
// excluding CHN, HKG, MAC, RUS, PRK, IRN, bar; an open buyer (spot)
// still may take it.
func TestLedgerLotOfUnknownOriginIsBarredFromDFARSSinks(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:u1", "eventTime": "2026-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:NOCTRY", "quantity": 40, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:refinery-mo"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "TREO", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	n := Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	m, err := build(n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st *Stream
	for i := range m.streams {
		if m.streams[i].Lot == "urn:t:lot:NOCTRY" {
			st = &m.streams[i]
		}
	}
	if st == nil {
		t.Fatalf("lot NOCTRY is no stream (supplies %+v, warnings %v)", n.Supplies, m.warnings)
	}
	if st.Origin != UnknownOrigin || st.Class != UnknownOrigin {
		t.Fatalf("stream %s origin %q class %q; want UNK in class UNK", st.ID, st.Origin, st.Class)
	}
	for _, c := range n.Contracts {
		if c.ID == "magnet-ndpr" && !excludesClass(c.ExcludedOrigins, m.classes, st.Class) {
			t.Errorf("contract magnet-ndpr (excludes %v) admits class %s", c.ExcludedOrigins, st.Class)
		}
	}
	for _, sp := range n.Stockpiles {
		if sp.ID == "ndpr-reserve" && !excludesClass(sp.ExcludedOrigins, m.classes, st.Class) {
			t.Errorf("stockpile ndpr-reserve (excludes %v) admits class %s", sp.ExcludedOrigins, st.Class)
		}
	}
	// The demo's covered class keeps its name: UNK is a class of its own.
	if got := m.classes.label("CHN"); got != "CHN+HKG+IRN+MAC+PRK+RUS" {
		t.Errorf("China's class is %q, want CHN+HKG+IRN+MAC+PRK+RUS", got)
	}
}
