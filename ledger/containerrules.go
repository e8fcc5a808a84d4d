package ledger

import (
	"fmt"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// The container rules of fixQr and fixQu as functions of the ledger
// reading, so that capture (custody) and verify (sqldb, over the
// contents the projection gave each event: event_contents) judge a
// record alike (issue 8, fix depth): a record stored before the rules,
// or left breaking them by a later capture, reads the same in verify's
// rebuild as it was stored, and only a rule applied to that reading
// finds it.

// The two faults of a line beside containers (BesideFault).
const (
	BesideAbove = 1 // the line is above what the containers hold plus the loose rest
	BesideBelow = 2 // the line is below what the containers hold
)

// BesideJudged says whether ev is judged by the line-beside-containers
// rule: a dispatch that starts a container's trip (an ObjectEvent
// shipping, departing or loading, CBV 2.0 §7.2, not a DELETE) or a run
// (its inputs).
func BesideJudged(ev *critmin.Event) bool {
	if ev.Type == critmin.TransformationEvent {
		return true
	}
	step := ev.BizStep
	if i := strings.LastIndexAny(step, ":-/"); i >= 0 {
		step = step[i+1:] // CBV 2.0 bare, URN or Web URI (BizStep-shipping)
	}
	switch step {
	case "shipping", "departing", "loading":
		return ev.Type == critmin.ObjectEvent && ev.Action != "DELETE"
	}
	return false
}

// BesideFault judges a line of t wet tonnes of a lot beside containers
// holding held tonnes of it, where loose tonnes of it stand packed in
// no container (loose < 0: not known, the upper bound is not judged).
// The line moves, or the run takes, what is inside the containers —
// their contents change only through an AggregationEvent or a run
// consuming them (EPCIS 2.0 §7.3.5) — and at most the loose rest
// besides, within ConsumedTolerance (0.5 %): 6 t in C1 beside a 10 t
// line with nothing loose is above (6 × 1.005 = 6.03 t < 10 t); 10 t in
// [C1, C2] beside a 1 t line is below (1 × 1.005 = 1.005 t < 10 t);
// beside 9.96 t it is neither (9.96 × 1.005 = 10.0098 t ≥ 10 t). 0: no
// fault.
func BesideFault(t, held, loose float64) int {
	switch {
	case loose >= 0 && t > (held+loose)*(1+ConsumedTolerance)+1e-9:
		return BesideAbove
	case held > t*(1+ConsumedTolerance)+1e-9:
		return BesideBelow
	}
	return 0
}

// FedEmpty is the run-fed-empty rule (fixQr, nuq8 b6), the one reading
// capture (custody placeCheck, and a back-dated packing or unpacking
// judged against a stored run: custody checkContentsChanged) and verify
// (StoredContainerRule) apply: run ev, fed a container whole
// (FeedsContainers: its inputEPCList), is at fault when the container
// held nothing for it then (holds false), is no lot of its own (material
// false: a bag commissioned as material holds itself, fixQx) and the
// record places it (placed: an event other than ev names it). Such a run
// consumes no material the record knows, and its products' origin would
// rest on nothing (CBV 2.0: a transformation's inputs are what it
// consumes).
func FedEmpty(ev *critmin.Event, holds, material, placed bool) bool {
	return FeedsContainers(ev) && !holds && !material && placed
}

// ContainerLine is one line of what a container held at an event, as
// the projection read it (the event's event_contents rows).
type ContainerLine struct {
	Container string
	Line      critmin.QuantityElement
}

// ContainerRuleProblem is a stored event that breaks a container rule:
// the event, the lot (none for an empty container), the container(s),
// the site and what is wrong.
type ContainerRuleProblem struct {
	Event     string `json:"event"`
	Lot       string `json:"lot,omitempty"`
	Container string `json:"container"`
	Site      string `json:"site"`
	Detail    string `json:"detail"`
}

func (p *ContainerRuleProblem) Error() string {
	s := "event " + p.Event
	if p.Lot != "" {
		s += ", lot " + p.Lot
	}
	return fmt.Sprintf("%s, container %s, at %s: %s", s, p.Container, orNoSite(p.Site), p.Detail)
}

func orNoSite(s string) string {
	if s == "" {
		return "no stated site"
	}
	return s
}

// StoredContainerRule judges a stored live event ev against the
// container rules, reading what its containers gave it as the
// projection did (held: its contents rows, ledger.WithContents reads the
// same):
//
//   - a run fed whole a container that gave it nothing, where the
//     container is no lot of its own (isLot: a bag commissioned as
//     material, fixQx) and is known to the record (known: named by
//     another event), consumes nothing the record knows (fixQr, nuq8
//     b6): capture refuses it 409 (custody placeCheck, EmptiedError);
//   - a dispatch or a run (BesideJudged) stating a line of a lot below
//     what the containers it names hold of it (BesideFault, BesideBelow)
//     left what was inside containers that went behind at the site
//     (fixQu, nuq9): capture refuses it 409 (custody heldBeside).
//
// nil when ev breaks neither. The loose rest is not known from the
// contents alone, so a line above held plus loose is judged at capture
// only.
func StoredContainerRule(ev *critmin.Event, held []ContainerLine, isLot, known func(container string) bool) *ContainerRuleProblem {
	if ev.ErrorDeclaration != nil {
		return nil
	}
	site := eventSite(ev)
	gave := map[string]bool{}
	for _, h := range held {
		gave[epcis.Canonical(h.Container)] = true
	}
	if FeedsContainers(ev) {
		for _, e := range ev.EPCs {
			c := epcis.Canonical(e.EPC)
			if e.Role != critmin.RoleInput || !FedEmpty(ev, gave[c], isLot(c), known(c)) {
				continue
			}
			return &ContainerRuleProblem{Event: ev.EventID, Container: e.EPC, Site: site,
				Detail: "a run fed a container whole that held nothing then consumes no material the record knows (CBV 2.0: a transformation's inputs are what it consumes); capture refuses it (409) — pack the lots into it first or name what the run took by inputQuantityList, or declare the event in error (errorDeclaration)"}
		}
	}
	if !BesideJudged(ev) || ReadsTrip(ev) || len(held) == 0 {
		return nil
	}
	run := ev.Type == critmin.TransformationEvent
	type lotHeld struct {
		t     float64
		boxes []string
		mass  bool
	}
	by := map[string]*lotHeld{}
	var order []string
	for _, h := range held {
		k := epcis.Canonical(h.Line.EPCClass)
		l := by[k]
		if l == nil {
			l = &lotHeld{mass: true}
			by[k] = l
			order = append(order, k)
		}
		t, ok := tonnesOf(h.Line)
		if !ok {
			l.mass = false
			continue
		}
		l.t += t
		if t > 1e-9 {
			l.boxes = append(l.boxes, h.Container)
		}
	}
	for _, k := range order {
		l := by[k]
		if !l.mass || l.t <= 1e-9 {
			continue
		}
		var line float64
		stated := false
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) != k || (run && q.Role != critmin.RoleInput) || (!run && (q.Role == critmin.RoleOutput || q.Role == critmin.RoleChild)) {
				continue
			}
			t, ok := tonnesOf(q)
			if !ok {
				stated = false
				break
			}
			line += t
			stated = true
		}
		if !stated || BesideFault(line, l.t, -1) != BesideBelow {
			continue
		}
		return BesideBelowProblem(ev, k, l.boxes, line, l.t)
	}
	return nil
}

// BesideBelowProblem words stored event ev, whose line of lot
// (canonical) states line wet tonnes beside containers that held held of
// it (BesideFault, BesideBelow): what was inside them stayed behind
// (fixQu, nuq9).
func BesideBelowProblem(ev *critmin.Event, lot string, containers []string, line, held float64) *ContainerRuleProblem {
	return &ContainerRuleProblem{Event: ev.EventID, Lot: lot, Container: strings.Join(containers, ", "), Site: eventSite(ev),
		Detail: fmt.Sprintf("its line of the lot states %s t, below the %s t the containers it names held of it (at least %s t is within 0.5 %%): what was inside them cannot stay behind (EPCIS 2.0 §7.3.5: a container's contents change only through an AggregationEvent); capture refuses it (409) — declare the event in error (errorDeclaration) and record it again",
			fmtTonnes(line), fmtTonnes(held), fmtTonnes(held/(1+ConsumedTolerance)))}
}

// BesideAboveProblem words stored event ev, whose line of lot (canonical)
// states line wet tonnes beside containers (canonical, as its stored
// contents name them) that held held of it at its site, where loose
// stood of it packed in no container: the line is above held + loose
// (BesideFault, BesideAbove) as capture's replay reads it (custody
// BesideFaults): it moved, or the run took, what other containers held
// while they stayed at the site (fixQu, nuq9).
func BesideAboveProblem(ev *critmin.Event, lot string, containers []string, line, held, loose float64) *ContainerRuleProblem {
	return &ContainerRuleProblem{Event: ev.EventID, Lot: lot, Container: strings.Join(containers, ", "), Site: eventSite(ev),
		Detail: fmt.Sprintf("its line of the lot states %s t, above the %s t the containers it names held of it plus the %s t that stood loose there, packed in no container (at most %s t within 0.5 %%): what other containers held stays in them until they are unpacked (EPCIS 2.0 §7.3.5.3: a container's contents change only through an AggregationEvent); capture refuses it (409) — declare the event in error (errorDeclaration) and record it again",
			fmtTonnes(line), fmtTonnes(held), fmtTonnes(loose), fmtTonnes((held+loose)*(1+ConsumedTolerance)))}
}

// PlaceProblem words stored dispatch ev of container (canonical), which
// left from (its departure), while by its events the container stood at
// p.Site (PlaceAt): a container's place changes only by a trip's receipt
// (CBV 2.0: receiving, arriving, unloading and accepting end a trip at
// its destination), so ev moved it from where it did not stand — capture
// refuses it 409 (custody placeCheck).
func PlaceProblem(ev *critmin.Event, container, from string, p Place) *ContainerRuleProblem {
	by, step, at := "", "", ""
	if p.By != nil {
		by, step, at = p.By.EventID, p.By.BizStep, p.By.EventTime.UTC().Format("2006-01-02T15:04:05Z07:00")
		if i := strings.LastIndexAny(step, ":-/"); i >= 0 {
			step = step[i+1:]
		}
	}
	return &ContainerRuleProblem{Event: ev.EventID, Container: container, Site: from,
		Detail: fmt.Sprintf("it leaves from %s, but the container stands at %s then (since %s, event %s on %s) and no trip took it to %s: a container's place changes only by a receipt of a trip it is on (CBV 2.0: receiving, arriving, unloading and accepting end a trip at its destination); capture refuses it (409) — record the container's move to %s first, or declare the event in error (errorDeclaration)",
			from, p.Site, orNoStep(step), by, at, from, from)}
}

func orNoStep(s string) string {
	if s == "" {
		return "no stated step"
	}
	return s
}
