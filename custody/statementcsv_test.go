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
	if got := strings.Join(custody.StatementHeader, ","); got != "site,period,category,elements,conversion_factor,origin,opening_t,credits_t,claims_t,expired_t,expires_at_period_end_t,closing_t,share" {
		t.Errorf("header %s", got)
	}
	// share: blank at a credit-method site (a fraction, 0.75 for 75 %, only
	// for the rolling-average method).
	want := "urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,0,4.5,1.6,0,0,2.9,"
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
