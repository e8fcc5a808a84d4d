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
// mark dropped: without it the mark is read as part of the first header
// cell ("\ufeffseries" is not "series") and a file Excel saved is refused
// for a column it has. Every CSV import of the project reads through it.
func NewCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return csv.NewReader(br)
}
