package custody_test

import (
	"strings"
	"testing"
)

// TestDFARSCoversHongKongAndMacau (issue 9, new-user check): DFARS
// 225.003 names the People's Republic of China among the covered
// countries; Hong Kong and Macau are its special administrative regions
// with ISO 3166-1 codes of their own (HKG, MAC). Concentrate stated as
// mined in either failed no rule before — a wrong pass. Each lot, 10 t
// at Nd 4 %, 100 % of it from the region: the rule fails naming it; the
// Pakistani control passes.
func TestDFARSCoversHongKongAndMacau(t *testing.T) {
	for _, c := range []struct{ code, status string }{{"HKG", "fail"}, {"MAC", "fail"}, {"PAK", "pass"}} {
		db := store(t, doc(nil, feed("S", "ree_concentrate", c.code, 10, "Nd:4")))
		v := dfarsOf(t, db, "urn:t:lot:S")
		if v.Status != c.status {
			t.Errorf("lot mined in %s: dfars-covered-countries %s (%s), want %s", c.code, v.Status, v.Detail, c.status)
		}
		if c.status == "fail" && !strings.Contains(v.Detail, c.code) && !strings.Contains(v.Detail, map[string]string{"HKG": "Hong Kong", "MAC": "Mac"}[c.code]) {
			t.Errorf("%s: the failure does not name the region: %s", c.code, v.Detail)
		}
	}
}
