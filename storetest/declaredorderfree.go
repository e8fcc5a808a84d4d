package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testDeclaredOrderFree (new-user check nuq10 R3): a document that
// declares in error a packing, the shipping of its container and the
// receipt of it (EPCIS 2.0 §7.4.1.4, errorDeclaration with
// correctiveEventIDs), together with their corrective events, gives one
// record whatever the order of its events (docs/epcis.md
// "Retractions"): the store judges the record the whole document gives —
// the declarations applied, the correctives in place of the declared
// events (a corrective packing recomputes what its container's moves
// carried, recontainCorrectives) — not the document's textual order.
// It was taken declarations first and refused 400 "put the packing
// before the movement in the document" when the corrective shipping was
// listed before the corrective packing.
//
//	Stored: L 10,000 kg at mb; p1 packs L 6,000 kg into D1 (Oct 2),
//	s1 ships [D1] under B1 to khi (Oct 3), r1 receives [D1] "L 6,000 kg"
//	there (Oct 4).
//	Document: p1, s1, r1 declared in error with correctives p1b (L
//	5,000 kg into D1, Oct 2), s1b ([D1] under B2, Oct 3) and r1b ([D1]
//	"L 5,000 kg" at khi, Oct 4).
//	Record, every order: L still 10 t: 5 t received at khi by r1b
//	(10 − 5 = 5 t left loose at mb); nothing of r1 or B1 stands.
func testDeclaredOrderFree(t *testing.T, open Opener) {
	const d1 = "urn:epc:id:sscc:0614141.3600000011"
	p1 := ctPack("p1", "ADD", d1, 2, "L:6000")
	s1 := ccShip("s1", "urn:t:bol:B1", 3, []string{d1})
	r1 := ctRecvAt("r1", "urn:t:bol:B1", "urn:t:site:khi", 4, []string{d1}, "L:6000")
	// decls are the declarations, corrs their correctives, in the
	// order packing, shipping, receipt.
	decls := []string{declaredWith(t, p1, "urn:t:ev:p1b"), declaredWith(t, s1, "urn:t:ev:s1b"), declaredWith(t, r1, "urn:t:ev:r1b")}
	corrs := []string{ctPack("p1b", "ADD", d1, 2, "L:5000"), ccShip("s1b", "urn:t:bol:B2", 3, []string{d1}),
		ctRecvAt("r1b", "urn:t:bol:B2", "urn:t:site:khi", 4, []string{d1}, "L:5000")}
	orders := map[string][]string{
		"declarations first": {decls[0], decls[1], decls[2], corrs[0], corrs[1], corrs[2]},
		"correctives first":  {corrs[0], corrs[1], corrs[2], decls[0], decls[1], decls[2]},
		"interleaved":        {decls[0], corrs[0], decls[1], corrs[1], decls[2], corrs[2]},
		"reversed":           {corrs[2], corrs[1], corrs[0], decls[2], decls[1], decls[0]},
		"movement first":     {corrs[1], decls[1], corrs[2], decls[0], corrs[0], decls[2]},
	}
	names := make([]string, 0, len(orders))
	for n := range orders {
		names = append(names, n)
	}
	sort.Strings(names)
	want := ""
	for _, name := range names {
		s := open(t)
		cfaCapture(t, s, name+": L packed, shipped, received", ctDoc(cfLot("L", "PAK", 10000, "Nd:10"), p1, s1, r1))
		_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(orders[name]...))})
		got := declaredOrderFreeState(t, s, err)
		if err == nil {
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("%s: verify: %v %v", name, rep.Problem, rep.Difference)
			}
		}
		const record = "taken\nL: 10.000000 t, 5.000000 t loose; part received at urn:t:site:khi 5.000000 t by urn:t:ev:r1b\n"
		if got != record {
			t.Errorf("%s: got\n%swant\n%s", name, got, record)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s: record differs from another order:\n%s\nvs\n%s", name, got, want)
		}
	}
}

// declaredOrderFreeState is what testDeclaredOrderFree compares: the
// acceptance and lot L's figures, where each part stands.
func declaredOrderFreeState(t *testing.T, s critmin.Store, capErr error) string {
	t.Helper()
	var b strings.Builder
	if capErr != nil {
		fmt.Fprintf(&b, "refused %s: %v\n", critmin.ErrorCode(capErr), capErr)
	} else {
		b.WriteString("taken\n")
	}
	l, err := s.FindLot(context.Background(), "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "L: %.6f t, %.6f t loose", l.WetTonnes, l.RemainingWetTonnes())
	for _, p := range l.Parts {
		if p.ReceiptEventID == "" && p.Status != critmin.PartInTransit {
			continue // a declared movement's part, if listed, stands for nothing
		}
		fmt.Fprintf(&b, "; part %s at %s %.6f t by %s", p.Status, p.To, p.ReceivedMass(), p.ReceiptEventID)
	}
	b.WriteString("\n")
	return b.String()
}
