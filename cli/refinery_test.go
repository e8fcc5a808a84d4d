package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/custody"
)

// critmin refinery reconcile FILE --format json prints, per stream, id,
// reconciled mass_t and grade_pct with standard deviations; per element
// the recovery to each outgoing stream; chi_square, dof and gross errors.
func TestRefineryReconcileJSON(t *testing.T) {
	out, _, err := run(t, nil, "refinery", "reconcile", "../refinery/testdata/flotation.json", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Streams []struct {
			ID    string
			Mass  struct{ Value, SD float64 }            `json:"mass_t"`
			Grade map[string]struct{ Value, SD float64 } `json:"grade_pct"`
		}
		Accounts []struct {
			Element  string
			Recovery map[string]float64
		} `json:"element_accounts"`
		ChiSquare   *float64 `json:"chi_square"`
		DOF         *int     `json:"dof"`
		GrossErrors []any    `json:"gross_errors"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Streams) != 3 || r.Streams[1].ID != "conc" || r.Streams[1].Mass.SD <= 0 || r.Streams[1].Grade["Cu"].SD <= 0 {
		t.Errorf("streams: %+v", r.Streams)
	}
	if r.ChiSquare == nil || r.DOF == nil || *r.DOF != 2 || r.GrossErrors == nil {
		t.Errorf("statistics missing: %s", out)
	}
	// Recovery to conc + to tail = 1 (no inventory at the node).
	rec := r.Accounts[0].Recovery
	if s := rec["conc"] + rec["tail"]; r.Accounts[0].Element != "Cu" || s < 1-1e-9 || s > 1+1e-9 {
		t.Errorf("recoveries %+v", r.Accounts)
	}
}

func TestRefineryBadInputAndUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"elements": [], "nodes": [{"id": "n"}], "streams": [{"id": "feed", "to": "mill", "mass_t": {"value": 1, "sd": 0.1}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, nil, "refinery", "reconcile", bad)
	if err == nil || !strings.Contains(cli.Describe(err), `stream "feed" is dangling: node "mill" does not exist`) {
		t.Errorf("dangling stream: %v", err)
	}
	for _, args := range [][]string{{"refinery"}, {"refinery", "frobnicate"}, {"refinery", "reconcile"}, {"refinery", "reconcile", "--format", "xml", "demo"}, {"refinery", "report", "--format", "xlsx", "demo"}, {"refinery", "reopen", "--site", "s"}} {
		if _, _, err := run(t, nil, args...); !cli.UsageError(err) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	for _, args := range [][]string{{"refinery", "--help"}, {"refinery", "reconcile", "--help"}, {"refinery", "report", "--help"}, {"refinery", "close", "--help"}, {"refinery", "reopen", "--help"}} {
		if out, _, err := run(t, nil, args...); err != nil || !strings.Contains(out, "Usage: critmin refinery") {
			t.Errorf("%v: %v %q", args, err, out)
		}
	}
}

// Close the demo month into a fresh database, refuse a second close,
// reopen with a reason, and report the closed period as CSV and XLSX.
func TestRefineryCloseReopenReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	key := db + ".signing.key"
	if _, err := custody.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	out, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo")
	if err != nil || !strings.Contains(out, "closed urn:critmin:demo:site:pk-refinery 2025-10 by metallurgist") {
		t.Fatalf("close: %v %s", err, out)
	}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("second close: %v", err)
	}
	// The demo's period, once closed, reports as closed wherever it is shown.
	out, _, err = run(t, env, "refinery", "report", "demo")
	if err != nil || !strings.Contains(out, "Closed by metallurgist (operator)") || strings.Contains(out, "Period open") {
		t.Errorf("report demo after the close: %v\n%.400s", err, out)
	}
	// nu12b-2 item 6: the file given is not used, and the report says so.
	if !strings.Contains(out, "the file given (the same problem as the signed one) is not used") {
		t.Errorf("report demo after the close does not say the file is not used:\n%.600s", out)
	}
	csvOut, _, err := run(t, env, "refinery", "report", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--format", "csv")
	if err != nil || !strings.Contains(csvOut, "Summary,closed_by,metallurgist (operator)") || !strings.Contains(csvOut, "Deportment,Th,stock:residue_storage,") {
		t.Errorf("csv report: %v\n%.600s", err, csvOut)
	}
	xlsx := filepath.Join(dir, "report.xlsx")
	if _, _, err := run(t, env, "refinery", "report", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--format", "xlsx", "--out", xlsx); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(xlsx); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("xlsx: %v", err)
	}
	// The closed recoveries become the planner's line yields.
	planOut := filepath.Join(dir, "plan.json")
	out, _, err = run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--plan", "demo", "--plan-site", "refinery-mo", "--out", planOut)
	var changes []struct {
		Line     string
		Was      float64
		Measured struct {
			Element, Product string
			Recovery         float64
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &changes) != nil || len(changes) != 3 {
		t.Fatalf("yields: %v %s", err, out)
	}
	for _, c := range changes {
		if c.Measured.Recovery <= 0.8 || c.Measured.Recovery >= 1 {
			t.Errorf("measured yield %+v", c)
		}
	}
	if b, err := os.ReadFile(planOut); err != nil || !strings.Contains(string(b), `"ndpr_oxide"`) {
		t.Errorf("plan file with yields: %v", err)
	}
	// critmin plan --db takes them by itself for a line whose site's
	// ledger location has a closed period (the demo network's Missouri
	// plant, relocated here to the demo refinery's site), and says so.
	demoNet, err := os.ReadFile("../plan/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	relocated := filepath.Join(dir, "relocated.json")
	os.WriteFile(relocated, []byte(strings.Replace(string(demoNet), `"location": "urn:critmin:demo:site:refinery-mo"`, `"location": "urn:critmin:demo:site:pk-refinery"`, 1)), 0o644)
	text, _, err := run(t, env, "plan", relocated, "--db", db)
	if err != nil || strings.Count(text, "measured yield: line ") != len(changes) || !strings.Contains(text, "period 2025-10 close record") {
		t.Errorf("plan --db with a closed period: %v\n%.800s", err, text)
	}
	js, _, err := run(t, env, "plan", relocated, "--db", db, "--json")
	var plans []struct {
		MeasuredYields []struct {
			Line     string
			Measured struct{ Period string }
		} `json:"measured_yields"`
	}
	if err != nil || json.Unmarshal([]byte(js), &plans) != nil || len(plans) != 1 || len(plans[0].MeasuredYields) != len(changes) || plans[0].MeasuredYields[0].Measured.Period != "2025-10" {
		t.Errorf("plan --db --json: %v %.300s", err, js)
	}
	out, _, err = run(t, env, "refinery", "reopen", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--reason", "late assay", "--admin", "controller")
	if err != nil || !strings.Contains(out, "reopened") {
		t.Errorf("reopen: %v %s", err, out)
	}
}

// With --site and --period the file is a flowsheet whose check-in and
// check-out come from the ledger: the demo corridor's October run.
func TestRefineryReconcileFromLedger(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, _, err := run(t, nil, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", "--db", db, "--site", "urn:critmin:demo:site:refinery-mo", "--period", "2025-10", "--format", "json", "../refinery/demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Streams []struct {
			ID   string
			Mass struct {
				Value  float64
				Source []string
			} `json:"mass_t"`
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Streams) != 7 || r.Streams[1].ID != "ndpr_oxide" || r.Streams[1].Mass.Value != 2.53 || len(r.Streams[1].Mass.Source) == 0 {
		t.Errorf("reconcile from ledger: %v %.500s", err, out)
	}
	if _, _, err := run(t, nil, "refinery", "reconcile", "--db", db, "--site", "urn:critmin:demo:site:refinery-mo", "--period", "2025-08", "../refinery/demo/refinery-mo.json"); err == nil || !strings.Contains(cli.Describe(err), "no measurements") {
		t.Errorf("a month without measurements: %v", err)
	}
}

// The demo refinery fed by the demo corridor's lots, from the CLI: the
// embedded flowsheet "corridor" filled from the ledger is reported open,
// closed, then reported as signed off.
func TestRefineryCorridorFromLedger(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, _, err := run(t, nil, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	out, _, err := run(t, nil, "refinery", "report", "--db", db, "--site", site, "--period", "2025-10", "--format", "csv", "corridor")
	if err != nil || !strings.Contains(out, "ndpr_oxide") || !strings.Contains(out, "urn:critmin:demo:event:02") {
		t.Fatalf("open report from the ledger: %v %.300s", err, out)
	}
	key := filepath.Join(t.TempDir(), "k")
	if _, err := custody.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	// A key that is not the installation's (signing.key beside the
	// database, created by the first command that writes a period
	// record) is refused by the store, and nothing is recorded.
	if _, _, err = run(t, nil, "refinery", "close", "--db", db, "--key", key, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "x", "corridor"); err == nil || !strings.Contains(err.Error(), "not this installation's signing key") {
		t.Fatalf("close signed by a foreign key: %v", err)
	}
	if _, err := os.Stat(db + ".signing.key"); err != nil {
		t.Fatalf("the installation key was not created: %v", err)
	}
	// The corridor month is just determined (dof 0): nothing checks it,
	// so a close needs a reason.
	if _, _, err = run(t, nil, "refinery", "close", "--db", db, "--site", site, "--period", "2025-10", "--operator", "ops", "corridor"); err == nil || !strings.Contains(err.Error(), "no degree of freedom") {
		t.Fatalf("close of a dof-0 month without a reason: %v", err)
	}
	out, _, err = run(t, nil, "refinery", "close", "--db", db, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor")
	if err != nil || !strings.Contains(out, "closed "+site+" 2025-10 by ops") {
		t.Fatalf("close from the ledger: %v %s", err, out)
	}
	out, _, err = run(t, nil, "refinery", "report", "--db", db, "--site", site, "--period", "2025-10", "--format", "json")
	if err != nil || !strings.Contains(out, `"ops"`) || strings.Contains(out, `"stale"`) {
		t.Errorf("closed report: %v %.300s", err, out)
	}
	// A run back-dated into the closed October is captured (its feed
	// commissioned in September, before the closed month: no event may
	// act on a lot no event recorded); the report
	// of the close (as signed) says it is stale and names the run.
	late := filepath.Join(t.TempDir(), "late.jsonld")
	os.WriteFile(late, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:late-in", "eventTime": "2025-09-30T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:late-in", "quantity": 5, "uom": "TNE"}], "bizLocation": {"id": "`+site+`"}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:late-run", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:late-in", "quantity": 5, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:late-out", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}}]}}`), 0o644)
	if _, _, err := run(t, nil, "capture", "--db", db, late); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "refinery", "report", "--db", db, "--site", site, "--period", "2025-10")
	if err != nil || !strings.Contains(out, "STALE: 1 events dated in 2025-10") || !strings.Contains(out, "urn:t:ev:late-run") {
		t.Errorf("stale report: %v %.2000s", err, out)
	}
}

func TestRefineryFlowsheetCorridor(t *testing.T) {
	out, _, err := run(t, nil, "refinery", "flowsheet", "corridor")
	if err != nil || !strings.Contains(out, `"site": "urn:critmin:demo:site:refinery-mo"`) {
		t.Errorf("flowsheet corridor: %v %.200s", err, out)
	}
	if _, _, err := run(t, nil, "refinery", "flowsheet", "other"); err == nil {
		t.Error("flowsheet other: no error")
	}
}

// TestRefineryConfidenceFlag: --confidence 0 is refused, not read as
// 0.95, as is 0.999999999 (above the 0.9999 the files allow); 0.9999
// prints as 99.99 %, not 100 %.
func TestRefineryConfidenceFlag(t *testing.T) {
	if _, _, err := run(t, nil, "refinery", "reconcile", "--confidence", "0", "demo"); err == nil || !strings.Contains(err.Error(), "--confidence: 0 is not in [0.5, 0.9999]") {
		t.Errorf("--confidence 0: %v", err)
	}
	if _, _, err := run(t, nil, "refinery", "reconcile", "--confidence", "0.999999999", "demo"); err == nil || !strings.Contains(err.Error(), "--confidence: 0.999999999 is not in [0.5, 0.9999]") {
		t.Errorf("--confidence 0: %v", err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", "--confidence", "0.9999", "demo")
	if err != nil || !strings.Contains(out, "at 99.99 %") {
		t.Errorf("--confidence 0.9999: %v\n%.300s", err, out)
	}
}

// TestRefineryUnaccountedNotDeterminable: the roaster with an unmeasured
// residue and an unassayed flux prints its raw unaccounted loss as not
// determinable, naming what was not measured, never 0.0000.
func TestRefineryUnaccountedNotDeterminable(t *testing.T) {
	f := filepath.Join(t.TempDir(), "min2.json")
	doc := `{"elements":["Sb"],"nodes":[{"id":"sb_roaster"}],"streams":[
{"id":"sb_feed","to":"sb_roaster","mass_t":{"value":10,"sd":0.1},"grade_pct":{"Sb":{"value":10,"sd":0.2}}},
{"id":"flux","to":"sb_roaster","mass_t":{"value":1,"sd":0.05}},
{"id":"sb_trioxide","from":"sb_roaster","mass_t":{"value":1.1,"sd":0.01},"grade_pct":{"Sb":{"value":83,"sd":0.5}}},
{"id":"sb_residue","from":"sb_roaster"}]}`
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", f)
	if err != nil || !strings.Contains(out, "not determinable") || strings.Contains(out, "NaN") ||
		!strings.Contains(out, "Sb: raw unaccounted loss not determinable: not measured: flux grade_pct Sb, sb_residue mass_t, sb_residue grade_pct Sb") {
		t.Errorf("%v\n%s", err, out)
	}
}

// TestRefineryTextTables: the text of `refinery reconcile` shows the
// stocks (opening and closing tonnes and grades) and fixed grades
// ("fixed"); `refinery report FILE` has the Measurements, Stocks,
// Deportment and Imbalances sections the CSV and XLSX have, and says
// when the file gives no site or period instead of "Site , period".
func TestRefineryTextTables(t *testing.T) {
	f := filepath.Join(t.TempDir(), "inv.json")
	doc := `{"elements": ["Cu", "Au"],
 "nodes": [{"id": "pile", "inventory": {"opening_t": {"value": 50, "sd": 2}, "closing_t": {"value": 30, "sd": 2},
     "opening_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}, "closing_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}}},
   {"id": "flot"}],
 "streams": [
   {"id": "feed", "to": "pile", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}, "Au": {"value": 0.001, "sd": 0.0001}}},
   {"id": "reclaim", "from": "pile", "to": "flot", "mass_t": {"value": 120, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "conc", "from": "flot", "mass_t": {"value": 10, "sd": 0.3}, "grade_pct": {"Cu": {"value": 13.0, "sd": 0.2}, "Au": 0}},
   {"id": "tail", "from": "flot", "mass_t": {"value": 110, "sd": 2}, "grade_pct": {"Cu": {"value": 0.1272727, "sd": 0.01}}}]}`
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stock pile  opening t", "stock pile  closing t", "closing Cu %", "Au %          fixed     0.0000    0.0000      fixed"} {
		if !strings.Contains(out, want) {
			t.Errorf("reconcile text lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, nil, "refinery", "report", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Site (not given), period (not given)", "\nMEASUREMENTS\n", "\nSTOCKS\n", "\nDEPORTMENT\n", "\nIMBALANCES\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("report text lacks %q", want)
		}
	}
}
