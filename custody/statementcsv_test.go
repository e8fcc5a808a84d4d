package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestStatementRows: the one table the API's and the CLI's statement CSV
// write. October at mb, PAK (mbStore): opening 0, credits 100 t × 5 % ×
// 0.9 = 4.5 t Nd+Pr, claims O1 2 t × 80 % = 1.6 t, expired 0, closing
// 0 + 4.5 − 1.6 − 0 = 2.9 t; the REE category's elements Nd+Pr at the
// declared conversion factor 0.9.
func TestStatementRows(t *testing.T) {
	db := mbStore(t)
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", "2025-10", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// reasons and restated_by were appended (fix9at): the columns before
	// them keep their places.
	if got := strings.Join(custody.StatementHeader, ","); got != "site,period,category,elements,conversion_factor,origin,opening_t,credits_t,claims_t,expired_t,expires_at_period_end_t,closing_t,share,status,lot,event,claimed_t,shortfall_t,reason,reasons,restated_by" {
		t.Errorf("header %s", got)
	}
	// share: blank at a credit-method site (a fraction, 0.75 for 75 %, only
	// for the rolling-average method).
	want := "urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,0,4.5,1.6,0,0,2.9,,balance,,,,,,,"
	for _, r := range custody.StatementRows(st) {
		if r[2] == "ree" && r[5] == "PAK" {
			if got := strings.Join(r, ","); got != want {
				t.Errorf("row %s, want %s", got, want)
			}
			return
		}
	}
	t.Errorf("no ree/PAK row in %v", custody.StatementRows(st))
}

// TestStatementRowsListRefusedClaims (issue 9, fix9r item 6): the
// statement CSV has the refused claims docs/origin.md says it has, one
// row each with status refused, the lot and event, the claimed and
// shortfall tonnes and the reason, and no balance figures (a refused
// claim takes nothing from the account). October at mb (mbStore): O2
// claims 5 t × 80 % = 4 t Nd+Pr of Pakistan against a balance of 2.9 t
// (shortfall 4 − 2.9 = 1.1 t); SB2 claims 0.5 t × 80 % = 0.4 t Sb of
// Pakistan in category sb, which holds no Pakistani credit (shortfall
// 0.4 t).
func TestStatementRowsListRefusedClaims(t *testing.T) {
	db := mbStore(t)
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", "2025-10", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range custody.StatementRows(st) {
		if len(r) != len(custody.StatementHeader) {
			t.Fatalf("row %v has %d columns, header %d", r, len(r), len(custody.StatementHeader))
		}
		if r[13] == "refused" {
			got[r[14]] = strings.Join(r[:18], ",")
			if !strings.Contains(r[18], "shortfall") {
				t.Errorf("refused row %v: reason %q names no shortfall", r, r[18])
			}
		}
	}
	want := map[string]string{
		"urn:t:lot:O2":  "urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,,,,,,,,refused,urn:t:lot:O2,urn:t:ev:E3-facts-0,4,1.1",
		"urn:t:lot:SB2": "urn:t:site:mb,2025-10,sb,Sb,0.8,PAK,,,,,,,,refused,urn:t:lot:SB2,urn:t:ev:E4-facts-0,0.4,0.4",
	}
	if len(got) != len(want) {
		t.Errorf("refused rows %v, want %v", got, want)
	}
	for lot, w := range want {
		if got[lot] != w {
			t.Errorf("refused row of %s:\n got %s\nwant %s", lot, got[lot], w)
		}
	}
}
