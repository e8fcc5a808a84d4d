package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, new-user check (fix13h, 7): a contract with one invoiced lot
// said "delivered in 1 lots", and the agreement's Parties line ended with
// a stray ";" (and its Commodities with a stray ","). The demo antimony
// contract has no quantity terms and one invoiced lot.
func TestContractLotCountAndAgreementListsReadRight(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	_, body := do(t, "GET", ts.URL+"/trade/contracts/FWO-USSM-SB-2025", viewerSecret, nil, nil)
	page := string(body)
	if strings.Contains(page, " 1 lots") {
		t.Errorf("contract page says \"1 lots\"")
	}
	if !regexp.MustCompile(`(in 1 lot[.:])|(in [02-9]\d* lots)`).MatchString(page) {
		t.Errorf("contract page states no lot count")
	}
	_, body = do(t, "GET", ts.URL+"/trade/agreement", viewerSecret, nil, nil)
	page = string(body)
	if m := regexp.MustCompile(`<dt>Parties</dt><dd>[^<]*</dd>`).FindString(page); m == "" || strings.Contains(m, ";</dd>") || strings.Contains(m, "; </dd>") {
		t.Errorf("agreement Parties: %q, want no stray \";\"", m)
	}
	if m := regexp.MustCompile(`<dt>Commodities</dt><dd>[^<]*<`).FindString(page); m == "" || strings.Contains(m, ",  <") || strings.Contains(m, ", <") {
		t.Errorf("agreement Commodities: %q, want no stray \",\"", m)
	}
}
