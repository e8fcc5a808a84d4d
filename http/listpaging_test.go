package http_test

import (
	"encoding/json"
	"testing"
)

// The token list and the trade lists are paged as GET /api/v1/lots is:
// ?limit= (1–1000, default 100) and ?offset=, the answer carrying total,
// limit and offset; a limit or offset out of range is a 400 naming the
// parameter. They returned every row.
func TestTokenAndTradeListsPaged(t *testing.T) {
	ts := MustServe(t, false, nil)
	// MustServe makes three tokens: admin, operator, viewer.
	for _, c := range []struct {
		query      string
		n, total   int
		limit, off int
	}{
		{"", 3, 3, 100, 0},
		{"?limit=2", 2, 3, 2, 0},
		{"?limit=2&offset=2", 1, 3, 2, 2}, // rows 3..3 of 3
		{"?offset=5", 0, 3, 100, 5},
	} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/tokens"+c.query, adminSecret, nil, nil)
		var got struct {
			Tokens               []json.RawMessage
			Total, Limit, Offset int
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &got) != nil || len(got.Tokens) != c.n || got.Total != c.total || got.Limit != c.limit || got.Offset != c.off {
			t.Errorf("tokens%s: %d %s; want %d of %d (limit %d, offset %d)", c.query, resp.StatusCode, b, c.n, c.total, c.limit, c.off)
		}
	}
	for _, path := range []string{"/api/v1/tokens", "/api/v1/trade/contracts", "/api/v1/trade/prices", "/api/v1/trade/invoices", "/api/v1/trade/agreements"} {
		for _, bad := range []struct{ query, param string }{{"limit=1001", "limit"}, {"limit=0", "limit"}, {"offset=-1", "offset"}, {"limit=x", "limit"}} {
			resp, b := do(t, "GET", ts.URL+path+"?"+bad.query, adminSecret, nil, nil)
			p := mustProblem(t, resp, b, 400)
			if len(p.Errors) == 0 || p.Errors[0].Pointer != bad.param {
				t.Errorf("%s?%s: %s; want the parameter %s named", path, bad.query, b, bad.param)
			}
		}
		resp, b := do(t, "GET", ts.URL+path+"?limit=1", adminSecret, nil, nil)
		var pg struct{ Total, Limit *int }
		if resp.StatusCode != 200 || json.Unmarshal(b, &pg) != nil || pg.Total == nil || pg.Limit == nil || *pg.Limit != 1 {
			t.Errorf("%s?limit=1: %d %s", path, resp.StatusCode, b)
		}
	}
}
