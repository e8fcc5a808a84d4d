package web

import (
	"reflect"
	"testing"
)

// TestParseCSVTabKeepsEmptyCells (issue 15, fix15x item 4): a
// tab-separated row "V1⇥lot⇥t⇥39950⇥⇥24950⇥8" has 7 cells, the fifth
// (Tare) empty; reading tabs as leading space dropped it (6 cells, so
// net 24,950 landed under Tare and moisture 8 under Net). A leading
// space in a comma file is still trimmed.
func TestParseCSVTabKeepsEmptyCells(t *testing.T) {
	for _, c := range []struct{ name, data string }{
		{"tab", "Ticket\tLot No\tWeighed at\tGross (kg)\tTare (kg)\tNet (kg)\tMoisture %\nV1\tL\t2025-08-29 14:10\t39950\t\t24950\t8\n"},
		{"comma", "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\nV1, L,2025-08-29 14:10,39950,,24950, 8\n"},
	} {
		header, rows, _, err := parseCSV([]byte(c.data))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := []string{"V1", "L", "2025-08-29 14:10", "39950", "", "24950", "8"}
		if len(header) != 7 || len(rows) != 1 || !reflect.DeepEqual(rows[0], want) {
			t.Errorf("%s: header %q, rows %q; want 7 headers and %q", c.name, header, rows, want)
		}
	}
}
