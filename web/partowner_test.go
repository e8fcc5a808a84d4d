package web_test

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotPartOwnerShown (issue 15, fix15o): lot K5, 30 t at mine M owned
// and held by FWO; 10 t shipped to Houston (H) and received there with
// destinationList owning_party and possessing_party USSM (what the
// Receive form's New owner emits). The part is USSM's, the 20 t body
// FWO's: the API's standsAt reads M FWO/FWO, H USSM/USSM, the part its
// owner USSM; the lot page's Owner line reads "at M: FWO 20 wmt" and
// "at H: USSM 10 wmt", one line a site (fix15u), its Custodian line
// likewise, and the part's line names its owner and custodian.
func TestLotPartOwnerShown(t *testing.T) {
	ts := MustServe(t, true, nil)
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "` + fwo + `"}, {"type": "possessing_party", "destination": "` + fwo + `"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:o1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:o2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:H"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O1"}],
		 "destinationList": [{"type": "owning_party", "destination": "` + ussm + `"}, {"type": "possessing_party", "destination": "` + ussm + `"}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	id := url.PathEscape("urn:t:lot:K5")
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+id, "", nil, map[string]string{"Accept": "application/json"})
	var v struct {
		Owner, Custodian string
		StandsAt         []struct {
			Site, Owner, Custodian string
			Body                   bool
		}
		Parts []struct{ Owner, Custodian string }
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("lot JSON: %v\n%s", err, b)
	}
	if v.Owner != fwo || len(v.StandsAt) != 2 || v.StandsAt[0].Owner != fwo || v.StandsAt[0].Custodian != fwo ||
		v.StandsAt[1].Site != "urn:t:site:H" || v.StandsAt[1].Owner != ussm || v.StandsAt[1].Custodian != ussm ||
		len(v.Parts) != 1 || v.Parts[0].Owner != ussm || v.Parts[0].Custodian != ussm {
		t.Fatalf("lot JSON %+v; want owner FWO, standsAt M FWO/FWO and H USSM/USSM, the part USSM's", v)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+id, "", nil, nil)
	text := func(re string) string {
		m := regexp.MustCompile(re).FindSubmatch(b)
		if m == nil {
			t.Fatalf("lot page lacks %s:\n%s", re, b)
		}
		return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html.UnescapeString(string(m[1])), " ")), " ")
	}
	// An unregistered site reads by its ID's tail (siteName): "…:H".
	// Each site's holder with its mass (fix15u): M the body, 30 − 10 =
	// 20 t FWO's; H the part, 10 t USSM's.
	want := "at …:M: " + fwo + " 20 wmt at …:H: " + ussm + " 10 wmt"
	if got := text(`(?s)<dd id="lot-owner">(.*?)</dd>`); got != want {
		t.Errorf("Owner line %q; want %q", got, want)
	}
	if got := text(`(?s)<dd id="lot-custodian">(.*?)</dd>`); got != want {
		t.Errorf("Custodian line %q; want the part's custodian named", got)
	}
	if got := text(`(?s)<dd class="part">(.*?)</dd>`); !strings.Contains(got, "owner "+ussm+", custodian "+ussm) {
		t.Errorf("part line %q; want its owner and custodian USSM", got)
	}
}
