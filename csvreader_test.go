package critmin_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestCSVReaderDropsLeadingByteOrderMark: Excel's "CSV UTF-8" starts with
// EF BB BF; the first header cell must read "series", not "\ufeffseries".
// A mark later in the file is data and stays.
func TestCSVReaderDropsLeadingByteOrderMark(t *testing.T) {
	for _, in := range []string{"\ufeffseries,date\nA,\ufeffx\n", "series,date\nA,\ufeffx\n"} {
		rows, err := critmin.NewCSVReader(strings.NewReader(in)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "series" || rows[1][1] != "\ufeffx" {
			t.Fatalf("%q read as %q", in, rows)
		}
	}
	if got := string(critmin.TrimBOM([]byte("\ufeffa"))); got != "a" {
		t.Fatalf("TrimBOM: %q", got)
	}
}

// TestCSVReaderAcceptsEveryLineEnding: a file saved by classic Mac OS or
// an old Excel ("CSV (Macintosh)") ends its lines with CR alone; Windows
// writes CRLF; Unix LF. RFC 4180 §2 names CRLF, and encoding/csv reads
// LF and CRLF but takes a lone CR for data, so a CR-only file read as a
// single row. Each ending, and a mixed file, must give the same three
// rows, and the line numbers FieldPos reports must count CR-only lines.
func TestCSVReaderAcceptsEveryLineEnding(t *testing.T) {
	want := [][]string{{"lot", "mass"}, {"L1", "12.5"}, {"L2", "7"}}
	for name, in := range map[string]string{
		"LF":          "lot,mass\nL1,12.5\nL2,7\n",
		"CRLF":        "lot,mass\r\nL1,12.5\r\nL2,7\r\n",
		"CR":          "lot,mass\rL1,12.5\rL2,7\r",
		"CR, no last": "lot,mass\rL1,12.5\rL2,7",
		"CR with BOM": "\ufefflot,mass\rL1,12.5\rL2,7\r",
		"mixed":       "lot,mass\rL1,12.5\r\nL2,7\n",
	} {
		r := critmin.NewCSVReader(strings.NewReader(in))
		var got [][]string
		var lines []int
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			got = append(got, rec)
			l, _ := r.FieldPos(0)
			lines = append(lines, l)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %q read as %q", name, in, got)
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Fatalf("%s: row %d %q, want %q", name, i, got[i], want[i])
			}
			if lines[i] != i+1 {
				t.Fatalf("%s: row %d on line %d, want %d", name, i, lines[i], i+1)
			}
		}
	}
	// A quoted cell keeps its line break (as LF, the way encoding/csv
	// gives CRLF inside quotes), whatever the file's line ending.
	rows, err := critmin.NewCSVReader(strings.NewReader("a,b\r\"x\ry\",z\r")).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "x\ny" {
		t.Fatalf("quoted CR: %q %v", rows, err)
	}
}
