package custody

import (
	"context"
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
//     container C that holds material at the packing's time (HeldAt:
//     live packings of C stating a childQuantityList or naming a
//     commissioned instance, ledger.Holdings.Material, in its
//     childEPCs, stored or earlier in the document, less what left it
//     by then — an emptied reusable container nests as packaging), or
//     that material is packed into after it with no unpacking of C
//     from P between (a nesting back-dated before a stored packing);
//   - a packing of material (as above) into P while P is inside a
//     container Q: packed into Q by childEPCs (at any time) and not
//     unpacked from Q (a DELETE of Q naming P, or naming no child)
//     after that and at or before the packing into P.
//   - an event making material of an instance packed into C while C
//     is inside P (madeNestCheck: a bag packed empty, then
//     commissioned with ILMD or output by a run, either order in time).
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
		if mat, err := j.material(c); err != nil || mat {
			// A lot packed by instance (a commissioned bag) is no
			// container.
			if err != nil {
				return err
			}
			continue
		}
		// What c holds when ev packs it (an emptied reusable container
		// nests as empty packaging), or material packed into it after
		// ev with no unpacking of c from ev's parent between (a nesting
		// back-dated before a stored packing).
		held, err := j.heldAt(c, ev.EventTime, ev)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return nestRefused(ev, fmt.Sprintf("event %s packs container %s, which holds %s on %s, into container %s",
				ev.EventID, e.EPC, heldKg(held), ev.EventTime.UTC().Format(time.RFC3339), ev.ParentID), "childEPCs", childAt(ev, i))
		}
		packs, err := j.packingsOf(c)
		if err != nil {
			return err
		}
		var outer []*critmin.Event
		for _, m := range packs {
			if m.EventID == ev.EventID || m.Action == "DELETE" || !m.EventTime.After(ev.EventTime) {
				continue
			}
			mat, err := j.packsMaterial(m)
			if err != nil {
				return err
			}
			if !mat {
				continue
			}
			if outer == nil {
				if outer, err = j.packingsOf(p); err != nil {
					return err
				}
			}
			if unpackedBetween(outer, c, ev.EventTime, m.EventTime) == nil {
				return nestRefused(ev, fmt.Sprintf("event %s packs container %s into container %s on %s, and event %s packs material into it on %s with no unpacking of it from %s between",
					ev.EventID, e.EPC, ev.ParentID, ev.EventTime.UTC().Format(time.RFC3339), m.EventID, m.EventTime.UTC().Format(time.RFC3339), ev.ParentID), "childEPCs", childAt(ev, i))
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
		what, err := j.materialNamed(ev)
		if err != nil {
			return err
		}
		return nestRefused(ev, fmt.Sprintf("event %s packs material (%s) into container %s, which is inside container %s (event %s packed it there on %s, and it was not unpacked before)",
			ev.EventID, what, ev.ParentID, in.ParentID, in.EventID, in.EventTime.UTC().Format(time.RFC3339)), "parentID", -1)
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

// materialNamed words the material packing pk puts in its container
// (packsMaterial): its childQuantityList classes and its commissioned
// childEPCs, as pk spells them.
func (j *contentsJudge) materialNamed(pk *critmin.Event) (string, error) {
	var out []string
	for _, q := range pk.Quantities {
		out = append(out, q.EPCClass)
	}
	for _, e := range pk.EPCs {
		if e.Role != critmin.RoleChild {
			continue
		}
		m, err := j.commissioned(epcis.Canonical(e.EPC))
		if err != nil {
			return "", err
		}
		if m {
			out = append(out, e.EPC)
		}
	}
	return strings.Join(dedupe(out), ", "), nil
}

// insideOf is the live packing (ADD or OBSERVE, stored or earlier in the
// document) that put container p (canonical) into another container and
// that no DELETE of that container naming p, or naming no child, dated
// after it and at or before ev undid; nil if none.
func (j *contentsJudge) insideOf(p string, ev *critmin.Event) (*critmin.Event, error) {
	ins, err := j.insidesOf(p, ev)
	if err != nil || len(ins) == 0 {
		return nil, err
	}
	return ins[0], nil
}

// insidesOf is every packing insideOf could name, in event-time order.
func (j *contentsJudge) insidesOf(p string, ev *critmin.Event) ([]*critmin.Event, error) {
	ins, err := j.nestingsOf(p)
	if err != nil {
		return nil, err
	}
	var out []*critmin.Event
	for _, in := range ins {
		if in.EventID == ev.EventID {
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
		if unpackedBetween(packs, p, in.EventTime, ev.EventTime) == nil {
			out = append(out, in)
		}
	}
	return out, nil
}

// unpackedBetween is the first of packs (a container's live packings,
// in event-time order) that unpacks instance x (canonical) from it — a
// DELETE naming x, or naming no child — dated after from and at or
// before to; nil if none.
func unpackedBetween(packs []*critmin.Event, x string, from, to time.Time) *critmin.Event {
	for _, d := range packs {
		if d.Action != "DELETE" || !d.EventTime.After(from) || d.EventTime.After(to) {
			continue
		}
		names, any := false, false
		for _, e := range d.EPCs {
			if e.Role == critmin.RoleChild || e.Role == critmin.RoleEPC {
				any = true
				names = names || epcis.Canonical(e.EPC) == x
			}
		}
		if names || !any && len(d.Quantities) == 0 {
			return d
		}
	}
	return nil
}

// madeNestCheck refuses ev, a live event of the document that makes
// instance k (canonical) material — commissions it with facts of its
// own (an ObjectEvent ADD with ILMD, a run's outputEPCList), whenever it
// is dated — when k stands in a container C (a live packing naming k in
// its childEPCs) while C stands inside another container Q: k packed
// into C and not unpacked from it before C's packing into Q, or C
// packed into Q and not unpacked from Q before k's packing into C. The
// packing of k was taken as packaging (no material); ev would make it a
// packing of material into a container inside another, which nestCheck
// refuses (new-user check: a bag packed empty into C2, C2 into P2, the
// bag then commissioned; P2 shipped to the port while a run at the mine
// fed the bag).
func (j *contentsJudge) madeNestCheck(ev *critmin.Event, k string) error {
	packs, err := j.nestingsOf(k)
	if err != nil {
		return err
	}
	bag := k // as ev spells it
	member := "ilmd"
	for _, e := range ev.EPCs {
		if epcis.Canonical(e.EPC) == k {
			bag = e.EPC
			member = map[string]string{critmin.RoleEPC: "epcList", critmin.RoleOutput: "outputEPCList", critmin.RoleInput: "inputEPCList"}[e.Role]
			break
		}
	}
	if member == "" {
		member = "ilmd"
	}
	when := func(e *critmin.Event) string { return e.EventTime.UTC().Format(time.RFC3339) }
	for _, pk := range packs {
		c := epcis.Canonical(pk.ParentID)
		if c == k {
			continue
		}
		ns, err := j.nestingsOf(c)
		if err != nil {
			return err
		}
		cPacks, err := j.packingsOf(c)
		if err != nil {
			return err
		}
		for _, n := range ns {
			q := epcis.Canonical(n.ParentID)
			if q == c || q == k {
				continue
			}
			if !pk.EventTime.After(n.EventTime) {
				if unpackedBetween(cPacks, k, pk.EventTime, n.EventTime) != nil {
					continue
				}
			} else {
				qPacks, err := j.packingsOf(q)
				if err != nil {
					return err
				}
				if unpackedBetween(qPacks, c, n.EventTime, pk.EventTime) != nil {
					continue
				}
			}
			return nestRefused(ev, fmt.Sprintf("event %s (%s on %s) makes %s material, a lot of its own, but %s stands in container %s (event %s packed it there on %s) while container %s stands inside container %s (event %s packed it there on %s, and no unpacking came between): material would stand inside a container that is inside another",
				ev.EventID, orNone(stepName(ev.BizStep)), when(ev), bag, bag, pk.ParentID, pk.EventID, when(pk), pk.ParentID, n.ParentID, n.EventID, when(n)), member, -1)
		}
	}
	return nil
}

// nestingsOf is the live packings (ADD or OBSERVE, stored or earlier in
// the document) naming p (canonical) in their childEPCs, in event-time
// order.
func (j *contentsJudge) nestingsOf(p string) ([]*critmin.Event, error) {
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
	out := ins[:0]
	for _, in := range ins {
		if in.Action != "DELETE" && in.ParentID != "" {
			out = append(out, in)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].EventTime.Before(out[b].EventTime) })
	return out, nil
}

// nestedHolding words how container x (canonical) holds material while
// n, a live packing naming x in its childEPCs, keeps it inside n's
// parent — what x held when n packed it (ledger.Holdings.HeldAt), or a
// packing of material into x after n while n still stands (insidesOf:
// no unpacking of x from n's parent before it) — "" when it does not.
// This is what the ledger cannot read (nestCheck), judged on the record
// as j reads it: stored, less the document's declarations in error,
// with the document's live events.
func (j *contentsJudge) nestedHolding(n *critmin.Event, x string) (string, error) {
	if x == epcis.Canonical(n.ParentID) {
		return "", nil
	}
	held, err := j.heldAt(x, n.EventTime, n)
	if err != nil {
		return "", err
	}
	c := x // as n spells it
	for _, e := range n.EPCs {
		if e.Role == critmin.RoleChild && epcis.Canonical(e.EPC) == x {
			c = e.EPC
			break
		}
	}
	if len(held) > 0 {
		return fmt.Sprintf("container %s held %s when event %s packed it into container %s on %s",
			c, heldKg(held), n.EventID, n.ParentID, n.EventTime.UTC().Format(time.RFC3339)), nil
	}
	packs, err := j.packingsOf(x)
	if err != nil {
		return "", err
	}
	for _, m := range packs {
		if m.Action == "DELETE" || !m.EventTime.After(n.EventTime) {
			continue
		}
		if mat, err := j.packsMaterial(m); err != nil || !mat {
			if err != nil {
				return "", err
			}
			continue
		}
		ins, err := j.insidesOf(x, m)
		if err != nil {
			return "", err
		}
		for _, in := range ins {
			if in.EventID == n.EventID {
				return fmt.Sprintf("event %s packed material into container %s on %s while it stood inside container %s (event %s packed it there on %s, and no unpacking of it came between)",
					m.EventID, c, m.EventTime.UTC().Format(time.RFC3339), n.ParentID, n.EventID, n.EventTime.UTC().Format(time.RFC3339)), nil
			}
		}
	}
	return "", nil
}

// declNestCheck refuses the document when one of its declarations in
// error would leave a container holding material inside another: the
// declared event an unpacking (AggregationEvent DELETE) — of a
// container from its parent (the packing it undid stands again while
// material is packed into the container after it), or of what a
// container held (what it held is in it again when it was packed into
// another) — and the nesting not in the record before the document
// (a store holding it from before nestCheck is reported by verify,
// StoredNesting). A corrective of the document (a live unpacking in
// it) that undoes the nesting again is counted: the record judged is
// the one the whole document leaves. Runs after every live event of
// the document was given to next.
func (j *contentsJudge) declNestCheck() error {
	var before *contentsJudge
	type pair struct {
		n *critmin.Event
		x string
	}
	for _, d := range j.decls {
		var pairs []pair
		if d.Type == critmin.AggregationEvent && d.Action == "DELETE" && d.ParentID != "" {
			// The packings into its parent it may have undone.
			into, err := j.packingsOf(epcis.Canonical(d.ParentID))
			if err != nil {
				return err
			}
			for _, n := range into {
				if n.Action == "DELETE" || n.EventTime.After(d.EventTime) {
					continue
				}
				for _, e := range n.EPCs {
					if e.Role == critmin.RoleChild {
						pairs = append(pairs, pair{n, epcis.Canonical(e.EPC)})
					}
				}
			}
		}
		// The packings, after it, of each container it names (its
		// parent, what a run was fed whole, what it moved) into another:
		// it may have emptied the container before them (an unpacking
		// of what it held, a run fed it whole).
		for _, c := range containersNamed(d) {
			q := epcis.Canonical(c)
			of, err := j.nestingsOf(q)
			if err != nil {
				return err
			}
			for _, n := range of {
				if n.EventTime.After(d.EventTime) {
					pairs = append(pairs, pair{n, q})
				}
			}
		}
		// The packings, after it, of each container holding a lot it
		// names by quantity into another: a line or a run's input by
		// quantity draws the lot out of the containers holding it
		// (ledger.LineDraw; its loose rest first), a sampling or a
		// partial shipping alike, and may have emptied one before
		// them (new-user check W9, W10). Judged, like the others, by
		// what the container holds without d (nestedHolding) against
		// the record before the document.
		drew, err := j.containersHolding(d.LotIDs())
		if err != nil {
			return err
		}
		for _, q := range drew {
			of, err := j.nestingsOf(q)
			if err != nil {
				return err
			}
			for _, n := range of {
				if n.EventTime.After(d.EventTime) {
					pairs = append(pairs, pair{n, q})
				}
			}
		}
		what := "event " + d.EventID
		if len(drew) > 0 && len(d.LotIDs()) > 0 {
			what = fmt.Sprintf("event %s (which drew %s out of the containers holding it)", d.EventID, strings.Join(d.LotIDs(), ", "))
		}
		if d.Type == critmin.AggregationEvent && d.Action == "DELETE" {
			what = fmt.Sprintf("event %s (an unpacking of container %s)", d.EventID, d.ParentID)
		} else if ledger.FeedsContainers(d) {
			what = fmt.Sprintf("event %s (a run fed %s whole)", d.EventID, strings.Join(containersNamed(d), ", "))
		}
		for _, p := range pairs {
			if mat, err := j.material(p.x); err != nil || mat {
				// A lot packed by instance is no container.
				if err != nil {
					return err
				}
				continue
			}
			holds, err := j.nestedHolding(p.n, p.x)
			if err != nil {
				return err
			}
			if holds == "" {
				continue
			}
			if before == nil {
				before = newContentsJudge(j.ctx, j.s, nil)
			}
			was, err := before.nestedHolding(p.n, p.x)
			if err != nil {
				return err
			}
			if was != "" {
				continue // in the record already: verify reports it
			}
			return nestRefused(d, fmt.Sprintf("declaring %s in error would leave a container holding material inside container %s: %s",
				what, p.n.ParentID, holds), "errorDeclaration", -1)
		}
	}
	return nil
}

// containersHolding is the containers (canonical, sorted) a live packing
// (ADD or OBSERVE, stored or the document's so far) put one of lots in
// by a childQuantityList line: those a line or a run's quantity input
// of the lot draws from (ledger.LineDraw).
func (j *contentsJudge) containersHolding(lots []string) ([]string, error) {
	if len(lots) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	var pats []string
	for _, l := range lots {
		k := epcis.Canonical(l)
		if !want[k] {
			want[k] = true
			pats = append(pats, k)
		}
	}
	seen := map[string]bool{}
	var out []string
	add := func(pk *critmin.Event) {
		if pk.Action == "DELETE" || pk.ParentID == "" {
			return
		}
		for _, k := range ledger.Children(pk) {
			if c := epcis.Canonical(pk.ParentID); k.Class && want[epcis.Canonical(k.Child)] && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	if q, can := j.s.(eventQuerier); can {
		page, err := q.FindEvents(j.ctx, critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent},
			ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleChild}, Patterns: pats, Exact: true}}, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, st := range page.Events {
			if ledger.Live(st) && !j.declared[st.EventID] {
				add(decodeStored(st))
			}
		}
	}
	for _, packs := range j.packs {
		for _, pk := range packs {
			add(pk)
		}
	}
	sort.Strings(out)
	return out, nil
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

// NestingProblem is a stored live packing that keeps a container holding
// material inside another (nestedHolding): the record read wrongly
// (docs/epcis.md "Nested containers holding material are refused"),
// stored before capture refused it. verify reports it (docs/verify.md).
type NestingProblem struct {
	Event  string `json:"event"`
	Inner  string `json:"inner"`
	Outer  string `json:"outer"`
	Detail string `json:"detail"`
}

func (p *NestingProblem) Error() string {
	return fmt.Sprintf("event %s packs container %s into container %s while it holds material: %s — the ledger follows one level of containers, so where %s stands and what it gives are read wrongly; declare the nesting in error (errorDeclaration) and pack the lots into %s by childQuantityList, or unpack %s",
		p.Event, p.Inner, p.Outer, p.Detail, p.Inner, p.Outer, p.Inner)
}

// StoredNesting judges the stored live packings nestings (ADD or OBSERVE
// AggregationEvents naming in their childEPCs a container that is the
// parent of a packing) as capture would judge a declaration leaving them
// (nestedHolding) and returns the first, in the order given, that keeps
// a container holding material inside another; nil when none does.
func StoredNesting(ctx context.Context, s Store, nestings []*critmin.Event) (*NestingProblem, error) {
	j := newContentsJudge(ctx, consistent(s), nil)
	for _, n := range nestings {
		if n.Type != critmin.AggregationEvent || n.Action == "DELETE" || n.ParentID == "" || !ledger.Live(n) {
			continue
		}
		for _, e := range n.EPCs {
			if e.Role != critmin.RoleChild {
				continue
			}
			x := epcis.Canonical(e.EPC)
			if mat, err := j.material(x); err != nil || mat {
				if err != nil {
					return nil, err
				}
				continue
			}
			what, err := j.nestedHolding(n, x)
			if err != nil {
				return nil, err
			}
			if what != "" {
				return &NestingProblem{Event: n.EventID, Inner: e.EPC, Outer: n.ParentID, Detail: what}, nil
			}
		}
	}
	return nil, nil
}

// nestedAnomalies are the nested_container anomalies of lot l: a
// container l was packed into (a live packing naming it in its
// childQuantityList or childEPCs) that a stored packing keeps, holding
// material, inside another container (nestedHolding), stored before
// capture refused it. The ledger follows one level of containers, so
// where l stands, what moved it and what a run fed the outer container
// took of it are read wrongly: the lot page lists the anomaly, and a
// covered-country rule that would pass says so (verdict detail,
// nestedNotes) rather than pass silently. verify reports the packing
// (StoredNesting).
func nestedAnomalies(ctx context.Context, s Store, l *critmin.Lot) ([]Anomaly, error) {
	q, ok := s.(eventQuerier)
	if !ok || l == nil || l.ID == "" {
		return nil, nil
	}
	id := epcis.Canonical(l.ID)
	seen := map[string]bool{}
	var boxes []string
	for _, f := range []critmin.EventFilter{
		{EventTypes: []string{critmin.AggregationEvent}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleChild}, Patterns: []string{id}, Exact: true}}, Limit: 1000},
		{EventTypes: []string{critmin.AggregationEvent}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleChild}, Patterns: []string{id}, Exact: true}}, Limit: 1000},
	} {
		page, err := q.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Events {
			if !ledger.Live(e) {
				continue
			}
			if e = decodeStored(e); e.Action == "DELETE" || e.ParentID == "" {
				continue
			}
			if c := epcis.Canonical(e.ParentID); !seen[c] {
				seen[c] = true
				boxes = append(boxes, c)
			}
		}
	}
	if len(boxes) == 0 {
		return nil, nil
	}
	sort.Strings(boxes)
	j := newContentsJudge(ctx, s, nil)
	var out []Anomaly
	for _, c := range boxes {
		ns, err := j.nestingsOf(c)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			what, err := j.nestedHolding(n, c)
			if err != nil {
				return nil, err
			}
			if what == "" {
				continue
			}
			out = append(out, Anomaly{Kind: "nested_container", Events: []string{n.EventID},
				Detail: fmt.Sprintf("lot %s was packed into container %s, which event %s keeps inside container %s while it holds material (%s): the ledger follows one level of containers, so where the lot stands, what moved it and what a run fed %s whole took of it are read wrongly, and no rule on where it was handled can be shown; declare the nesting in error and repack the lots into %s by childQuantityList (docs/epcis.md, nested containers)",
					l.ID, c, n.EventID, n.ParentID, what, n.ParentID, n.ParentID)})
			break
		}
	}
	return out, nil
}

// nestedNotes is "; " + each nested_container anomaly of c, "" when
// there is none.
func nestedNotes(c *Composition) string {
	if c == nil {
		return ""
	}
	var out []string
	for _, a := range c.Anomalies {
		if a.Kind == "nested_container" {
			out = append(out, a.Detail)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(dedupe(out), "; ")
}

// heldKg names what a container holds: each class with its mass
// ("urn:…:lot:QX 6 t"), comma-separated.
func heldKg(held []critmin.QuantityElement) string {
	what := make([]string, 0, len(held))
	for _, q := range held {
		w := q.EPCClass
		if q.Quantity != nil {
			w += " " + kgWords(*q.Quantity, q.UOM)
		}
		what = append(what, w)
	}
	return strings.Join(what, ", ")
}
