package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Declarations in error around events that move a lot through the
// container it is packed in (issue 8 §2, new-user findings nu36a-5 and
// nu36a-6): a shipping or receiving event naming only the container's
// SSCC in its epcList moves what the container held then, so it is an
// event of each of those lots for every dependency check. Declaring such
// an event in error while a later event of the lot stands on it, or
// declaring the packing in error while a later event of the lot stands
// on the moves the packing made, is refused (409) as it is when the
// events name the lot by quantity; nothing is stored.

const ydBox = "urn:epc:id:sscc:0614141.4000000052"

// ydMove is a shipping (from mb to khi, or from khi to pkbqm with
// from == "khi") or receiving (at khi) ObjectEvent on day, under bill of
// lading bol, naming the container ydBox alone (loose false) or 10,000
// kg of lot YD by quantity and no container (loose true).
func ydMove(id, step, from string, day int, bol string, loose bool) string {
	site, dest, disp := "urn:t:site:"+from, "", "in_progress"
	if step == "shipping" {
		to := "urn:t:site:khi"
		if from == "khi" {
			to = "urn:t:site:pkbqm"
		}
		dest, disp = `, "destinationList": [{"type": "location", "destination": "`+to+`"}]`, "in_transit"
	}
	what := `"epcList": ["` + ydBox + `"]`
	if loose {
		what = `"quantityList": [{"epcClass": "urn:t:lot:YD", "quantity": 10000, "uom": "KGM"}]`
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disp + `",
	  ` + what + `, "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}` + dest + `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
}

// ydInspect is an inspection of lot YD at Karachi on day.
func ydInspect(id string, day int) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:YD"}], "bizLocation": {"id": "urn:t:site:khi"}}`
}

// ydDeclared is ev with an errorDeclaration.
func ydDeclared(ev string) string {
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}}`
}

// ydStored is the stored event urn:t:ev:id (not its declaration),
// decoded whole as the declaration preview reads it.
func ydStored(t *testing.T, s critmin.Store, id string) *critmin.Event {
	t.Helper()
	evs, err := s.FindEventsByID(context.Background(), "urn:t:ev:"+id)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration == nil {
			return wwDecoded(t, ev)
		}
	}
	t.Fatalf("event %s is not stored: %+v", id, evs)
	return nil
}

// testContainerMovesDeclared: lot YD, 10,000 kg at mb (Oct 1). In the
// container spelling it is packed whole into ydBox on Oct 2 and every
// shipment or receipt names only ydBox; in the loose spelling nothing is
// packed and they name 10,000 kg of YD. Shipped from mb to Karachi on
// Oct 3 (BOL YD), received there on Oct 5.
//   - the shipment declared in error while the receipt stands (nu36a-5):
//     the receipt would receive under BOL YD what no shipment carried —
//     refused 409, naming the receipt, in both spellings (before the fix
//     the container spelling was taken and YD stayed at Karachi with no
//     standing shipment);
//   - the receipt declared in error while an inspection of YD at Karachi
//     (Oct 6) stands: YD would be at sea when inspected — refused naming
//     the inspection, in both spellings;
//   - the receipt declared in error while an onward shipment from
//     Karachi (Oct 7) stands: the same verdict in both spellings;
//   - declared together with what stands on it: taken, and YD is back
//     in stock at mb with its 10 t; verify rebuilds every table alike.
func testContainerMovesDeclared(t *testing.T, open Opener) {
	ctx := context.Background()
	cases := []struct {
		name     string
		later    func(loose bool) []string // events after the receipt
		declare  string
		stranded string // "" for whatever the loose spelling gives
	}{
		{"shipment declared, receipt stands", nil, "yd-ship", "receipt urn:t:ev:yd-recv"},
		{"receipt declared, inspection stands", func(bool) []string { return []string{ydInspect("yd-insp", 6)} }, "yd-recv", "inspection urn:t:ev:yd-insp"},
		{"shipment declared, inspection stands", func(bool) []string { return []string{ydInspect("yd-insp", 6)} }, "yd-ship", "receipt urn:t:ev:yd-recv"},
		{"receipt declared, onward shipment stands", func(loose bool) []string { return []string{ydMove("yd-onward", "shipping", "khi", 7, "YD2", loose)} }, "yd-recv", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			verdict := map[bool]string{}
			for _, loose := range []bool{true, false} {
				s := open(t)
				svc := custody.NewService(s)
				record := []string{csLot("YD")}
				if !loose {
					record = append(record, ctPack("yd-pack", "ADD", ydBox, 2, "YD:10000"))
				}
				record = append(record, ydMove("yd-ship", "shipping", "mb", 3, "YD", loose), ydMove("yd-recv", "receiving", "khi", 5, "YD", loose))
				MustCapture(t, svc, ctDoc(record...))
				if c.later != nil {
					// each captured on its own, as a user records them
					for _, ev := range c.later(loose) {
						record = append(record, ev)
						MustCapture(t, svc, ctDoc(ev))
					}
				}
				byID := map[string]string{}
				for _, ev := range record {
					i := strings.Index(ev, `"urn:t:ev:`)
					id := ev[i+len(`"urn:t:ev:`):]
					byID[id[:strings.Index(id, `"`)]] = ev
				}
				before := mustLot(t, s, "urn:t:lot:YD")
				n := ccEvents(t, s)
				spelling := map[bool]string{true: "loose", false: "container only"}[loose]
				_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(byID[c.declare])))})
				if err == nil {
					verdict[loose] = "taken"
				} else {
					verdict[loose] = critmin.ErrorMessage(err)
					if ccEvents(t, s) != n {
						t.Errorf("%s: declaring %s refused, yet something was stored", spelling, c.declare)
					}
					if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != before.Status || l.Location != before.Location || l.EventCount != before.EventCount {
						t.Errorf("%s: YD after the refusal: %s at %s (%d events); want %s at %s (%d)", spelling, l.Status, l.Location, l.EventCount, before.Status, before.Location, before.EventCount)
					}
				}
				if c.stranded != "" {
					if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "the "+c.stranded+" ") {
						t.Errorf("%s: declaring %s in error alone: %v; want 409 naming the %s", spelling, c.declare, err, c.stranded)
					} else {
						ok := false
						for _, f := range critmin.ErrorFields(err) {
							ok = ok || f.Conflict && f.Pointer == "/epcisBody/eventList/0" && strings.Contains(f.Reason, strings.Fields(c.stranded)[1])
						}
						if !ok {
							t.Errorf("%s: no field points at the declaration of %s (/epcisBody/eventList/0) naming %s: %+v", spelling, c.declare, c.stranded, critmin.ErrorFields(err))
						}
					}
					// The declaration preview names it too.
					st, err := custody.StrandedBy(ctx, s.(custody.Store), ydStored(t, s, c.declare))
					if err != nil {
						t.Fatal(err)
					}
					found := false
					for _, e := range st {
						found = found || e.Refused && e.Event.EventID == "urn:t:ev:"+strings.Fields(c.stranded)[1][len("urn:t:ev:"):]
					}
					if !found {
						t.Errorf("%s: the declaration preview (StrandedBy) of %s does not name %s: %+v", spelling, c.declare, c.stranded, st)
					}
				}
				if err == nil {
					continue
				}
				// Declared together with everything after it: taken,
				// and YD stands at mb with its 10 t.
				var all []string
				at := false
				for _, ev := range record[1:] {
					at = at || strings.Contains(ev, `"urn:t:ev:`+c.declare+`"`)
					if at {
						all = append(all, ydDeclared(ev))
					}
				}
				if c.declare == "yd-recv" {
					// the shipment stays: YD is in transit from mb
					MustCapture(t, svc, ctDoc(all...))
					if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInTransit {
						t.Errorf("%s: YD after its receipt and what followed were declared in error: %s at %s; want in_transit", spelling, l.Status, l.Location)
					}
				} else {
					MustCapture(t, svc, ctDoc(all...))
					if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
						t.Errorf("%s: YD after its moves were declared in error: %s at %s with %v t; want in_stock at mb with 10 t", spelling, l.Status, l.Location, l.RemainingWetTonnes())
					}
				}
				if rep := verifyFull(t, s, nil, true); !rep.OK() {
					t.Fatalf("%s: verify: %v %v", spelling, rep.Problem, rep.Difference)
				}
			}
			if (verdict[true] == "taken") != (verdict[false] == "taken") {
				t.Errorf("declaring %s: loose spelling %q, container spelling %q; want the same verdict", c.declare, verdict[true], verdict[false])
			}
		})
	}
}

// testContainerPackingDeclaredMoved (nu36a-6): lot YD, 10,000 kg at mb,
// packed whole into ydBox on Oct 2; ydBox shipped to Karachi on Oct 3
// and received there on Oct 5, naming only ydBox. Declaring the packing
// in error leaves both container moves carrying nothing of YD, so YD
// would stand at mb:
//   - with 10,000 kg of YD then shipped loose from Karachi on Oct 7, that
//     shipment would ship from where YD is not — refused 409 naming it
//     (before the fix it was taken and YD read in transit from Karachi
//     with lastLocation mb);
//   - with YD unpacked from ydBox at Karachi on Oct 6 first, the
//     unpacking would take YD out of a container nothing put it in —
//     refused naming it;
//   - with an inspection of YD at Karachi on Oct 6 — refused naming it;
//   - with nothing of YD after the receipt, the packing is taken (the
//     container travelled empty; ContainerDeclaredPackingNotShipped): YD
//     is in stock at mb with 10 t, and verify rebuilds every table alike.
//
// Declared together with the later events of YD that stand on it, the
// packing is taken.
func testContainerPackingDeclaredMoved(t *testing.T, open Opener) {
	ctx := context.Background()
	unpack := strings.Replace(ctPack("yd-unpack", "DELETE", ydBox, 6, "YD:10000"), "urn:t:site:mb", "urn:t:site:khi", 1)
	cases := []struct {
		name     string
		later    []string
		stranded string // "" : taken
	}{
		{"loose shipment from Karachi", []string{ydMove("yd-onward", "shipping", "khi", 7, "YD2", true)}, "shipment urn:t:ev:yd-onward"},
		{"unpacked at Karachi, then shipped loose", []string{unpack, ydMove("yd-onward", "shipping", "khi", 7, "YD2", true)}, "unpacking urn:t:ev:yd-unpack"},
		{"inspected at Karachi", []string{ydInspect("yd-insp", 6)}, "inspection urn:t:ev:yd-insp"},
		{"nothing after the receipt", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			pack := ctPack("yd-pack", "ADD", ydBox, 2, "YD:10000")
			MustCapture(t, svc, ctDoc(csLot("YD"), pack))
			MustCapture(t, svc, ctDoc(ydMove("yd-ship", "shipping", "mb", 3, "YD", false)))
			MustCapture(t, svc, ctDoc(ydMove("yd-recv", "receiving", "khi", 5, "YD", false)))
			for _, ev := range c.later {
				MustCapture(t, svc, ctDoc(ev))
			}
			before := mustLot(t, s, "urn:t:lot:YD")
			n := ccEvents(t, s)
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(pack)))})
			if c.stranded == "" {
				if err != nil {
					t.Fatalf("declaring the packing of a container whose moves carried nothing else of YD: %v; want taken", err)
				}
				if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
					t.Errorf("YD after its packing was declared in error: %s at %s with %v t; want in_stock at mb with 10 t", l.Status, l.Location, l.RemainingWetTonnes())
				}
				if rep := verifyFull(t, s, nil, true); !rep.OK() {
					t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "the "+c.stranded+" ") {
				t.Fatalf("declaring the packing in error alone: %v; want 409 naming the %s", err, c.stranded)
			}
			ok := false
			for _, f := range critmin.ErrorFields(err) {
				ok = ok || f.Conflict && f.Pointer == "/epcisBody/eventList/0" && strings.Contains(f.Reason, strings.Fields(c.stranded)[1])
			}
			if !ok {
				t.Errorf("no field points at the declaration (/epcisBody/eventList/0) naming the stranded event: %+v", critmin.ErrorFields(err))
			}
			if ccEvents(t, s) != n {
				t.Errorf("declaring the packing refused, yet something was stored")
			}
			if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != before.Status || l.Location != before.Location || l.EventCount != before.EventCount {
				t.Errorf("YD after the refusal: %s at %s (%d events); want %s at %s (%d)", l.Status, l.Location, l.EventCount, before.Status, before.Location, before.EventCount)
			}
			// The preview names it too.
			st, err := custody.StrandedBy(ctx, s.(custody.Store), ydStored(t, s, "yd-pack"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range st {
				found = found || e.Refused && "urn:t:ev:"+strings.TrimPrefix(strings.Fields(c.stranded)[1], "urn:t:ev:") == e.Event.EventID
			}
			if !found {
				t.Errorf("the declaration preview (StrandedBy) of the packing does not name %s: %+v", c.stranded, st)
			}
			// Declared with the later events of YD: taken; YD at mb.
			all := []string{ydDeclared(pack)}
			for _, ev := range c.later {
				all = append(all, ydDeclared(ev))
			}
			MustCapture(t, svc, ctDoc(all...))
			if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
				t.Errorf("YD after its packing and later events were declared in error: %s at %s with %v t; want in_stock at mb with 10 t", l.Status, l.Location, l.RemainingWetTonnes())
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// ContainerMoveDocuments are, for the API's tests, the record of
// testContainerMovesDeclared in its container spelling — lot YD packed
// into ydBox, ydBox shipped from mb under BOL YD and received at Karachi,
// naming only ydBox — and the declaration in error of the shipment
// alone, which is refused 409 naming the receipt urn:t:ev:yd-recv.
var ContainerMoveDocuments = [2]string{
	ctDoc(csLot("YD"), ctPack("yd-pack", "ADD", ydBox, 2, "YD:10000"), ydMove("yd-ship", "shipping", "mb", 3, "YD", false), ydMove("yd-recv", "receiving", "khi", 5, "YD", false)),
	ctDoc(ydDeclared(ydMove("yd-ship", "shipping", "mb", 3, "YD", false))),
}

// testContainerUnpackingDeclaredMoved: lot YU, 10,000 kg at mb, packed
// whole into ydBox on Oct 2 and unpacked (a DELETE naming it) on Oct 2 at
// noon; ydBox shipped to Karachi on Oct 3 naming only ydBox carries
// nothing, YU stays in stock at mb. Declaring the unpacking in error puts
// YU back in ydBox when it sailed: the shipment carried YU's 10 t, and
// YU is in transit — the contents stored with the shipment, the lot and
// verify's rebuild all agree (the contents of a move that stored none
// were never recomputed).
func testContainerUnpackingDeclaredMoved(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	unpack := strings.Replace(ctPack("yu-unpack", "DELETE", ydBox, 2, "YU:10000"), "T00:00:00Z", "T12:00:00Z", 1)
	MustCapture(t, svc, ctDoc(csLot("YU"), ctPack("yu-pack", "ADD", ydBox, 2, "YU:10000"), unpack))
	MustCapture(t, svc, ctDoc(ydMove("yu-ship", "shipping", "mb", 3, "YU", false)))
	if l := mustLot(t, s, "urn:t:lot:YU"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" {
		t.Fatalf("YU unpacked before ydBox sailed: %s at %s; want in_stock at mb", l.Status, l.Location)
	}
	MustCapture(t, svc, ctDoc(ydDeclared(unpack)))
	if l := mustLot(t, s, "urn:t:lot:YU"); l.Status != critmin.LotInTransit {
		t.Errorf("YU after its unpacking before ydBox sailed was declared in error: %s at %s; want in_transit (ydBox carried it)", l.Status, l.Location)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerUnpackingDeclaredStrands: as
// testContainerUnpackingDeclaredMoved, but YU is inspected at mb on Oct 4,
// after ydBox sailed without it. Declaring the unpacking in error would
// put YU aboard ydBox on Oct 3, so the inspection would find at mb a lot
// in transit: refused 409 naming the inspection, nothing stored; declared
// with the inspection it is taken and YU is in transit.
func testContainerUnpackingDeclaredStrands(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	unpack := strings.Replace(ctPack("yu-unpack", "DELETE", ydBox, 2, "YU:10000"), "T00:00:00Z", "T12:00:00Z", 1)
	insp := strings.ReplaceAll(strings.Replace(ydInspect("yu-insp", 4), "urn:t:site:khi", "urn:t:site:mb", 1), "urn:t:lot:YD", "urn:t:lot:YU")
	MustCapture(t, svc, ctDoc(csLot("YU"), ctPack("yu-pack", "ADD", ydBox, 2, "YU:10000"), unpack))
	MustCapture(t, svc, ctDoc(ydMove("yu-ship", "shipping", "mb", 3, "YU", false)))
	MustCapture(t, svc, ctDoc(insp))
	n := ccEvents(t, s)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(unpack)))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "the inspection urn:t:ev:yu-insp ") {
		t.Fatalf("declaring the unpacking alone: %v; want 409 naming the inspection urn:t:ev:yu-insp", err)
	}
	if ccEvents(t, s) != n {
		t.Errorf("the refused declaration stored something")
	}
	if l := mustLot(t, s, "urn:t:lot:YU"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" {
		t.Errorf("YU after the refusal: %s at %s; want in_stock at mb", l.Status, l.Location)
	}
	MustCapture(t, svc, ctDoc(ydDeclared(unpack), ydDeclared(insp)))
	if l := mustLot(t, s, "urn:t:lot:YU"); l.Status != critmin.LotInTransit {
		t.Errorf("YU after the unpacking and the inspection were declared in error: %s at %s; want in_transit", l.Status, l.Location)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerShipLineReceiptDeclared: lot YD, 10,000 kg at mb, packed
// whole into ydBox on Oct 2; ydBox shipped alone (no quantity line) to
// Karachi on Oct 3 under BOL YD; the receipt there on Oct 5 under BOL YD
// names the lot by a quantity line "YD 10,000 kg", not the container
// (new-user finding nu38a item 1). Declaring the shipment in error alone
// would leave the receipt receiving under BOL YD what no shipment
// carried, as a fresh capture of it is refused: refused 409 naming the
// receipt, nothing stored, YD still in stock at Karachi (10 t). Declared
// together with the receipt it is taken, and YD is back in stock at mb
// with its 10 t.
//
// The same the other way round: the shipment names the lot by line, the
// receipt the container alone.
func testContainerShipLineReceiptDeclared(t *testing.T, open Opener) {
	for _, shipLoose := range []bool{false, true} {
		t.Run(map[bool]string{false: "shipped in container, received by line", true: "shipped by line, received in container"}[shipLoose], func(t *testing.T) {
			ydLineAndContainer(t, open, shipLoose)
		})
	}
}

func ydLineAndContainer(t *testing.T, open Opener, shipLoose bool) {
	ctx := context.Background()
	s := open(t)
	svc := custody.NewService(s)
	ship := ydMove("yd-ship", "shipping", "mb", 3, "YD", shipLoose)
	recv := ydMove("yd-recv", "receiving", "khi", 5, "YD", !shipLoose)
	MustCapture(t, svc, ctDoc(csLot("YD"), ctPack("yd-pack", "ADD", ydBox, 2, "YD:10000"), ship, recv))
	if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:khi" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Fatalf("YD after its receipt by line: %s at %s, %v t; want in_stock at khi, 10 t", l.Status, l.Location, l.RemainingWetTonnes())
	}
	n := ccEvents(t, s)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(ship)))})
	if err == nil || critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:ev:yd-recv") {
		t.Errorf("container-only shipment declared in error while the receipt by line stands: %v; want 409 naming urn:t:ev:yd-recv", err)
	}
	if ccEvents(t, s) != n {
		t.Errorf("refused declaration stored something: %d events, had %d", ccEvents(t, s), n)
	}
	if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:khi" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("YD after the refused declaration: %s at %s, %v t; want in_stock at khi, 10 t", l.Status, l.Location, l.RemainingWetTonnes())
	}
	MustCapture(t, svc, ctDoc(ydDeclared(ship), ydDeclared(recv)))
	if l := mustLot(t, s, "urn:t:lot:YD"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("YD after both declared: %s at %s, %v t; want in_stock at mb, 10 t", l.Status, l.Location, l.RemainingWetTonnes())
	}
}

// DeclaredPackingDocuments are, for the API's tests, lot YP (10,000 kg at
// mb) packed into ydBox on Oct 2 (urn:t:ev:yp-pack), then that packing
// declared in error: the lot's event list holds the packing once.
var DeclaredPackingDocuments = [2]string{
	ctDoc(csLot("YP"), ctPack("yp-pack", "ADD", ydBox, 2, "YP:10000")),
	ctDoc(ydDeclared(ctPack("yp-pack", "ADD", ydBox, 2, "YP:10000"))),
}
