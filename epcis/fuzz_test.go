package epcis_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// seedDocuments adds every JSON-LD and XML document of testdata to a fuzz
// corpus: the GS1 examples, hash vectors and field cases.
func seedDocuments(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed documents under %v", patterns)
	}
}

// FuzzParseDocument feeds arbitrary bytes to the capture parser. It must
// never panic, and a document it accepts must parse the same way twice
// (the parser keeps no state between calls).
func FuzzParseDocument(f *testing.F) {
	seedDocuments(f, "../testdata/epcis/examples/*.jsonld", "../testdata/cases/*.jsonld", "../testdata/epcis/hash-vectors/*.jsonld")
	f.Add([]byte(`{"@context":"x","type":"EPCISDocument","epcisBody":{"eventList":[{}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := epcis.ParseDocument(body, false)
		if err != nil {
			return
		}
		again, err := epcis.ParseDocument(body, false)
		if err != nil || len(again.Events) != len(doc.Events) {
			t.Fatalf("second parse differs: %v, %d vs %d events", err, len(again.Events), len(doc.Events))
		}
	})
}

// FuzzHashDocument hashes arbitrary JSON-LD and XML. It must never panic,
// and hashing is deterministic: the same bytes give the same hash IDs.
func FuzzHashDocument(f *testing.F) {
	seedDocuments(f, "../testdata/epcis/hash-vectors/*.jsonld", "../testdata/epcis/hash-examples/*", "../testdata/cases/*.jsonld", "../testdata/epcis/xml/XML/*.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		pre1, h1, err1 := epcis.HashDocument(body)
		pre2, h2, err2 := epcis.HashDocument(body)
		if (err1 == nil) != (err2 == nil) || len(h1) != len(h2) || len(pre1) != len(pre2) {
			t.Fatalf("hashing is not deterministic: %v / %v", err1, err2)
		}
		for i := range h1 {
			if h1[i] != h2[i] || pre1[i] != pre2[i] {
				t.Fatalf("event %d hashes to %s and %s", i, h1[i], h2[i])
			}
			if h1[i] != epcis.HashID(pre1[i]) {
				t.Fatalf("event %d: hash ID is not the hash of its pre-hash string", i)
			}
		}
	})
}

// FuzzParseQuery parses arbitrary query strings as EPCIS query parameters.
// It must never panic; a query it accepts must be accepted again.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"EQ_bizStep=shipping&GE_eventTime=2025-01-01T00:00:00Z",
		"MATCH_anyEPCClass=urn:epc:class:lgtin:4012345.012345.998877&perPage=10",
		"EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0&orderBy=eventTime&orderDirection=ASC",
		"GE_quantity=NaN", "LT_quantity=1e309", "EQ_action=ADD,DELETE", "nextPageToken=%00%ff",
		"EQ_ILMD_ex:x=1", "eventType=ObjectEvent,TransformationEvent",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := epcis.ParseQuery(q); err != nil {
			return
		}
		if _, err := epcis.ParseQuery(q); err != nil {
			t.Fatalf("accepted once, refused the second time: %v", err)
		}
	})
}

// FuzzPageToken decodes arbitrary page tokens; a token that decodes must
// encode back to one that decodes to the same cursor.
func FuzzPageToken(f *testing.F) {
	f.Add("")
	f.Add("eyJ0IjoiMjAyNSJ9")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := epcis.DecodePageToken(tok)
		if err != nil || c == nil {
			return
		}
		back, err := epcis.DecodePageToken(epcis.EncodePageToken(c))
		if err != nil || *back != *c {
			t.Fatalf("token does not round-trip: %+v vs %+v (%v)", c, back, err)
		}
	})
}

// FuzzStreamDocument feeds arbitrary bytes to the streaming capture
// parser (POST /epcis/capture). It must never panic; a document both
// parsers accept has the same events, which decode the same way.
func FuzzStreamDocument(f *testing.F) {
	seedDocuments(f, "../testdata/epcis/examples/*.jsonld", "../testdata/cases/*.jsonld", "../testdata/epcis/hash-vectors/*.jsonld")
	f.Add([]byte(`{"@context":"x","type":"EPCISDocument","epcisBody":{"eventList":[{}]}}`))
	f.Add([]byte(`{"epcisBody":{"eventList":[{}]},"@context":"x","type":"EPCISDocument"}`))
	f.Add([]byte(`{"@context":"x","epcisBody":{"eventList":[],"eventList":[{}]},"type":"EPCISDocument"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var streamed []string
		doc, err := epcis.StreamDocument(bytes.NewReader(body), func(d *epcis.Document, e epcis.StreamEvent) error {
			ev, verr := d.DecodeRaw(e, now)
			if verr != nil {
				streamed = append(streamed, "invalid")
			} else {
				streamed = append(streamed, string(ev.Raw))
			}
			return nil
		})
		parsed, perr := epcis.ParseDocument(body, false)
		if err != nil || perr != nil {
			return
		}
		if len(parsed.Events) != len(streamed) || len(doc.Master) != len(parsed.Master) {
			t.Fatalf("streamed %d events and %d master data elements, parsed %d and %d", len(streamed), len(doc.Master), len(parsed.Events), len(parsed.Master))
		}
		for i := range parsed.Events {
			ev, verr := parsed.Decode(i, now)
			got := "invalid"
			if verr == nil {
				got = string(ev.Raw)
			}
			if got != streamed[i] {
				t.Fatalf("event %d: streamed %s, parsed %s", i, streamed[i], got)
			}
		}
	})
}
