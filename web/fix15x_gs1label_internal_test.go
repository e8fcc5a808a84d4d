package web

import "testing"

// TestRefLabelGS1Keys (fix15x item 1): a GS1 key in its EPC URN form
// reads as the part an operator knows — a batch/lot's number, an
// instance's serial — as its Digital Link form already did (the tail
// after /10/ or /21/), not the whole company.item.lot string. Other
// keys (SSCC, SGLN) keep their whole value, the URN's tail.
func TestRefLabelGS1Keys(t *testing.T) {
	n := refNames{}
	for _, c := range []struct{ id, want string }{
		{"urn:epc:class:lgtin:4012345.012345.998877", "998877"},
		{"https://id.gs1.org/01/04012345123456/10/998877", "998877"},
		{"urn:epc:class:lgtin:4012345.012345.B.7", "B.7"},
		{"urn:epc:id:sgtin:4012345.011111.1042", "1042"},
		{"https://id.gs1.org/01/04012345111118/21/1042", "1042"},
		{"urn:epc:id:sscc:4012345.0000000001", "4012345.0000000001"},
		{"urn:epc:id:sgln:4012345.00001.0", "4012345.00001.0"},
		{"urn:epcglobal:cbv:bizstep:shipping", "shipping"},
		{"urn:critmin:demo:lot:REE-2025-001", "REE-2025-001"},
	} {
		if got := n.refLabel(c.id); got != c.want {
			t.Errorf("refLabel(%q) = %q, want %q", c.id, got, c.want)
		}
	}
}
