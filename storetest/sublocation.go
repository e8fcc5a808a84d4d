package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// GLN 0614141.00001 (GLN-13 0614141000012): the base location, extension
// 0, and sub-locations of it (GS1 General Specifications §3.4.2, the GLN
// extension component; Digital Link AI 254).
const (
	slBase = "urn:epc:id:sgln:0614141.00001.0"
	slL1   = "urn:epc:id:sgln:0614141.00001.L1"
	slL9   = "urn:epc:id:sgln:0614141.00001.L9"
	slL1DL = "https://id.gs1.org/414/0614141000012/254/L1"
)

// slSite is a location element with kind, optional countryCode and
// optional children.
func slSite(id, kind, code string, children ...string) string {
	s := `{"id": "` + id + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "` + kind + `"}`
	if code != "" {
		s += `, {"id": "` + scCode + `", "attribute": "` + code + `"}`
	}
	s += `]`
	if len(children) > 0 {
		s += `, "children": ["` + strings.Join(children, `", "`) + `"]`
	}
	return s + `}`
}

// slRun is run id at bizLocation biz (read point rp if not ""): lot SC<in>
// (10 t) made into lot SC<out>.
func slRun(id, biz, rp, in, out string) string {
	read := ""
	if rp != "" {
		read = `"readPoint": {"id": "` + rp + `"}, `
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:sl:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:SC` + in + `", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:SC` + out + `", "quantity": 10, "uom": "TNE"}], ` + read + `"bizLocation": {"id": "` + biz + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// slCommission is lot SC<id> (10 t, Nd 4 %) commissioned at site, stating
// origin state ("" or scStatePAK).
func slCommission(id, site, state string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:sc:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:SC` + id + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"},
	 "ilmd": {"cm:commodity": "ree_concentrate", ` + state + ` "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// slDoc is a document of master data sites and events.
func slDoc(sites string, events ...string) string {
	md := ""
	if sites != "" {
		md = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + sites + `]}]}},`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", ` +
		md + ` "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

func slEvents(t *testing.T, s critmin.Store) int {
	t.Helper()
	p, err := s.FindEvents(context.Background(), critmin.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(p.Events)
}

// testSubLocationCountry: a location's country is read with its parents
// (new-user check: a covered-country site bypassed with GS1
// sub-locations). An SGLN with a non-zero extension (GS1 General
// Specifications §3.4.2, Digital Link AI 254) identifies a sub-location
// inside the physical location its GLN identifies; a master-data child
// (EPCIS 2.0 §8 children) is inside its parent. Every lot is 10 t dry at
// Nd 4 % (0.4 t of Nd); lot A states origin PAK and is commissioned at
// mine pk (PK), so its mining stage passes and only where it was
// processed decides dfars-covered-countries.
//
// Capture (nothing stored on a refusal; the event in each refused
// document is not stored either):
//   - base .0 CN and .L1 US in one document: 409 naming both, countryCode,
//     CHN and USA;
//   - base .0 CN stored, then .L1 US (Digital Link spelling /254/L1): 409;
//   - parent cnp CN stored with child line in its children, then line US:
//     409; and a parent given children of another stored country: 409;
//   - allowed: .L1 CN (the same country), .L1 with no country.
//
// Reading (checked store):
//   - run R9 at bizLocation us (US) read at .L9 (no master data; inside
//     the Chinese GLN): processed in China, fail naming .L9;
//   - run RL at bizLocation .L9 only: fail naming China (not "unknown");
//   - lot N stating PAK commissioned at .L9: fail, commissioned at .L9
//     in China (a refinery: it gives no origin of its own);
//   - run RB at bizLocation us, read point cn (both with master data, US
//     and China): fail.
//
// Stored before the check (MustStoreUnchecked): base .0 CN and .L1 US;
// parent cnp2 CN with child line2 US. Run R1 at .L1 and run R2 at line2:
// both fail naming China; lot M commissioned at .L1 stating nothing:
// origin unknown 100 % with origin_conflict naming .L1, CHN and USA.
func testSubLocationCountry(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, slDoc(slSite("urn:t:site:pk", "mine", "PK")+","+slSite("urn:t:site:us", "refinery", "US")+","+slSite("urn:t:site:cn", "refinery", "CN"),
		slCommission("A", "urn:t:site:pk", scStatePAK), slCommission("A2", "urn:t:site:pk", scStatePAK), slCommission("A3", "urn:t:site:pk", scStatePAK)))
	before := slEvents(t, s)
	for _, c := range []struct {
		name, doc string
		wants     []string
	}{
		{"base and sub-location in one document", slDoc(slSite(slBase, "refinery", "CN")+","+slSite(slL1, "refinery", "US"), slCommission("X1", slL1, "")),
			[]string{slBase, slL1, "countryCode", "CHN", "USA"}},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.doc)})
		slRefused(t, c.name, err, c.wants)
	}
	if n := slEvents(t, s); n != before {
		t.Fatalf("events %d after the refusal, want %d", n, before)
	}
	MustCapture(t, svc, slDoc(slSite(slBase, "refinery", "CN")+","+slSite("urn:t:site:cnp", "refinery", "CN", "urn:t:site:line")+","+slSite("urn:t:site:usp", "refinery", "US", "urn:t:site:usline")+","+slSite("urn:t:site:usline", "refinery", "")))
	before = slEvents(t, s)
	for _, c := range []struct {
		name, doc string
		wants     []string
	}{
		{"sub-location of a stored base (Digital Link)", slDoc(slSite(slL1DL, "refinery", "US"), slCommission("X2", slL1DL, "")),
			[]string{slBase, slL1DL, "countryCode", "CHN", "USA"}},
		{"child of a stored parent", slDoc(slSite("urn:t:site:line", "refinery", "US"), slCommission("X3", "urn:t:site:line", "")),
			[]string{"urn:t:site:cnp", "urn:t:site:line", "countryCode", "CHN", "USA"}},
		{"parent given a stored child of another country", slDoc(slSite("urn:t:site:cnq", "refinery", "CN", "urn:t:site:us"), slCommission("X4", "urn:t:site:cnq", "")),
			[]string{"urn:t:site:cnq", "urn:t:site:us", "countryCode", "CHN", "USA"}},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.doc)})
		slRefused(t, c.name, err, c.wants)
	}
	if n := slEvents(t, s); n != before {
		t.Fatalf("events %d after the refusals, want %d", n, before)
	}
	if h, err := s.MasterDataHistory(ctx, "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:t:site:line"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("line: %d versions (%v), want none stored (not found)", len(h), err)
	}
	// Allowed: the same country, or none.
	MustCapture(t, svc, slDoc(slSite(slL1, "refinery", "CN")+","+slSite("urn:t:site:line", "refinery", "")))

	// R9: bizLocation us (US), read point .L9 (inside the Chinese GLN,
	// no master data of its own): processed in China.
	MustCapture(t, svc, slDoc("", slRun("R9", "urn:t:site:us", slL9, "A", "O9")))
	if v := sfDFARS(t, s, "urn:t:lot:SCO9"); v.Status != custody.Fail || !strings.Contains(v.Detail, slL9) || !strings.Contains(v.Detail, "China") {
		t.Errorf("O9: DFARS %s (%s), want fail: processed at %s in China", v.Status, v.Detail, slL9)
	}
	// RL: at .L9 only.
	MustCapture(t, svc, slDoc("", slRun("RL", slL9, "", "A2", "OL")))
	if v := sfDFARS(t, s, "urn:t:lot:SCOL"); v.Status != custody.Fail || !strings.Contains(v.Detail, "China") {
		t.Errorf("OL: DFARS %s (%s), want fail naming China", v.Status, v.Detail)
	}
	// RB: bizLocation us (US), read point cn (China).
	MustCapture(t, svc, slDoc("", slRun("RB", "urn:t:site:us", "urn:t:site:cn", "A3", "OB")))
	if v := sfDFARS(t, s, "urn:t:lot:SCOB"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cn") {
		t.Errorf("OB: DFARS %s (%s), want fail naming cn", v.Status, v.Detail)
	}
	// N stating PAK, commissioned at .L9 (inside the Chinese refinery):
	// its origin is not shown to lie outside China.
	MustCapture(t, svc, slDoc("", slCommission("N", slL9, scStatePAK)))
	if v := sfDFARS(t, s, "urn:t:lot:SCN"); v.Status != custody.Fail || !strings.Contains(v.Detail, slL9) || !strings.Contains(v.Detail, "China") {
		t.Errorf("N: DFARS %s (%s), want fail: commissioned at %s in China", v.Status, v.Detail, slL9)
	}

	// Stored before the check.
	s2 := open(t)
	svc2 := service(s2)
	MustCapture(t, svc2, slDoc(slSite("urn:t:site:pk", "mine", "PK"), slCommission("A", "urn:t:site:pk", scStatePAK), slCommission("B", "urn:t:site:pk", scStatePAK)))
	MustStoreUnchecked(t, s2, slDoc(slSite(slBase, "refinery", "CN")+","+slSite(slL1, "refinery", "US")+","+slSite("urn:t:site:cnp2", "refinery", "CN", "urn:t:site:line2")+","+slSite("urn:t:site:line2", "refinery", "US")))
	MustCapture(t, svc2, slDoc("", slRun("R1", slL1, "", "A", "O1"), slRun("R2", "urn:t:site:line2", "", "B", "O2"), slCommission("M", slL1, "")))
	if v := sfDFARS(t, s2, "urn:t:lot:SCO1"); v.Status != custody.Fail || !strings.Contains(v.Detail, slL1) || !strings.Contains(v.Detail, "China") {
		t.Errorf("O1: DFARS %s (%s), want fail: processed at %s in China", v.Status, v.Detail, slL1)
	}
	if v := sfDFARS(t, s2, "urn:t:lot:SCO2"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:line2") || !strings.Contains(v.Detail, "China") {
		t.Errorf("O2: DFARS %s (%s), want fail: processed at line2 in China", v.Status, v.Detail)
	}
	o, err := custody.OriginOf(ctx, s2, "urn:t:lot:SCM", false)
	if err != nil {
		t.Fatal(err)
	}
	// 10 t of 10 t unknown: 100 %.
	if got := o.Country(); got != custody.Unknown {
		t.Errorf("M: origin country %q, want unknown", got)
	}
	ok := false
	for _, a := range o.Anomalies {
		ok = ok || a.Kind == "origin_conflict" && strings.Contains(a.Detail, slL1) && strings.Contains(a.Detail, "CHN") && strings.Contains(a.Detail, "USA")
	}
	if !ok {
		t.Errorf("M: anomalies %+v, want origin_conflict naming %s, CHN and USA", o.Anomalies, slL1)
	}
	if v := sfDFARS(t, s2, "urn:t:lot:SCM"); v.Status != custody.Fail {
		t.Errorf("M: DFARS %s (%s), want fail", v.Status, v.Detail)
	}
}

func slRefused(t *testing.T, name string, err error, wants []string) {
	t.Helper()
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("%s: capture %v, want ECONFLICT (409)", name, err)
		return
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not name %q", name, err.Error(), w)
		}
	}
}
