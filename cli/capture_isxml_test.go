package cli

import "testing"

// TestIsXMLUTF16: a UTF-16 XML file (XML 1.0 §4.3.3, Appendix F.1) is XML
// whether it starts with its byte-order mark or with "<" as two bytes; a
// JSON file, with or without a UTF-8 byte-order mark, is not.
func TestIsXMLUTF16(t *testing.T) {
	for body, want := range map[string]bool{
		"\xff\xfe<\x00?\x00": true, "\xfe\xff\x00<\x00?": true, "<\x00?\x00": true, "\x00<\x00?": true,
		"\xef\xbb\xbf<?xml?>": true, " <a/>": true, "\xef\xbb\xbf{}": false, "{}": false,
	} {
		if got := IsXML([]byte(body)); got != want {
			t.Errorf("IsXML(%q) = %v, want %v", body, got, want)
		}
	}
}
