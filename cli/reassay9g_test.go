package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLowerReassayKeepsClaimCLI (fix9g defect 4): the origin and the
// statement printed by the CLI agree that a claim keeps what it took when
// its lot is reassayed lower, naming the assay. In mbDocCLI, run E1
// (Oct 5) takes 100 t of A (Pakistan, Nd 4 % + Pr 1 %): credit 100 × 5 %
// × 0.9 = 4.5 t; O1, 2 t at Nd 60 % + Pr 20 %, claims 2 × 80 % = 1.6 t.
// AS9G (dated Oct 5, recorded Oct 21) puts O1 at Nd 57 %: 2 × (57 + 20)
// % = 1.54 t now; the claim keeps 1.6 t. E1's products still hold, per
// element (fix9ad), Nd 2 × 57 % + 4 × 62 % = 3.62 ≥ 100 × 4 % × 0.9 =
// 3.6 t and Pr 2 × 20 % + 4 × 15 % = 1.0 ≥ 0.9 t, so the credit stays
// 4.5 t; October closes 4.5 − 1.6 = 2.9 t (not 4.5 − 1.54 = 2.96).
func TestLowerReassayKeepsClaimCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	docFile, decl, master, assay := filepath.Join(dir, "d.jsonld"), filepath.Join(dir, "decl.json"), filepath.Join(dir, "master.jsonld"), filepath.Join(dir, "as.jsonld")
	head, _, _ := strings.Cut(mbDocCLI, `"eventList": [`)
	for f, body := range map[string]string{docFile: mbDocCLI, master: head + `"eventList": []}}`,
		decl: `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`,
		assay: head + `"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9G", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		 "quantityList": [{"epcClass": "urn:t:lot:O1"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 57, "uom": "P1", "cm:basis": "dry"}]}]}]}}`} {
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const site = "urn:t:site:mb"
	if out, _, err := run(t, env, "capture", master); err != nil {
		t.Fatalf("capture master data: %v %s", err, out)
	}
	if _, _, err := runAt(t, env, declaredOct20, "massbalance", "declare", "--site", site, "--file", decl); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }, "capture", assay); err != nil {
		t.Fatalf("capture the reassay: %v %s", err, out)
	}
	const note = "claimed lot reassayed by urn:t:ev:AS9G: it holds 1.54 t Nd+Pr by its assays now; the claim rests on the 1.6 t Nd+Pr it held when claimed"
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:O1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(origin, note) || !strings.Contains(origin, ": accepted") {
		t.Errorf("lot origin lacks %q:\n%s", note, origin)
	}
	st, _, err := run(t, env, "massbalance", "statement", "--site", site, "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"       4.5 ", "       1.6 ", "       2.9", note} {
		if !strings.Contains(st, want) {
			t.Errorf("statement lacks %q:\n%s", want, st)
		}
	}
}
