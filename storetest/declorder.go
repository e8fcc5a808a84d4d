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

// The record a capture leaves does not depend on the order of a
// declaration in error and its corrective events (EPCIS 2.0 §7.4.1.2;
// docs/epcis.md "Retractions": "a declaration and its corrective events
// may come in either order"), nor on whether a declaration arrived before
// the event it declares (issue 8 §2, new-user check nuq7). Each scenario
// captures the same events in every order — one document, declaration
// first or corrective first, and in two documents, declaration first —
// and wants the same acceptance and the same lot figures (status,
// remaining tonnes, children and parents, Nd origin shares), those of
// the canonical order (declaration first, in one document).

// declOrderState is what a scenario compares across orders: the
// acceptance of the correcting capture and the lots' figures.
func declOrderState(t *testing.T, s critmin.Store, capErr error, lots, outs []string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	if capErr != nil {
		fmt.Fprintf(&b, "refused %s\n", critmin.ErrorCode(capErr))
	} else {
		b.WriteString("taken\n")
	}
	for _, id := range lots {
		l, err := s.FindLot(ctx, "urn:t:lot:"+id)
		if err != nil {
			fmt.Fprintf(&b, "%s: %s\n", id, critmin.ErrorCode(err))
			continue
		}
		edges, err := s.LotEdges(ctx, []string{"urn:t:lot:" + id}, false)
		if err != nil {
			t.Fatal(err)
		}
		var kids []string
		for _, e := range edges {
			if e.Parent == "urn:t:lot:"+id && strings.HasPrefix(e.Child, "urn:t:lot:") {
				kids = append(kids, strings.TrimPrefix(e.Child, "urn:t:lot:"))
			}
		}
		sort.Strings(kids)
		fmt.Fprintf(&b, "%s: %s, %.6f t left, children %v\n", id, l.Status, l.RemainingWetTonnes(), kids)
	}
	for _, id := range outs {
		edges, err := s.LotEdges(ctx, []string{"urn:t:lot:" + id}, true)
		if err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, e := range edges {
			if e.Child == "urn:t:lot:"+id && strings.HasPrefix(e.Parent, "urn:t:lot:") {
				ps = append(ps, strings.TrimPrefix(e.Parent, "urn:t:lot:"))
			}
		}
		sort.Strings(ps)
		fmt.Fprintf(&b, "%s: parents %v", id, ps)
		if o, err := custody.OriginOf(ctx, s.(custody.Store), "urn:t:lot:"+id, false); err == nil {
			if nd, ok := o.Elements["Nd"]; ok {
				shares := append([]custody.Share(nil), nd.ByCountry...)
				sort.Slice(shares, func(i, j int) bool { return shares[i].Key < shares[j].Key })
				for _, sh := range shares {
					fmt.Fprintf(&b, ", Nd %s %.6f", sh.Key, sh.Share)
				}
			}
		} else {
			fmt.Fprintf(&b, ", origin %s", critmin.ErrorCode(err))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// declOrders are the orders a declaration decl and its corrective corr
// are captured in: one document either way, and two documents,
// declaration first (a corrective captured alone before its declaration
// is judged against the record as it stands then, which EPCIS leaves to
// the capture: it is not one of the orders that must agree).
var declOrders = []struct {
	name string
	docs func(decl, corr string) []string
}{
	{"one document, declaration first", func(d, c string) []string { return []string{ctDoc(d, c)} }},
	{"one document, corrective first", func(d, c string) []string { return []string{ctDoc(c, d)} }},
	{"two documents, declaration first", func(d, c string) []string { return []string{ctDoc(d), ctDoc(c)} }},
}

// declOrderCapture captures docs in turn through the checked service and
// returns the first refusal (nothing after it is captured).
func declOrderCapture(s critmin.Store, docs []string) error {
	for _, d := range docs {
		if _, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(d)}); err != nil {
			return err
		}
	}
	return nil
}

// testDeclarationOrderIrrelevant runs each scenario in every order.
//
//	Packing corrected (nuq7-1): L (PAK, 10,000 kg, Nd 5 %) and L2 (CHN,
//	10,000 kg, Nd 5 %) at mb, packed whole into K (pk, pk3, Oct 2); run
//	R1 fed K whole makes O, 200 kg (Oct 5). pk declared in error with its
//	corrective pk2 packing 4,000 kg of L into K (Oct 2, 01:00). R1 takes what K
//	held: L 4 t and L2 10 t. L: 10 − 4 = 6 t left, in stock, child O;
//	L2 consumed, 0 t. O's Nd: from L 4 × 0.05 = 0.2 t, from L2
//	10 × 0.05 = 0.5 t: PAK 0.2 / 0.7 = 0.285714, CHN 0.714286. (With the
//	declaration first in one document L was left 10 t, no child.)
//
//	Run corrected (nuq7-2): L (PAK, 10,000 kg) packed whole into K (Oct
//	2); R1 fed K whole makes O 200 kg (Oct 5). R1 declared in error with
//	its corrective R2, fed K whole too, making O 180 kg (Oct 6). Taken in
//	every order (corrective first was refused 409 naming R1 as having
//	emptied K): L consumed, 0 t, child O; O's parent L, Nd 100 % PAK.
//
//	Pallet move declared before it arrived (nuq7-4): L (10,000 kg)
//	packed into K (Oct 2); shipment sh of [K] alone (Oct 3) declared in
//	error, the declaration and sh in two documents, either first: the
//	lot's container moves list sh carrying L 10,000 kg both ways (the
//	declaration first left it out of L's timeline).
func testDeclarationOrderIrrelevant(t *testing.T, open Opener) {
	const k = "urn:epc:id:sscc:0614141.3800000001"
	type scenario struct {
		name       string
		setup      []string
		decl, corr string
		lots, outs []string
		want       string
		// alone: the declaration captured alone is judged on its own
		// (a run left taking less than it took is refused), so the
		// orders in two documents are not compared.
		alone bool
	}
	pk := ctPack("pk", "ADD", k, 2, "L:10000")
	r1 := cfRun("R1", 5, []string{k}, nil, "O", 200)
	r2 := strings.Replace(cfRun("R2", 6, []string{k}, nil, "O", 180), "urn:t:run:R2", "urn:t:run:R1", 1)
	scenarios := []scenario{
		{
			name:  "packing corrected",
			setup: []string{ctDoc(cfLot("L", "PAK", 10000, "Nd:5"), cfLot("L2", "CHN", 10000, "Nd:5"), pk, ctPack("pk3", "ADD", k, 2, "L2:10000"), r1)},
			decl:  pk, corr: strings.Replace(ctPack("pk2", "ADD", k, 2, "L:4000"), "T00:00:00Z", "T01:00:00Z", 1),
			lots: []string{"L", "L2"}, outs: []string{"O"}, alone: true,
			want: "taken\nL: in_stock, 6.000000 t left, children [O]\nL2: consumed, 0.000000 t left, children [O]\n" +
				"O: parents [L L2], Nd CHN 0.714286, Nd PAK 0.285714\n",
		},
		{
			name:  "packing corrected, lot alone",
			setup: []string{ctDoc(cfLot("L", "PAK", 10000, "Nd:5"), pk, r1)},
			decl:  pk, corr: strings.Replace(ctPack("pk2", "ADD", k, 2, "L:4000"), "T00:00:00Z", "T01:00:00Z", 1),
			lots: []string{"L"}, outs: []string{"O"},
			alone: true,
			want:  "taken\nL: in_stock, 6.000000 t left, children [O]\nO: parents [L], Nd PAK 1.000000\n",
		},
		{
			name:  "run corrected",
			setup: []string{ctDoc(cfLot("L", "PAK", 10000, "Nd:5"), pk, r1)},
			decl:  r1, corr: r2,
			lots: []string{"L"}, outs: []string{"O"},
			want: "taken\nL: consumed, 0.000000 t left, children [O]\nO: parents [L], Nd PAK 1.000000\n",
		},
	}
	for _, sc := range scenarios {
		corrID := "urn:t:ev:pk2"
		if strings.HasPrefix(sc.name, "run") {
			corrID = "urn:t:ev:R2"
		}
		for _, o := range declOrders {
			if sc.alone && strings.HasPrefix(o.name, "two documents") {
				continue
			}
			t.Run(sc.name+"/"+o.name, func(t *testing.T) {
				s := open(t)
				for _, d := range sc.setup {
					cfaCapture(t, s, "setup", d)
				}
				err := declOrderCapture(s, o.docs(declaredWith(t, sc.decl, corrID), sc.corr))
				if got := declOrderState(t, s, err, sc.lots, sc.outs); got != sc.want {
					t.Errorf("record (capture error %v):\n%s\nwant (canonical order):\n%s", err, got, sc.want)
				}
				if err == nil {
					if rep := verifyFull(t, s, nil, true); !rep.OK() {
						t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
					}
				}
			})
		}
	}

	for _, declFirst := range []bool{true, false} {
		name := "pallet move, shipment first"
		if declFirst {
			name = "pallet move, declaration first"
		}
		t.Run(name, func(t *testing.T) {
			s := open(t)
			cfaCapture(t, s, "L packed", ctDoc(cfLot("L", "PAK", 10000, "Nd:5"), pk))
			sh := ccShip("sh", "urn:t:bol:S1", 3, []string{k})
			docs := []string{ctDoc(sh), ctDoc(strandedDeclared(t, sh))}
			if declFirst {
				docs[0], docs[1] = docs[1], docs[0]
			}
			if err := declOrderCapture(s, docs); err != nil {
				t.Fatal(err)
			}
			moves, err := s.(critmin.ContainerMovesStore).ContainerMovesOfLot(context.Background(), "urn:t:lot:L")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range moves {
				q := 0.0
				if m.Line.Quantity != nil {
					q = *m.Line.Quantity
				}
				got = append(got, fmt.Sprintf("%s %v %s", m.EventID, q, m.Line.UOM))
			}
			want := "urn:t:ev:sh 10000 KGM"
			if len(got) != 1 || got[0] != want {
				t.Errorf("container moves of L: %q; want [%s]", got, want)
			}
		})
	}
}
