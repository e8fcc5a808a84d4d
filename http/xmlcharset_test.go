package http_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// xmlInEncoding is an EPCIS 2.0 XML document declaring encoding decl
// (none when empty), whose ex:note holds note, for event n.
func xmlInEncoding(decl, note string, n int) string {
	d := `<?xml version="1.0"?>`
	if decl != "" {
		d = `<?xml version="1.0" encoding="` + decl + `"?>`
	}
	return d + fmt.Sprintf(`
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.org/ex/" schemaVersion="2.0" creationDate="2024-03-01T10:00:00Z">
 <EPCISBody><EventList><ObjectEvent>
  <eventID>urn:uuid:c4a55e70-0000-4000-8000-%012d</eventID>
  <eventTime>2024-03-10T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <epcList><epc>urn:epc:id:sgtin:4012345.011111.%d</epc></epcList><action>OBSERVE</action>
  <ex:note>%s</ex:note>
 </ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>`, n, n, note)
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestXMLCaptureEncodings: XML 1.0 §4.3.3 requires a processor to read
// UTF-8 and UTF-16 (with its byte-order mark); EPCIS 1.2 systems send
// ISO-8859-1, windows-1252 and US-ASCII. Each is captured and its text
// read back as the same characters ("Société Minière", and "€ 5" in
// windows-1252, where € is byte 0x80); a UTF-8 byte-order mark before an
// XML or a JSON document is ignored (RFC 8259 §8.1 allows it). An encoding
// critmin cannot read, a UTF-16 declaration without a byte-order mark and
// a byte over 0x7F in a US-ASCII document are refused 400 naming the
// encoding — never Go's "CharsetReader is nil".
func TestXMLCaptureEncodings(t *testing.T) {
	srv := MustServe(t, false, nil)
	const fr = "Société Minière"
	utf16BOM := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16BE := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	ok := []struct {
		name, note string
		body       []byte
	}{
		{"ISO-8859-1", fr, encode(t, charmap.ISO8859_1, xmlInEncoding("ISO-8859-1", fr, 1))},
		{"latin1 alias", fr, encode(t, charmap.ISO8859_1, xmlInEncoding("latin1", fr, 2))},
		{"windows-1252", "€ 5", encode(t, charmap.Windows1252, xmlInEncoding("windows-1252", "€ 5", 3))},
		{"US-ASCII", "plain", []byte(xmlInEncoding("US-ASCII", "plain", 4))},
		{"UTF-16LE with BOM", fr, encode(t, utf16BOM, xmlInEncoding("UTF-16", fr, 5))},
		{"UTF-16BE with BOM", fr, encode(t, utf16BE, xmlInEncoding("UTF-16", fr, 6))},
		{"UTF-8 with BOM", fr, append([]byte("\xef\xbb\xbf"), xmlInEncoding("UTF-8", fr, 7)...)},
	}
	for i, c := range ok {
		resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, c.body, xmlCT)
		if resp.StatusCode != 202 {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
			continue
		}
		_, got := do(t, "GET", srv.URL+fmt.Sprintf("/epcis/events/urn:uuid:c4a55e70-0000-4000-8000-%012d", i+1), viewerSecret, nil, nil)
		if !strings.Contains(string(got), `"ex:note": "`+c.note+`"`) && !strings.Contains(string(got), `"ex:note":"`+c.note+`"`) {
			t.Errorf("%s: the note does not read back as %q: %s", c.name, c.note, got)
		}
	}
	json := "\xef\xbb\xbf" + `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.99"]}]}}`
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(json), nil); resp.StatusCode != 202 {
		t.Errorf("JSON with a UTF-8 byte-order mark: %d %s", resp.StatusCode, b)
	}
	refused := []struct {
		name, want string
		body       []byte
	}{
		{"unknown encoding", `encoding \"x-no-such-charset\"`, []byte(xmlInEncoding("x-no-such-charset", "plain", 11))},
		{"UTF-16 declared, 8-bit bytes", `encoding \"UTF-16\"`, []byte(xmlInEncoding("UTF-16", "plain", 12))},
		{"é in US-ASCII", `encoding \"US-ASCII\"`, encode(t, charmap.ISO8859_1, xmlInEncoding("US-ASCII", fr, 13))},
	}
	for _, c := range refused {
		resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, c.body, xmlCT)
		if resp.StatusCode != 400 || !strings.Contains(string(b), c.want) || strings.Contains(string(b), "CharsetReader") {
			t.Errorf("%s: want 400 naming %s: %d %s", c.name, c.want, resp.StatusCode, b)
		}
	}
}
