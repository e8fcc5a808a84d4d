package http_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestCarriedDeficitStatementAPI (fix9ai; new-user check nu9g n16): the
// statement API, JSON and CSV, of the period after a credit run declared
// in error. At site mb (mbDecl: factor 0.9, carry-forward 1, periods
// October and November 2025):
//
//	PK Pakistan, CN China, 10 t each at Nd 4 % + Pr 1 %.
//	R1 (Oct 5): PK 10 t → O1 1 t at Nd 60 % + Pr 20 %: credit PAK Nd
//	  min(10 × 4 % × 0.9, 0.6) = 0.36 + Pr min(10 × 1 % × 0.9, 0.2) =
//	  0.09 → 0.45 t.
//	R2 (Oct 6): CN 10 t → O2 0.25 t × 80 % = 0.2 t claiming Pakistan:
//	  0.2 ≤ 0.45, accepted.
//	R1 declared in error (Oct 20): PAK credits 0, O2 booked, not
//	  covered: October closes PAK at 0 + 0 − 0.2 = −0.2 t; November
//	  opens and closes at −0.2 t (a deficit never expires).
//
// Before, November answered 500 "booked claims' shortfall 0.200000 t of
// PAK with no line in deficit", JSON and CSV alike.
func TestCarriedDeficitStatementAPI(t *testing.T) {
	ts, base := mbfxDeclared(t)
	r1 := mbfxOxideRun("R1", "2025-10-05T00:00:00Z", "PK", 10, "O1", 1, "")
	capture := func(now string, events ...string) {
		t.Helper()
		at, _ := time.Parse(time.RFC3339, now)
		ts.Svc.Now = func() time.Time { return at }
		if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbfxDoc(events...))}); err != nil {
			t.Fatalf("capture at %s: %v", now, err)
		}
	}
	capture("2025-10-05T12:00:00Z", mbfxFeed("PK", "PAK", 10), mbfxFeed("CN", "CHN", 10), r1)
	capture("2025-10-06T12:00:00Z", mbfxOxideRun("R2", "2025-10-06T00:00:00Z", "CN", 10, "O2", 0.25, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))
	var m map[string]any
	if err := json.Unmarshal([]byte(r1), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
	decl, _ := json.Marshal(m)
	capture("2025-10-20T00:00:00Z", string(decl))

	resp, b := do(t, "GET", base+"/statement?period=2025-11", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("November statement: %d %s, want 200", resp.StatusCode, b)
	}
	var st struct {
		Categories []struct {
			Lines []struct {
				Country                                    string
				Opening, Credits, Claims, Expired, Closing float64
			}
		}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range st.Categories {
		for _, l := range c.Lines {
			if l.Country != "PAK" {
				continue
			}
			found = true
			if math.Abs(l.Opening+0.2) > 1e-9 || l.Credits != 0 || l.Claims != 0 || l.Expired != 0 || math.Abs(l.Closing+0.2) > 1e-9 {
				t.Errorf("November PAK %+v, want opening −0.2, closing −0.2", l)
			}
		}
	}
	if !found {
		t.Errorf("November statement has no PAK line: %s", b)
	}
	resp, b = do(t, "GET", base+"/statement?period=2025-11&format=csv", "", nil, nil)
	if want := "urn:t:site:mb,2025-11,ree,Nd+Pr,0.9,PAK,-0.2,0,0,0,0,-0.2"; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("November statement CSV: %d %s, want a line %s", resp.StatusCode, b, want)
	}
}
