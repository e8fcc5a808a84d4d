package jsonstrict

import (
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

type inner struct {
	Grade float64 `json:"grade"`
}

type req struct {
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	ExpiresIn string  `json:"expires_in"`
	Lots      []inner `json:"lots"`
	Extra     map[string]any
}

// TestCheck: each bad body is refused with the pointer of the offending
// member; a good one passes.
func TestCheck(t *testing.T) {
	cases := []struct{ body, ptr, reason string }{
		{`{"name":"d1","role":"viewer","role":"admin"}`, "/role", "given twice"},
		{`{"name":"d2","Role":"admin"}`, "/Role", "case-sensitive"},
		{`{"role":"viewer","expires_in":"1h","EXPIRES_IN":""}`, "/EXPIRES_IN", "case-sensitive"},
		{`{"lots":[{"grade":1},{"grade":1,"grade":2}]}`, "/lots/1/grade", "given twice"},
		{`{"Extra":{"a":1,"a":2}}`, "/Extra/a", "given twice"},
		{`{"nope":1}`, "/nope", "unknown field"},
	}
	for _, c := range cases {
		err := Check([]byte(c.body), &req{})
		var ce *critmin.Error
		if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Pointer != c.ptr || !strings.Contains(ce.Fields[0].Reason, c.reason) {
			t.Errorf("%s: got %v, want %s %q", c.body, err, c.ptr, c.reason)
		}
	}
	if err := Check([]byte(`{"name":"a","role":"viewer","lots":[{"grade":1}],"Extra":{"A":1,"a":2}}`), &req{}); err != nil {
		t.Errorf("good body refused: %v", err)
	}
	// Without a target only repeats are refused (the EPCIS capture rule).
	if err := Check([]byte(`{"epcisBody":{"eventList":[{"bizStep":"shipping","bizStep":"receiving"}]}}`), nil); err == nil || !strings.Contains(err.Error(), "/epcisBody/eventList/0/bizStep") {
		t.Errorf("capture repeat: %v", err)
	}
}

// selfDecoding reads itself from a number or an object (as
// refinery.Quantity does) and states its object's shape.
type selfDecoding struct{ v float64 }

func (s *selfDecoding) UnmarshalJSON([]byte) error { return nil }
func (s *selfDecoding) JSONShape() any             { return &inner{} }

// opaque decodes itself and states no shape.
type opaque struct{}

func (o *opaque) UnmarshalJSON([]byte) error { return nil }

// TestCheckShaped: a self-decoding type that states its shape (Shaped)
// has its object's names held to that shape, case included, in a field,
// a list and a map; one that states none only to no repeats; a bare
// number passes.
func TestCheckShaped(t *testing.T) {
	type body struct {
		Q   selfDecoding            `json:"q"`
		L   []*selfDecoding         `json:"l"`
		M   map[string]selfDecoding `json:"m"`
		Opq opaque                  `json:"o"`
	}
	for _, c := range []struct{ body, ptr, reason string }{
		{`{"q":{"Grade":1}}`, "/q/Grade", `the field is "grade"`},
		{`{"l":[{"grade":1},{"GRADE":1}]}`, "/l/1/GRADE", "case-sensitive"},
		{`{"m":{"Cu":{"grade":1,"grade":2}}}`, "/m/Cu/grade", "given twice"},
		{`{"q":{"other":1}}`, "/q/other", "unknown field"},
		{`{"o":{"a":1,"a":2}}`, "/o/a", "given twice"},
		{`{"q":1,"l":[2],"m":{"Cu":{"grade":1}},"o":{"Anything":1}}`, "", ""},
	} {
		err := Check([]byte(c.body), &body{})
		if c.ptr == "" {
			if err != nil {
				t.Errorf("%s: %v", c.body, err)
			}
			continue
		}
		var e *critmin.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Pointer != c.ptr || !strings.Contains(e.Fields[0].Reason, c.reason) {
			t.Errorf("%s: %v; want %s %q", c.body, err, c.ptr, c.reason)
		}
	}
}

// TestCheckDepthCap (new-user check 14f item 3): a body of 10,001 nested
// arrays inside a known field (20 KB) is refused naming the limit, at the
// pointer where it is crossed: the object is depth 1, the first array (at
// /tonnes_per_year) depth 2, the k-th array depth k+1 at /tonnes_per_year
// and /0 k−1 times, so the 64th array, at …/0 63 times, is depth 65. The walk stops there: it allocates for at most MaxDepth
// levels, not for all 10,001 with a pointer string each (≈ 10,001²/2 × 2
// bytes = 100 MB before). A body exactly MaxDepth deep passes.
func TestCheckDepthCap(t *testing.T) {
	type corridor struct {
		Tonnes any `json:"tonnes_per_year"`
	}
	deep := []byte(`{"tonnes_per_year":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`)
	err := Check(deep, &corridor{})
	var ce *critmin.Error
	want := "/tonnes_per_year" + strings.Repeat("/0", MaxDepth-1)
	if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Pointer != want || !strings.Contains(ce.Fields[0].Reason, "deeper than 64") {
		t.Fatalf("got %v; want EINVALID at %s naming the limit 64", err, want)
	}
	// Each level costs a few allocations (a path node, the decoder's
	// token); 10,001 levels would cost tens of thousands.
	if n := testing.AllocsPerRun(3, func() { _ = Check(deep, &corridor{}) }); n > 20*MaxDepth {
		t.Errorf("%.0f allocations for a refused 10,001-deep body; want at most %d (the walk goes no deeper than the cap)", n, 20*MaxDepth)
	}
	ok := []byte(`{"tonnes_per_year":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`)
	if err := Check(ok, &corridor{}); err != nil {
		t.Errorf("a body %d deep refused: %v", MaxDepth, err)
	}
	if err := Check([]byte(`{"tonnes_per_year":`+strings.Repeat("[", MaxDepth)+strings.Repeat("]", MaxDepth)+`}`), &corridor{}); err == nil {
		t.Errorf("a body %d deep passed", MaxDepth+1)
	}
}

// TestCheckRefusesUnderflow (issue 14, new-user check): a JSON number
// that is not 0 but below the smallest 64-bit float (1e-400, 0.5e-324)
// was read as 0 by encoding/json without an error, in every request
// body. Check refuses it naming the member; 0 written any way ("0e-400",
// "-0.0") and the smallest float itself (5e-324) are accepted.
func TestCheckRefusesUnderflow(t *testing.T) {
	for body, ptr := range map[string]string{
		`{"lots":[{"grade":1e-400}]}`:        "/lots/0/grade",
		`{"lots":[{"grade":-2.5E-330}]}`:     "/lots/0/grade",
		`{"Extra":{"x":[1,0.0000001e-320]}}`: "/Extra/x/1",
		`1e-400`:                             "",
	} {
		err := Check([]byte(body), &req{})
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || f[0].Pointer != ptr || !strings.Contains(f[0].Reason, "underflows") {
			t.Errorf("%s: %v, want EINVALID at %q saying it underflows", body, err, ptr)
		}
	}
	for _, body := range []string{`{"lots":[{"grade":0e-400}]}`, `{"lots":[{"grade":-0.0}]}`, `{"lots":[{"grade":5e-324}]}`, `{"lots":[{"grade":1e-300}]}`} {
		if err := Check([]byte(body), &req{}); err != nil {
			t.Errorf("%s: %v, want accepted", body, err)
		}
	}
}

// TestUnknownFieldNamesWhatTheObjectTakes: a member the target struct
// does not have is refused naming the members it does take (issue 14,
// new-user check: POST /api/v1/tokens with "expires" named no accepted
// field).
func TestUnknownFieldNamesWhatTheObjectTakes(t *testing.T) {
	var v struct {
		Name      string `json:"name"`
		ExpiresIn string `json:"expires_in"`
		ExpiresAt string `json:"expires_at"`
	}
	err := Check([]byte(`{"name": "x", "expires": "2026-12-02"}`), &v)
	if err == nil || !strings.Contains(err.Error(), `unknown field "expires": this object takes "expires_at", "expires_in", "name"`) {
		t.Errorf("unknown field: %v", err)
	}
}
