package epcis_test

import (
	"reflect"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestPatternMatchSerialInValueClass: for GRAI, GDTI and SGCN the serial is
// part of the key value, so the Digital Link form of the class pattern is
// the key without its serial (docs/identity.md). It matches the same
// identifiers as the idpat URN: every value that starts with the key.
// GRAI 0614141.12345: "0" + 061414112345 + check digit 2 (3×0+1×6+3×1+
// 1×4+3×1+1×4+3×1+1×1+3×2+1×3+3×4+1×5 = 58 → 60 − 58 = 2).
func TestPatternMatchSerialInValueClass(t *testing.T) {
	for _, c := range []struct{ urn, dl, like string }{
		{"urn:epc:idpat:grai:0614141.12345.*", "https://id.gs1.org/8003/00614141123452", `https://id.gs1.org/8003/00614141123452%`},
		{"urn:epc:idpat:gdti:0614141.12345.*", "https://id.gs1.org/253/0614141123452", `https://id.gs1.org/253/0614141123452%`},
		{"urn:epc:idpat:sgcn:0614141.12345.*", "https://id.gs1.org/255/0614141123452", `https://id.gs1.org/255/0614141123452%`},
	} {
		fromURN, ok1 := epcis.PatternMatch(c.urn)
		fromDL, ok2 := epcis.PatternMatch(c.dl)
		want := []epcis.IDMatch{{Like: c.like}}
		if !ok1 || !ok2 || !reflect.DeepEqual(fromURN, want) || !reflect.DeepEqual(fromDL, want) {
			t.Errorf("%s → %v (%v); %s → %v (%v); want both %v", c.urn, fromURN, ok1, c.dl, fromDL, ok2, want)
		}
	}
	// An instance (the key with its serial) stays an exact identifier.
	for _, in := range []string{"https://id.gs1.org/8003/00614141123452A1", "https://id.gs1.org/253/0614141123452X9"} {
		if m, ok := epcis.PatternMatch(in); ok {
			t.Errorf("%s is an instance, matched as a pattern %v", in, m)
		}
	}
}
