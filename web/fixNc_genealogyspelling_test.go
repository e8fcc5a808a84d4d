package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestGenealogyContainerOneSpelling (issue 15, fixNc item 2): lot GS,
// 10 t at the mine, packed (3,000 kg) into container C, then C shipped,
// the two events naming C in its two spellings: its EPC URN
// (urn:epc:id:sscc:0614141.5000000004) and its GS1 Digital Link
// (https://id.gs1.org/00/506141410000000048: the same SSCC, extension
// digit 5, company prefix 0614141, serial 000000004, check digit 8),
// either way round. The lot page's genealogy showed C under both
// spellings. One identifier, one display form — the SSCC's 18 digits,
// as the lot's timeline names C (refLabel of its canonical form) — in
// the graph's boxes and its table, one box for C, linking to C's
// container page.
func TestGenealogyContainerOneSpelling(t *testing.T) {
	const urn, dl, mine = "urn:epc:id:sscc:0614141.5000000004", "https://id.gs1.org/00/506141410000000048", "urn:t:site:mine-PAK"
	for _, c := range []struct{ name, packed, shipped string }{
		{"packed as URN, shipped as Digital Link", urn, dl},
		{"packed as Digital Link, shipped as URN", dl, urn},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := MustServe(t, false, nil)
			ctx := context.Background()
			commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:gs-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:GS", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
			pack := ltdPack("gs-p", "ADD", c.packed, "02", mine, "GS:3000")
			ship := ltdMove("gs-s", "shipping", c.shipped, "03", mine, "GS-1")
			if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ltdDoc(commission, pack, ship))}); err != nil {
				t.Fatal(err)
			}
			resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:GS"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
			page := html.UnescapeString(string(b))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("lot page: %d\n%s", resp.StatusCode, page)
			}
			i := strings.Index(page, `id="genealogy-graph"`)
			if i < 0 {
				t.Fatalf("no genealogy on the lot page:\n%s", page)
			}
			g := page[i:]
			if j := strings.Index(g, "</figure>"); j > 0 {
				g = g[:j]
			}
			if strings.Contains(g, "0614141.5000000004") {
				t.Errorf("the genealogy names container C by its URN's tail (0614141.5000000004): %s", g)
			}
			labels := regexp.MustCompile(`"label":"([^"]*)","sub":"container`).FindAllStringSubmatch(g, -1)
			if len(labels) != 1 || labels[0][1] != "506141410000000048" {
				t.Errorf("container boxes %v; want one, labelled 506141410000000048", labels)
			}
			if n := strings.Count(g, ">506141410000000048</"); n < 2 {
				t.Errorf("the genealogy table names C as 506141410000000048 %d times; want on its packing and its shipping rows: %s", n, g)
			}
			if !strings.Contains(g, `"href":"/shipments/`+url.PathEscape(dl)+`"`) && !strings.Contains(g, `"href":"/shipments/`+url.PathEscape(urn)+`"`) {
				t.Errorf("container C's box does not link to its container page: %s", g)
			}
		})
	}
}
