package refinery

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/critmin/critmin"
)

// ErrUndetermined marks a closed period whose recovery of an element
// cannot be used: the balances do not determine it (an unobservable
// quantity feeds or carries the element) or it lies outside [0, 1]. The
// error RecoveryFor returns wraps it beside a critmin.ECONFLICT error
// that names the element, the stream and why; test with errors.Is.
var ErrUndetermined = errors.New("refinery: recovery cannot be determined")

// ErrNotAccounted marks a closed period that does not account an
// element asked for (its problem does not list it). The error
// RecoveryFor returns wraps it beside a critmin.ENOTFOUND error naming
// the element and the period: a consumer passing over such a closed
// period must say so (the planner warns, the mass balance names it in
// the factor's source), never skip it silently.
var ErrNotAccounted = errors.New("refinery: element not accounted in the closed period")

// RecoveryFault is one recovery a result cannot give: Element (or
// group), Stream (the outgoing stream, "" for the element's feed as a
// whole), Node ("" for the flowsheet-wide account), Pointer the JSON
// pointer of an unobservable quantity at cause (when there is one) and
// Reason in words.
type RecoveryFault struct {
	Element string
	Node    string
	Stream  string
	Pointer string
	Reason  string
}

func (f RecoveryFault) String() string {
	where := "overall"
	if f.Node != "" {
		where = "at node " + f.Node
	}
	s := fmt.Sprintf("%s recovery %s", f.Element, where)
	if f.Stream != "" {
		s += " to " + f.Stream
	}
	return s + ": " + f.Reason
}

// recoveryFaults lists every recovery of r that cannot be used for the
// elements els (all of r's when els is nil): each element's overall
// recovery to every outgoing stream and, when nodes is true, each node's
// recovery to each of its outgoing streams must be a number in [0, 1]
// (with a tolerance of BoundTol). Where a recovery is null it names the
// unobservable quantities at cause.
func recoveryFaults(p *Problem, r *Result, els []string, nodes bool) []RecoveryFault {
	if els == nil {
		els = r.Elements
	}
	stream := map[string]*StreamResult{}
	for i := range r.Streams {
		stream[r.Streams[i].ID] = &r.Streams[i]
	}
	ptrOf := map[string]int{}
	for i, s := range p.Streams {
		ptrOf[s.ID] = i
	}
	// unobservable names the unobservable mass or grade of e on the
	// streams (or stocks) that match.
	unobservable := func(e string, match func(sr *StreamResult) bool, node string) []RecoveryFault {
		var out []RecoveryFault
		for _, sr := range r.Streams {
			if !match(&sr) {
				continue
			}
			i := ptrOf[sr.ID]
			if sr.Mass.Class == ClassUnobservable {
				out = append(out, RecoveryFault{Element: e, Node: node, Pointer: fmt.Sprintf("/streams/%d/mass_t", i),
					Reason: fmt.Sprintf("the mass of stream %s is unobservable (not measured, and the balances do not determine it)", sr.ID)})
			}
			if g := sr.Grade[e]; g.Class == ClassUnobservable {
				out = append(out, RecoveryFault{Element: e, Node: node, Pointer: fmt.Sprintf("/streams/%d/grade_pct/%s", i, e),
					Reason: fmt.Sprintf("the %s grade of stream %s is unobservable (not measured, and the balances do not determine it)", e, sr.ID)})
			}
		}
		return out
	}
	var out []RecoveryFault
	for _, e := range els {
		var a *ElementResult
		for i := range r.Accounts {
			if r.Accounts[i].Element == e {
				a = &r.Accounts[i]
			}
		}
		if a == nil {
			out = append(out, RecoveryFault{Element: e, Reason: "the element is not accounted"})
			continue
		}
		if !a.FeedT.Known() {
			fs := unobservable(e, func(sr *StreamResult) bool { return sr.From == "" }, "")
			if len(fs) == 0 {
				fs = []RecoveryFault{{Element: e, Reason: "the tonnes of it fed cannot be determined"}}
			}
			for i := range fs {
				fs[i].Reason = "the feed cannot be determined: " + fs[i].Reason
			}
			out = append(out, fs...)
		} else if !(float64(a.Sources()) > 0) {
			// Nothing fed and no stock drawn down: no recovery exists. A close records none
			// (its deportment still says where any stock went); a
			// consumer asking for one is told so.
			if !nodes {
				out = append(out, RecoveryFault{Element: e, Reason: fmt.Sprintf("%s t of it was fed in the period and no stock of it was drawn down: a recovery is a share of the feed plus stock drawn down", Fig(float64(a.FeedT)))})
			}
			continue
		}
		for _, id := range sortedKeys(a.Recovery) {
			x := a.Recovery[id]
			switch {
			case !x.Known():
				fs := unobservable(e, func(sr *StreamResult) bool { return sr.ID == id }, "")
				if len(fs) == 0 && !a.FeedT.Known() {
					continue // the feed's fault says why
				}
				if len(fs) == 0 {
					fs = []RecoveryFault{{Element: e, Reason: "its content of the element cannot be determined"}}
				}
				for i := range fs {
					fs[i].Stream = id
				}
				out = append(out, fs...)
			case float64(x) < -BoundTol || float64(x) > 1+BoundTol:
				out = append(out, RecoveryFault{Element: e, Stream: id, Reason: fmt.Sprintf("the recovery is %.6g, outside [0, 1]", float64(x))})
			}
		}
		if !nodes {
			continue
		}
		for _, n := range r.Nodes {
			// A node the element does not enter (0 t in, all known) has
			// no recovery of it.
			in, known := 0.0, true
			for _, sr := range r.Streams {
				if sr.To == n.ID {
					x := sr.Contained[e]
					known = known && x.Known()
					in += float64(x)
				}
			}
			if n.Inventory != nil {
				o := float64(n.Inventory.Opening.Value) * float64(n.Inventory.OpeningGrade[e].Value) / 100
				known = known && finite(o)
				in += o
			}
			if known && in == 0 {
				continue
			}
			rec := n.Recovery[e]
			for _, id := range sortedKeys(rec) {
				x := rec[id]
				switch {
				case !x.Known():
					fs := unobservable(e, func(sr *StreamResult) bool { return sr.To == n.ID || sr.ID == id }, n.ID)
					if len(fs) == 0 {
						fs = []RecoveryFault{{Element: e, Node: n.ID, Reason: "the node's input of the element cannot be determined"}}
					}
					for i := range fs {
						fs[i].Stream = id
					}
					out = append(out, fs...)
				case float64(x) < -BoundTol || float64(x) > 1+BoundTol:
					out = append(out, RecoveryFault{Element: e, Node: n.ID, Stream: id, Reason: fmt.Sprintf("the recovery is %.6g, outside [0, 1]", float64(x))})
				}
			}
		}
	}
	return out
}

// faultError turns faults into one error: a critmin error of code with
// every fault as a field (its pointer, or "/elements" when it has none).
func faultError(code, lead string, fs []RecoveryFault) *critmin.Error {
	var msgs []string
	var fields []critmin.FieldError
	for _, f := range fs {
		msgs = append(msgs, f.String())
		ptr := f.Pointer
		if ptr == "" {
			ptr = "/elements"
		}
		fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: f.String()})
	}
	sort.SliceStable(fields, func(a, b int) bool { return fields[a].Pointer < fields[b].Pointer })
	e := critmin.Errorf(code, "%s: %s", lead, strings.Join(dedupe(msgs), "; "))
	e.Fields = fields
	return e
}

// finite reports whether x is a number (not NaN, not ±Inf).
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
