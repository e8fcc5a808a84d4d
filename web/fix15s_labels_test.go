package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/web"
)

// TestFormErrorKeysAreLabelledFields (issue 15, fix15s item 3): every
// field name a /record form files an error under — from its pointer
// table, its requiredWith pairs, its fields, and the names record.go
// writes as literals ("time", "site", "outputs") — is a field of the
// form rendered on its page (id="f-NAME") with its label; and every
// extension term its pointers end in that a field takes as typed is
// named in a reason by that label ("state why in cm:massChangeReason"
// reads "“Reason for a moisture change”" on the Sample form). Likewise
// every field an import kind files a row error under (its pointer table,
// its reading, and the literals import.go writes) is a field of the kind
// listed with its label in the column mapping.
func TestFormErrorKeysAreLabelledFields(t *testing.T) {
	ts := MustServe(t, false, nil)
	src, err := os.ReadFile("record.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := map[string]bool{}
	for _, m := range regexp.MustCompile(`Pointer: "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		if m[1] != "document" { // the document as a whole: listed apart, not under a field
			literal[m[1]] = true
		}
	}
	keys := web.FormErrorKeys()
	owners := map[string]int{}
	for id, names := range keys {
		_, b := do(t, "GET", ts.URL+"/record/"+id, operatorSecret, nil, map[string]string{"Accept": "text/html"})
		page := html.UnescapeString(string(b))
		for _, n := range names {
			label := web.FormLabel(id, n)
			if label == "" || !strings.Contains(page, `id="f-`+n+`"`) || !strings.Contains(page, label) {
				t.Errorf("form %s files errors under %q, which is not a field shown with its label (%q)", id, n, label)
			}
		}
		for n := range literal {
			if web.FormLabel(id, n) != "" {
				owners[n]++
			}
		}
		for _, tf := range web.FormTerms()[id] {
			term, field := tf[0], tf[1]
			got := web.FormReason(id, "refused: state why in "+term+" on the event")
			label := web.FormLabel(id, field)
			if !strings.Contains(got, term) {
				if !strings.Contains(got, "“"+label+"”") {
					t.Errorf("form %s: %s rewritten as %q, not as the label %q", id, term, got, label)
				}
			} else if field == "mass_reason" || field == "country" || field == "mine" || field == "commodity" || field == "vessel" {
				t.Errorf("form %s: %q still names %s, the field labelled %q", id, got, term, label)
			}
		}
	}
	for n := range literal {
		if owners[n] == 0 {
			t.Errorf("record.go files an error under %q, a field of no form", n)
		}
	}
	for _, n := range []string{"time", "site"} {
		if owners[n] != len(keys) {
			t.Errorf("%q, filed by every form, is a field of %d of %d forms", n, owners[n], len(keys))
		}
	}

	src, err = os.ReadFile("import.go")
	if err != nil {
		t.Fatal(err)
	}
	importLiteral := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:column|fail|label)\("([a-z_]+)"|rowProblem\{"([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		importLiteral[m[1]+m[2]] = true
	}
	found := map[string]bool{}
	for kind, names := range web.ImportErrorKeys() {
		_, page := postImport(t, ts, url.Values{"source": {"labels-" + kind}, "kind": {kind}, "csv": {"a,b\n1,2\n"}, "step": {"check"}})
		page = html.UnescapeString(page)
		for _, n := range names {
			label := web.ImportLabel(kind, n)
			if label == "" || !strings.Contains(page, "<td>"+label) {
				t.Errorf("import %s files row errors under %q, not a field listed with its label (%q)", kind, n, label)
			}
		}
		for n := range importLiteral {
			if web.ImportLabel(kind, n) != "" {
				found[n] = true
			}
		}
	}
	for n := range importLiteral {
		if !found[n] {
			t.Errorf("import.go files a row error under %q, a field of no import kind", n)
		}
	}
}

// TestReasonFieldNamedByLabel (fix15s item 3): a refusal that asks for a
// stated reason names the field by its label on the page, not as the
// extension term cm:massChangeReason. Lot REE-2025-900 (commissionForm:
// 20 000 kg at 8 %):
//
//   - the Sample form's moisture of 4 % (4 points from 8) is refused
//     under Moisture naming “Reason for a moisture change”;
//   - a laboratory import row of H2O 4 % likewise, and a weighbridge
//     row of 25 000 kg (+25 %, beyond +0.5 %) names “Reason for a weight
//     change”.
func TestReasonFieldNamedByLabel(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	c := commissionForm()
	c.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(c.Encode()), formHeader); resp.StatusCode >= 400 {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-900"
	v := url.Values{"step": {"preview"}, "lot": {lot}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12 %"},
		"moisture": {"4"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	block := fieldBlock(string(b), "moisture")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(block, "state why in “Reason for a moisture change” on the reading") || strings.Contains(block, "massChangeReason") {
		t.Errorf("Sample form, 4 %% after 8 %%: %d; moisture field shows %q", resp.StatusCode, block)
	}
	lab := "Sample,Lot,Date,Analyte,Value\nS-1," + lot + ",2025-11-21 10:00,H2O,4\n"
	_, page := postImport(t, ts, url.Values{"source": {"s15-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample"}, "col_lot": {"Lot"}, "col_time": {"Date"}, "col_analyte": {"Analyte"}, "col_value": {"Value"},
		"def_site": {"urn:critmin:demo:site:loe-shilman"}, "def_tz": {"+05:00"}, "def_lab": {"urn:critmin:demo:lab:gsp-peshawar"}})
	assertRowNames(t, "lab row H2O 4 %", page, "“Reason for a moisture change”")
	wb := "Ticket,Lot,Date,Net\nT-1," + lot + ",2025-11-21 10:00,25000\n"
	_, page = postImport(t, ts, url.Values{"source": {"s15-wb"}, "kind": {"weighbridge"}, "csv": {wb}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Date"}, "col_net_kg": {"Net"},
		"def_site": {"urn:critmin:demo:site:loe-shilman"}, "def_tz": {"+05:00"}})
	assertRowNames(t, "weighbridge row 25 000 kg", page, "“Reason for a weight change”")
}

func assertRowNames(t *testing.T, what, page, want string) {
	t.Helper()
	cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")
	ok := len(cells) > 0
	for _, c := range cells {
		if strings.Contains(c[1], "massChangeReason") {
			ok = false
		}
	}
	joined := ""
	for _, c := range cells {
		joined += c[1]
	}
	if !ok || !strings.Contains(joined, want) {
		t.Errorf("%s: row errors %q; want them to name %s, not cm:massChangeReason", what, cells, want)
	}
}
