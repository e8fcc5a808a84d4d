package critmin

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// utf8BOM is the UTF-8 byte-order mark Excel writes at the start of a
// file saved as "CSV UTF-8".
var utf8BOM = []byte("\xef\xbb\xbf")

// TrimBOM drops one leading UTF-8 byte-order mark from data.
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// NewCSVReader is csv.NewReader over r with a leading UTF-8 byte-order
// mark dropped and every line ending read as one. Without the first the
// mark is read as part of the first header cell ("\ufeffseries" is not
// "series") and a file Excel saved is refused for a column it has.
// Without the second a file whose lines end in CR alone — classic Mac OS,
// Excel's "CSV (Macintosh)" — is one long row: RFC 4180 §2 names CRLF,
// encoding/csv accepts LF and CRLF but keeps a lone CR as data. Every CSV
// import of the project reads through it.
func NewCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return csv.NewReader(&lineEndingReader{r: br})
}

// lineEndingReader turns CRLF and a lone CR into LF, so a reader after it
// sees one line ending whatever the file was saved with. Inside a quoted
// cell the same holds: encoding/csv already gives a CRLF there as LF.
type lineEndingReader struct {
	r      io.Reader
	lastCR bool // the last byte read was a CR (turned into LF)
}

func (l *lineEndingReader) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		w := 0
		for _, c := range p[:n] {
			switch {
			case c == '\r':
				p[w] = '\n'
				w++
				l.lastCR = true
				continue
			case c == '\n' && l.lastCR:
				// The LF of a CRLF: its CR already ended the line.
			default:
				p[w] = c
				w++
			}
			l.lastCR = false
		}
		// A read that was all the LF of a CRLF gives nothing; read on
		// rather than return 0, nil.
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
