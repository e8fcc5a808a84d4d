package custody

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// Nested containers holding material are refused, not followed
// (new-user check W2, W3): a container packed into another by childEPCs
// (EPCIS 2.0 §7.3.5: an aggregation's childEPCs are its contents) would
// have to move with its parent, stand where it was unpacked and give
// what it holds to a run fed its parent whole or a line drawn beside it;
// the ledger's reading of what containers hold and where they stand
// (ledger.Holdings, ledger.ContentsAt, the store's projection and
// verify's rebuild) follows one level only. Accepting it read C1,
// unpacked from P at the port after P's trip, as still standing at the
// mine (and shipped from there again), and a line drawn beside P took
// 2 t out of C1 while C1 still "held" them. So nestCheck refuses, 409
// naming both containers, nothing stored:
//   - a packing (ADD or OBSERVE) into P naming in its childEPCs a
//     container C that material was packed into — a live ADD or OBSERVE
//     with C as parentID stating a childQuantityList or naming a
//     commissioned instance (a lot, ledger.Holdings.Material) in its
//     childEPCs, stored or earlier in the document, at any time;
//   - a packing of material (as above) into P while P is inside a
//     container Q: packed into Q by childEPCs (at any time) and not
//     unpacked from Q (a DELETE of Q naming P, or naming no child)
//     after that and at or before the packing into P.
// Packaging holding no material (empty cases on a pallet) nests as
// before (ledger.Containment; a loop is refused 400 by
// ledger.CheckPackingCycle). Unpacking (DELETE) is not refused, so a
// store holding nested packings from before can still be emptied.

// nestCheck refuses ev, a live event of the document, when it packs a
// container holding material into a container, or material into a
// container inside another.
func (j *contentsJudge) nestCheck(ev *critmin.Event) error {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" || ev.Action == "DELETE" {
		return nil
	}
	p := epcis.Canonical(ev.ParentID)
	for i, e := range ev.EPCs {
		if e.Role != critmin.RoleChild {
			continue
		}
		c := epcis.Canonical(e.EPC)
		if c == p {
			continue // a loop: ledger.CheckPackingCycle
		}
		packs, err := j.packingsOf(c)
		if err != nil {
			return err
		}
		for _, pk := range packs {
			if pk.EventID == ev.EventID || pk.Action == "DELETE" {
				continue
			}
			m, err := j.packsMaterial(pk)
			if err != nil {
				return err
			}
			if m {
				return nestRefused(ev, fmt.Sprintf("event %s packs container %s, which material was packed into (event %s on %s), into container %s",
					ev.EventID, e.EPC, pk.EventID, pk.EventTime.UTC().Format(time.RFC3339), ev.ParentID), "childEPCs", childAt(ev, i))
			}
		}
	}
	m, err := j.packsMaterial(ev)
	if err != nil || !m {
		return err
	}
	in, err := j.insideOf(p, ev)
	if err != nil {
		return err
	}
	if in != nil {
		return nestRefused(ev, fmt.Sprintf("event %s packs material into container %s, which is inside container %s (event %s packed it there on %s, and it was not unpacked before)",
			ev.EventID, ev.ParentID, in.ParentID, in.EventID, in.EventTime.UTC().Format(time.RFC3339)), "parentID", -1)
	}
	return nil
}

// packsMaterial says whether packing pk (ADD or OBSERVE) puts material
// in its container: a childQuantityList line, or a childEPC commissioned
// as a lot of its own (contentsJudge.commissioned).
func (j *contentsJudge) packsMaterial(pk *critmin.Event) (bool, error) {
	if len(pk.Quantities) > 0 {
		return true, nil
	}
	for _, e := range pk.EPCs {
		if e.Role != critmin.RoleChild {
			continue
		}
		m, err := j.commissioned(epcis.Canonical(e.EPC))
		if err != nil || m {
			return m, err
		}
	}
	return false, nil
}

// insideOf is the live packing (ADD or OBSERVE, stored or earlier in the
// document) that put container p (canonical) into another container and
// that no DELETE of that container naming p, or naming no child, dated
// after it and at or before ev undid; nil if none.
func (j *contentsJudge) insideOf(p string, ev *critmin.Event) (*critmin.Event, error) {
	var ins []*critmin.Event
	if q, can := j.s.(eventQuerier); can {
		page, err := q.FindEvents(j.ctx, critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent},
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleChild}, Patterns: []string{p}, Exact: true}}, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, st := range page.Events {
			if ledger.Live(st) && !j.declared[st.EventID] {
				ins = append(ins, decodeStored(st))
			}
		}
	}
	ins = append(ins, j.childPacks[p]...)
	sort.SliceStable(ins, func(a, b int) bool { return ins[a].EventTime.Before(ins[b].EventTime) })
	for _, in := range ins {
		if in.Action == "DELETE" || in.EventID == ev.EventID {
			continue
		}
		q := epcis.Canonical(in.ParentID)
		if q == "" {
			continue
		}
		packs, err := j.packingsOf(q)
		if err != nil {
			return nil, err
		}
		undone := false
		for _, d := range packs {
			if d.Action != "DELETE" || !d.EventTime.After(in.EventTime) || d.EventTime.After(ev.EventTime) {
				continue
			}
			names, any := false, false
			for _, e := range d.EPCs {
				if e.Role == critmin.RoleChild || e.Role == critmin.RoleEPC {
					any = true
					names = names || epcis.Canonical(e.EPC) == p
				}
			}
			if names || !any && len(d.Quantities) == 0 {
				undone = true
				break
			}
		}
		if !undone {
			return in, nil
		}
	}
	return nil, nil
}

// noteChildPacks keeps the document's live aggregation ev under each
// instance its childEPCs name (insideOf).
func (j *contentsJudge) noteChildPacks(ev *critmin.Event) {
	if ev.Type != critmin.AggregationEvent || j.declared[ev.EventID] {
		return
	}
	if j.childPacks == nil {
		j.childPacks = map[string][]*critmin.Event{}
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleChild {
			k := epcis.Canonical(e.EPC)
			j.childPacks[k] = append(j.childPacks[k], ev)
		}
	}
}

func nestRefused(ev *critmin.Event, what, member string, at int) error {
	reason := what + ": nested containers are not followed (a container inside another would have to move with it, stand where it was unpacked and give what it holds to what its parent is fed or shipped whole) — unpack the inner container's lots and pack them into the outer container by childQuantityList, or keep the containers apart"
	ptr := "event " + ev.EventID + "/" + member
	if at >= 0 {
		ptr = fmt.Sprintf("%s/%d", ptr, at)
	}
	return &critmin.Error{Code: critmin.ECONFLICT, Message: strings.TrimSpace(reason) + "; nothing was stored",
		Fields: []critmin.FieldError{{Conflict: true, Pointer: ptr, Reason: reason}}}
}

// childAt is the place in ev's childEPCs of its EPCs[i].
func childAt(ev *critmin.Event, i int) int {
	n := 0
	for k := 0; k < i; k++ {
		if ev.EPCs[k].Role == critmin.RoleChild {
			n++
		}
	}
	return n
}
