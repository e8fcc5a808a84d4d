package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatementSaysCreditCapped (issue 9, fix9j 1): the site of mbDocCLI
// with run E1 consuming 100.5 t of lot A's 100 dmt (within the 0.5 %
// consumption tolerance, 100 × 1.005 = 100.5). Uncapped the credit would
// be 100.5 × (4 % + 1 %) × 0.9 = 4.5225 t Nd+Pr, more than A holds; it is
// capped at 100 × 5 % × 0.9 = 4.5 t, and the statement says so on the
// Pakistan line and on the credit behind it. Closing 4.5 − 1.6 = 2.9 t.
func TestStatementSaysCreditCapped(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	docFile, decl, master := filepath.Join(dir, "d.jsonld"), filepath.Join(dir, "decl.json"), filepath.Join(dir, "master.jsonld")
	head, _, _ := strings.Cut(mbDocCLI, `"eventList": [`)
	over := strings.Replace(mbDocCLI, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100,`, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100.5,`, 1)
	if over == mbDocCLI {
		t.Fatal("the run's input line was not found")
	}
	for f, body := range map[string]string{docFile: over, master: head + `"eventList": []}}`,
		decl: `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`} {
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
	october := func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if out, _, err := runAt(t, env, october, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	// fix9j 4: the claimed origin names countries as the physical
	// origin line does, never by bare code.
	show, _, err := run(t, env, "lot", "show", "urn:t:lot:O1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(show, "mass balance, not physical (accepted): Pakistan 100.0 %") || !strings.Contains(show, "Pakistan 100.0 % (by contained value") || strings.Contains(show, " PAK ") {
		t.Errorf("lot show words the claimed origin unlike the physical one:\n%s", show)
	}
	out, _, err := run(t, env, "massbalance", "statement", "--site", site, "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"       4.5 ", "       2.9", "note: capped at what lot urn:t:lot:A contains: the run consumed 100.5 dmt of a lot of 100 dmt"} {
		if !strings.Contains(out, want) {
			t.Errorf("statement lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "4.5225") {
		t.Errorf("statement credits more than lot A holds:\n%s", out)
	}
}
