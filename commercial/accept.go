package commercial

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// The plausibility checks a person may accept when a real lot fails them
// (docs/trade.md, "Accepting a refused figure"): the rest of a
// settlement's checks (a contract's quantity, its currency, a missing
// figure) are never overridden.
const (
	// AcceptDryLoss accepts weighings whose dry tonnes disagree beyond
	// the tolerances of dryGain: a real transit loss with rain on the
	// cargo (moisture up by more than MoistureAgreementPts).
	AcceptDryLoss = "dry_loss"
	// AcceptMoisture accepts a moisture outside its commodity's
	// plausible range (MoistureBounds), or loading and discharge
	// moistures a decimal slip apart.
	AcceptMoisture = "moisture"
	// AcceptGrade accepts a grade above its element's plausible bound
	// (GradeBounds, GravityGradeBounds).
	AcceptGrade = "grade"
	// AcceptLoadingMoisture accepts a final settlement at discharge
	// weights on the loading moisture when no moisture was determined at
	// discharge: the parties agree to use it (fix13t).
	AcceptLoadingMoisture = "loading_moisture"
)

// AcceptChecks lists the checks an Acceptance may name.
var AcceptChecks = []string{AcceptDryLoss, AcceptMoisture, AcceptGrade, AcceptLoadingMoisture}

// Acceptance is a person's acceptance, with a reason, of figures a
// plausibility check refuses: the settlement proceeds, and the acceptance
// is kept with it (Settlement.Accepted, stored with the invoice) with the
// refusal it overrode, so that the invoice shows who accepted what and
// why.
type Acceptance struct {
	Check  string `json:"check"`
	By     string `json:"by"`
	Reason string `json:"reason"`
	// Refusal is the refusal the acceptance overrode (set by the
	// settlement; ignored on input).
	Refusal string `json:"refusal,omitempty"`
}

// CheckAcceptances refuses an acceptance that names no known check, no
// one or no reason, or a check twice: EINVALID naming accept/N/field,
// every fault at once.
func CheckAcceptances(acc []Acceptance) error {
	var bad []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		bad = append(bad, critmin.FieldError{Pointer: pointer(ptr), Reason: fmt.Sprintf(format, args...)})
	}
	seen := map[string]int{}
	for i, a := range acc {
		at := fmt.Sprintf("accept/%d", i)
		known := false
		for _, c := range AcceptChecks {
			known = known || a.Check == c
		}
		switch {
		case !known:
			fail(at+"/check", "%q is not a check that can be accepted (%s)", a.Check, strings.Join(AcceptChecks, ", "))
		case seen[a.Check] > 0:
			fail(at+"/check", "%s is accepted twice (accept/%d too)", a.Check, seen[a.Check]-1)
		default:
			seen[a.Check] = i + 1
		}
		if strings.TrimSpace(a.By) == "" {
			fail(at+"/by", "name who accepts the figures")
		}
		if strings.TrimSpace(a.Reason) == "" {
			fail(at+"/reason", "say why the figures are accepted (a transit loss with rain, a gravity concentrate, …)")
		}
	}
	if len(bad) > 0 {
		return fieldErrors(bad)
	}
	return nil
}

// accepted is err unless it is a plausibility refusal (a DryGainError with
// a Check) that the settlement's options accept: then the acceptance is
// recorded on the settlement with the refusal it overrode, and nil.
func (c *calc) accepted(err error) error {
	var de *DryGainError
	if !errors.As(err, &de) || de.Check == "" {
		return err
	}
	if c.opt.replay != nil {
		// The invoice check (VerifyInvoice) re-derives the arithmetic
		// of an invoice from its recorded figures: their plausibility
		// was judged, and any acceptance recorded, when it was issued.
		return nil
	}
	all := append(append([]Acceptance(nil), c.opt.Accept...), c.opt.inherited...)
	for i, a := range all {
		if a.Check != de.Check {
			continue
		}
		if c.used == nil {
			c.used = map[int]bool{}
		}
		c.used[i] = true // indexes of opt.Accept come first
		a.Refusal = critmin.ErrorMessage(de.Err)
		for _, have := range c.st.Accepted {
			if have.Check == a.Check && have.Refusal == a.Refusal {
				return nil
			}
		}
		c.st.Accepted = append(c.st.Accepted, a)
		return nil
	}
	return err
}

// acceptedOn are the acceptances kept with the invoices of lot under
// contract, each check once (the refusal it overrode dropped: the
// settlement records its own).
func (s *Service) acceptedOn(ctx context.Context, contract, lot string) ([]Acceptance, error) {
	stored, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: contract, Lot: lot})
	if err != nil {
		return nil, err
	}
	var out []Acceptance
	seen := map[string]bool{}
	for _, si := range stored {
		if !s.asOf.IsZero() && si.IssuedAt.After(s.asOf) {
			continue // as of a past day: not issued by then (fix13x)
		}
		inv, err := decodeInvoice(si)
		if err != nil || inv.Settlement == nil {
			continue
		}
		for _, a := range inv.Settlement.Accepted {
			if !seen[a.Check] {
				seen[a.Check] = true
				a.Refusal = ""
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// unusedAcceptance refuses an acceptance the settlement did not need: an
// acceptance is of a refusal, not a blanket permission.
func (c *calc) unusedAcceptance() error {
	if c.opt.replay != nil {
		return nil
	}
	for i, a := range c.opt.Accept {
		if !c.used[i] {
			return fieldErrorf(fmt.Sprintf("accept/%d/check", i), "nothing to accept: the %s check does not refuse the %s settlement of lot %s", a.Check, c.opt.Kind, c.lot.Lot)
		}
	}
	return nil
}

// acceptHint ends a refusal a person may accept with how to accept it.
func acceptHint(check string) string {
	return fmt.Sprintf("; if the figures are right, accept them with accept [{\"check\": %q, \"by\", \"reason\"}] (API), --accept %s --accepted-by --accept-reason (CLI) or the settlement page's checkbox (docs/trade.md, \"Accepting a refused figure\")", check, check)
}
