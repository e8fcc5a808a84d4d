package web

import "testing"

// TestChartCSVPlainNumbers (nu15 #12): a chart's CSV holds plain numbers
// with the unit in the header, not the table's display text: "2,200" is
// 2200, "24,950 kg" is 24950 under "mass (kg)", "1,196.04 t" is 1196.04;
// a column of mixed units gets a unit column; "—" is an empty cell; a
// text column is left as it is.
func TestChartCSVPlainNumbers(t *testing.T) {
	c := Chart{Header: []string{"lot", "count", "mass", "quantity", "share (%)"},
		Rows: [][]string{
			{"REE-2025-001", "2,200", "24,950 kg", "1,196.04 t", "12.5"},
			{"REE-2025-002", "-3", "17,980 kg", "12,000 kg", "—"},
		}}
	want := "lot,count,mass (kg),quantity,quantity unit,share (%)\n" +
		"REE-2025-001,2200,24950,1196.04,t,12.5\n" +
		"REE-2025-002,-3,17980,12000,kg,\n"
	if got := c.csvData(); got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}
	// CSVRows replace the table's short identifiers.
	c.CSVRows = [][]string{{"urn:critmin:demo:lot:REE-2025-001", "1", "1 kg", "1 t", "1"}}
	if got := c.csvData(); got != "lot,count,mass (kg),quantity (t),share (%)\nurn:critmin:demo:lot:REE-2025-001,1,1,1,1\n" {
		t.Errorf("csv rows: %s", got)
	}
}

// TestGenealogyCSVFullIDs (nu15 #12): the genealogy table shortens lot
// and event identifiers; its CSV keeps them whole and the time in RFC 3339.
func TestGenealogyCSVFullIDs(t *testing.T) {
	c := Chart{Header: []string{"from", "to"}, Rows: [][]string{{shortID("urn:critmin:demo:lot:REE-2025-001"), "x"}},
		CSVRows: [][]string{{"urn:critmin:demo:lot:REE-2025-001", "x"}}}
	if got := c.csvData(); got != "from,to\nurn:critmin:demo:lot:REE-2025-001,x\n" {
		t.Errorf("csv %q", got)
	}
}
