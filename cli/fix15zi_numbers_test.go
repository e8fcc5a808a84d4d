package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/epcis/epcistest"
)

// TestLotShowNumbersPeopleRead (issue 15, fix15zi): `critmin lot show`
// printed "Quantity 28660.067865546327 LBR", "Quantity 1e-07 KGM", and
// "Owner  in transit:  5.000 wmt" with no name for a holding no event
// gave an owner. A quantity is shown to the gram in its unit, grouped
// (a pound is 453.59237 g: three decimals, 28,660.068), never in
// exponent form (1e-07 is 0.0000001), and a party not stated is said.
//
// Lot P: 28,660.067865546327 lb with no owner at MINE; 5,000 kg of it
// ship to Q (a part in transit, no owner named either). Lot S: 1e-07 kg.
func TestLotShowNumbersPeopleRead(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	f := filepath.Join(dir, "p.jsonld")
	const lotP, lotS, mine, q = "urn:t15zi:lot:P", "urn:t15zi:lot:S", "urn:t15zi:site:MINE", "urn:t15zi:site:Q"
	commission := func(id, lot, qty, uom string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t15zi:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "` + uom + `"}], "bizLocation": {"id": "` + mine + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`
	}
	doc := epcistest.Document([]string{epcistest.Named(mine, "Mine M"), epcistest.Named(q, "Port Q")}, nil,
		commission("cp", lotP, "28660.067865546327", "LBR"),
		commission("cs", lotS, "1e-07", "KGM"),
		epcistest.Object("urn:t15zi:ev:sp", "2025-10-02T00:00:00Z", "shipping",
			`"quantityList": [{"epcClass": "`+lotP+`", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "`+q+`"}], `+epcistest.BOL("urn:t15zi:bol:A")))
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(cli.Describe(err))
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, lotP)
	if err != nil {
		t.Fatal(cli.Describe(err))
	}
	flat := strings.Join(strings.Fields(out), " ")
	if want := "Quantity 28,660.068 LBR"; !strings.Contains(flat, want) {
		t.Errorf("lot show lacks %q:\n%s", want, out)
	}
	// Every Owner or Custodian line names a party, or says none is
	// stated: never a blank before a mass or at the end of the line.
	blank := regexp.MustCompile(`(?m)^(Owner|Custodian)\s+(\S[^\n]*:\s{2,}\d|\s*$)`)
	if m := blank.FindString(out); m != "" {
		t.Errorf("a party line names nobody: %q\n%s", m, out)
	}
	if !strings.Contains(flat, "owner not stated") {
		t.Errorf("lot show does not say the owner is not stated:\n%s", out)
	}
	out, _, err = run(t, nil, "lot", "show", "--db", db, lotS)
	if err != nil {
		t.Fatal(cli.Describe(err))
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Quantity 0.0000001 KGM") || strings.Contains(out, "e-0") {
		t.Errorf("lot show of 1e-07 kg: want Quantity 0.0000001 KGM, no exponent:\n%s", out)
	}
}

// TestCaptureCountsWhatIsNotPrinted (issue 15, fix15zi): a capture of
// 10,000 bad events said "… and 900 more errors" and "the first 1,000
// problems are listed" though the CLI printed 100. With 1,100 bad events
// (one error each) the capture keeps the first 1,000 (ledger.
// MaxReportedErrors) and counts 100 more; the CLI prints 100, so
// 1,100 − 100 = 1,000 are not printed — of which 1,000 − 100 = 900 kept
// (--all-errors prints them) and 100 counted only. The summary says
// "1,100 problems in all", not "listed".
func TestCaptureCountsWhatIsNotPrinted(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	bad := make([]int, 1100)
	for i := range bad {
		bad[i] = i
	}
	badDocument(t, file, 1100, bad...)
	_, errOut, err := run(t, nil, "capture", "--db", filepath.Join(dir, "a.db"), file)
	if err == nil {
		t.Fatal("no error")
	}
	if want := "… and 1,000 more errors not printed (--all-errors prints 900 of them; the capture counted 100 more but did not keep them)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut[max(0, len(errOut)-600):])
	}
	d := cli.Describe(err)
	if strings.Contains(d, "problems are listed") || !strings.Contains(d, "1,100 problems in all") {
		t.Errorf("summary %q: want \"1,100 problems in all\", not a count of what is listed", d)
	}
}
