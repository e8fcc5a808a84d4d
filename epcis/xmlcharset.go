package epcis

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/critmin/critmin"
)

// utf8BOM is the UTF-8 byte-order mark, dropped before a JSON or XML
// document.
var utf8BOM = []byte("\xef\xbb\xbf")

// newXMLDecoder is an encoding/xml decoder over r that reads an XML
// document in any encoding XML 1.0 §4.3.3 requires (UTF-8, and UTF-16
// with its byte-order mark, §4.3.3 and Appendix F) or declares in its XML
// declaration under an IANA charset name golang.org/x/text knows — the
// ISO-8859-1, windows-1252 and US-ASCII EPCIS 1.2 systems often send —
// transcoded to UTF-8. A UTF-8 byte-order mark is dropped. An encoding
// critmin cannot read is refused (xmlCharsetError) naming it; a byte that
// is not a character of the declared encoding is refused, never replaced
// by U+FFFD, so that two different identifiers never become one.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4)
	utf16 := ""
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xfe\xff")), bytes.HasPrefix(head, []byte("\xff\xfe")):
		// The byte-order mark gives the byte order (XML 1.0 Appendix F.1).
		utf16 = "UTF-16"
		in = refuseReplacement(transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), utf16)
	case bytes.Equal(head, []byte{0, '<', 0, '?'}):
		utf16 = "UTF-16BE"
		in = refuseReplacement(transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), utf16)
	case bytes.Equal(head, []byte{'<', 0, '?', 0}):
		utf16 = "UTF-16LE"
		in = refuseReplacement(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), utf16)
	}
	dec := xml.NewDecoder(in)
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		name := strings.ToUpper(strings.TrimSpace(label))
		isUTF16 := name == "UTF-16" || name == "UTF-16BE" || name == "UTF-16LE" || name == "UTF16"
		switch {
		case utf16 != "" && isUTF16:
			return input, nil // already transcoded above
		case utf16 != "":
			return nil, &xmlCharsetError{label: label, reason: fmt.Sprintf("the document is in %s (its first bytes say so), not %q", utf16, label)}
		case isUTF16:
			return nil, &xmlCharsetError{label: label, reason: "a UTF-16 document must begin with the byte-order mark (XML 1.0 §4.3.3), and this one does not"}
		}
		enc := charsetEncoding(label)
		if enc == nil {
			return nil, &xmlCharsetError{label: label, reason: "it is not an encoding critmin reads (UTF-8, UTF-16, US-ASCII, ISO-8859-1, windows-1252 or another IANA charset name)"}
		}
		if name == "US-ASCII" || name == "ASCII" {
			return &asciiOnly{r: input, label: label}, nil
		}
		return refuseReplacement(transform.NewReader(input, enc.NewDecoder()), label), nil
	}
	return dec
}

// charsetEncoding is the encoding of an IANA charset name (or a common
// alias such as cp1252 or latin1), nil when none is known.
func charsetEncoding(label string) encoding.Encoding {
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := htmlindex.Get(label); err == nil && e != nil {
		return e
	}
	return nil
}

// xmlCharsetError refuses a document's declared encoding.
type xmlCharsetError struct{ label, reason string }

func (e *xmlCharsetError) Error() string {
	return fmt.Sprintf("the XML declaration's encoding %q cannot be read: %s", e.label, e.reason)
}

// xmlDecodeError names a refusal of the document's encoding as such
// (field "encoding"), or returns nil for any other error.
func xmlDecodeError(err error) error {
	var ce *xmlCharsetError
	if errors.As(err, &ce) {
		return critmin.FieldErrorf("encoding", "%s", ce.Error())
	}
	return nil
}

// refuseReplacement fails, rather than passes on, the U+FFFD a decoder
// writes for a byte sequence that is not a character of its encoding.
func refuseReplacement(r io.Reader, label string) io.Reader {
	return &noReplacement{r: r, label: label}
}

type noReplacement struct {
	r     io.Reader
	label string
}

func (n *noReplacement) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if i := bytes.IndexRune(p[:k], utf8.RuneError); i >= 0 {
		return i, &xmlCharsetError{label: n.label, reason: "the document holds a byte sequence that is not a character of that encoding; it is refused rather than repaired"}
	}
	return k, err
}

// asciiOnly refuses a byte over 0x7F in a document declared US-ASCII.
type asciiOnly struct {
	r     io.Reader
	label string
	off   int
}

func (a *asciiOnly) Read(p []byte) (int, error) {
	k, err := a.r.Read(p)
	for i, b := range p[:k] {
		if b > 0x7f {
			return i, &xmlCharsetError{label: a.label, reason: fmt.Sprintf("byte 0x%02X (at offset %d after the declaration) is not US-ASCII", b, a.off+i)}
		}
	}
	a.off += k
	return k, err
}
