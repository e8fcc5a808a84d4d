package epcis_test

import (
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// FuzzXMLCapture feeds arbitrary bytes to the XML binding (EPCIS 2.0 and
// 1.2). It must never panic; what it accepts must map to valid JSON; and
// a document whose events all validate must survive the way back: its
// events written as an XML EPCISQueryDocument read back to the same
// pre-hash strings (CBV 2.0 §8.9), so no field is lost or changed.
func FuzzXMLCapture(f *testing.F) {
	seedDocuments(f, "../testdata/epcis/xml/XML/*.xml", "../testdata/epcis/xml/XML/*/*.xml", "../testdata/epcis/xml/XSL/1.2/XML/*.xml", "../testdata/epcis/hash-examples/*.xml")
	f.Add([]byte(`<ObjectEvent><eventTime>2025-01-01T00:00:00Z</eventTime></ObjectEvent>`))
	now := time.Date(2025, 10, 2, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		x, err := epcis.FromXML(body, false)
		if err != nil {
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("refusal is not EINVALID: %v", err)
			}
			return
		}
		if !json.Valid(x.JSON) {
			t.Fatalf("mapped JSON is not valid: %s", x.JSON)
		}
		doc, err := epcis.ParseDocument(x.JSON, false)
		if err != nil {
			_ = x.Translate(err)
			return
		}
		var events []*critmin.Event
		var want []string
		for i := range doc.Events {
			ev, verr := doc.Decode(i, now)
			if verr != nil {
				return
			}
			events = append(events, ev)
			want = append(want, doc.PreHash(i))
		}
		out, err := epcis.QueryDocumentXML(events, "SimpleEventQuery", now, epcis.CBVNoPreference)
		if err != nil {
			t.Fatalf("write XML: %v", err)
		}
		back, err := epcis.FromXML(out, false)
		if err != nil {
			t.Fatalf("written XML does not read back: %v\n%s", err, out)
		}
		bdoc, err := epcis.ParseDocument(back.JSON, false)
		if err != nil || len(bdoc.Events) != len(events) {
			t.Fatalf("written XML does not parse: %v\n%s", err, out)
		}
		var got []string
		for i := range bdoc.Events {
			got = append(got, bdoc.PreHash(i))
		}
		sort.Strings(want)
		sort.Strings(got)
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("round trip changed an event:\nin  %s\nout %s\n%s", want[i], got[i], out)
			}
		}
	})
}
