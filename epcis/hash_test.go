package epcis_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

const vectorsDir = "../testdata/epcis/hash-vectors"

// TestHashVectors checks every reference document's events against the
// expected pre-hash strings and hashes of the algorithm's reference
// implementation, exactly.
func TestHashVectors(t *testing.T) {
	docs, _ := filepath.Glob(filepath.Join(vectorsDir, "*.jsonld"))
	if len(docs) < 5 {
		t.Fatalf("only %d vector documents", len(docs))
	}
	for _, d := range docs {
		base := strings.TrimSuffix(d, ".jsonld")
		t.Run(filepath.Base(base), func(t *testing.T) {
			body, err := os.ReadFile(d)
			if err != nil {
				t.Fatal(err)
			}
			wantPre := readLines(t, base+".prehashes")
			wantHash := readLines(t, base+".hashes")
			pre, hashes, err := epcis.HashDocument(body)
			if err != nil {
				t.Fatal(err)
			}
			if len(pre) != len(wantPre) || len(hashes) != len(wantHash) {
				t.Fatalf("%d events hashed, %d expected", len(pre), len(wantPre))
			}
			for i := range pre {
				if pre[i] != wantPre[i] {
					t.Errorf("event %d pre-hash:\n got %s\nwant %s", i, pre[i], wantPre[i])
				}
				if hashes[i] != wantHash[i] {
					t.Errorf("event %d hash %s, want %s", i, hashes[i], wantHash[i])
				}
			}
		})
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, "\r"))
		}
	}
	return out
}

func TestNormaliseGS1(t *testing.T) {
	cases := map[string]string{
		"urn:epc:id:sgtin:0614141.107346.2017":                     "https://id.gs1.org/01/10614141073464/21/2017",
		"urn:epc:id:sscc:4012345.0000000333":                       "https://id.gs1.org/00/040123450000003338",
		"urn:epc:id:sgln:4012345.00011.987":                        "https://id.gs1.org/414/4012345000115/254/987",
		"urn:epc:id:sgln:0012345.11111.0":                          "https://id.gs1.org/414/0012345111112",
		"urn:epc:id:pgln:4012345.00000":                            "https://id.gs1.org/417/4012345000009",
		"urn:epc:id:giai:4000001.111":                              "https://id.gs1.org/8004/4000001111",
		"urn:epc:id:gdti:4012345.11111.123":                        "https://id.gs1.org/253/4012345111118123",
		"urn:epc:class:lgtin:4012345.012345.998877":                "https://id.gs1.org/01/04012345123456/10/998877",
		"https://id.gs1.de/01/04012345999990/21/XYZ":               "https://id.gs1.org/01/04012345999990/21/XYZ",
		"https://example.com/gtin/4012345999990/lot/L1/ser/S1?x=1": "https://id.gs1.org/01/04012345999990/21/S1",
	}
	for in, want := range cases {
		got, ok := epcis.NormaliseGS1(in)
		if !ok || got != want {
			t.Errorf("%s → %s (%v), want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"urn:critmin:demo:lot:REE-2025-001", "https://example.org/x", "urn:epc:id:sgtin:1.2.3"} {
		if _, ok := epcis.NormaliseGS1(in); ok {
			t.Errorf("%s normalised", in)
		}
	}
}

// TestHashExamplesIdentical hashes the seven serialisations of one event
// in shared/epcis/hash-examples (XML variants with shuffled EPCs and
// quantities, other namespace prefixes, typed extension values, and the
// JSON-LD one): they must give the same hash. Example 2 ("different time
// zone but exactly identical event") also changes eventTimeZoneOffset from
// -06:00 to -05:00; the reference vectors hash eventTimeZoneOffset, so it
// must differ from the others in exactly that field and nowhere else.
func TestHashExamplesIdentical(t *testing.T) {
	files, _ := filepath.Glob("../testdata/epcis/hash-examples/*")
	if len(files) < 7 {
		t.Fatalf("%d hash examples", len(files))
	}
	var first, firstFile string
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pre, hashes, err := epcis.HashDocument(body)
		if err != nil || len(hashes) != 1 {
			t.Fatalf("%s: %v, %d events", f, err, len(hashes))
		}
		if first == "" {
			first, firstFile = pre[0], f
			continue
		}
		got := pre[0]
		if strings.HasSuffix(f, "_2.xml") {
			if !strings.Contains(got, "eventTimeZoneOffset=-05:00") {
				t.Errorf("example 2 should carry offset -05:00: %s", got)
			}
			got = strings.Replace(got, "eventTimeZoneOffset=-05:00", "eventTimeZoneOffset=-06:00", 1)
		}
		if got != first {
			t.Errorf("%s differs from %s:\n%s\n%s", filepath.Base(f), filepath.Base(firstFile), got, first)
		}
	}
	// A changed value changes the hash.
	body, _ := os.ReadFile(files[len(files)-1])
	_, a, _ := epcis.HashDocument(body)
	_, b, _ := epcis.HashDocument([]byte(strings.Replace(string(body), `"quantity": 200.0`, `"quantity": 201.0`, 1)))
	if a[0] == b[0] {
		t.Error("changing a quantity did not change the hash")
	}
}
