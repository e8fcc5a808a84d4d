package custody

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// WeighingGainLimit and WeighingLossLimit bound how far a new weighing of
// a lot the ledger already holds a mass for may move it, on the dry
// basis (the lot's wet mass × (1 − its moisture), so that a weighing that
// measures the lot's moisture with it — a lot dried in the yard, or wet
// from rain — is judged on the material, not on its water):
//
//   - gain: ledger.OutturnTolerance, 0.5 %, the combined error of two
//     weighbridges — the limit the Receive form and the capture check
//     already put on a receipt against its shipment (receiptAgainst).
//     Dry material does not grow: a dry gain beyond two scales' error is
//     a mistyped weight or a unit slip (10 t recorded as 1 000 t);
//   - loss: ReceiptShortfallLimit, 5 %, the loss beyond which a receipt
//     is flagged transit_loss: more than ten times the scales' error is
//     not weighing — a net of 0 or 0.5 kg for a 20 t lot, a weight in
//     kilograms read as tonnes.
//
// Beyond either the weighing is refused (nothing stored) with the
// recorded mass, the weighed mass and the difference in per cent, and a
// unit-slip hint when the two differ by a factor near 1 000. A real
// change beyond the limits is recorded in the open, as
// docs/origin.md ("A weighing beyond the tolerance") says: the record
// that was wrong is declared in error (errorDeclaration, EPCIS 2.0
// §7.4.1.2) in the same document or before, and the weighing then stands
// against what remains; or the weighing states why the lot changed, in
// the top-level extension cm:massChangeReason (free text: "screened:
// 1.2 t of fines removed"), which the event keeps and its page shows.
// Receipts under a bill of lading, or of a lot in transit, are judged
// against their shipment instead (receiptAgainst refuses a gain beyond
// 0.5 %; ledger.Outturns flags transit_gain and transit_loss), and a
// run's products against their feed (MaxRunMassGain).
const (
	WeighingGainLimit = ledger.OutturnTolerance
	WeighingLossLimit = ReceiptShortfallLimit
)

// MassChangeReasonTerm is the top-level extension a weighing states a
// change beyond the tolerance with.
const MassChangeReasonTerm = "cm:massChangeReason"

// checkMassChange refuses an event (not a run's) that sets the mass of a
// lot which had a recorded mass (was) beyond WeighingGainLimit or
// WeighingLossLimit of it, dry basis. lots holds the lots after ev.
//
// refused keeps, across the document's events, the recorded state of each
// lot a weighing of it was refused for: the document is refused, and a
// later event of it is judged against the recorded mass, not the refused
// one (a file's 1 000 t row does not make its next, right, row a loss).
func checkMassChange(ev *critmin.Event, was map[string]critmin.Lot, lots map[string]*critmin.Lot, refused map[string]critmin.Lot) []critmin.FieldError {
	receipt := stepName(ev.BizStep) == "receiving" || stepName(ev.BizStep) == "arriving"
	// A commissioning is no weighing: commissioning a lot again is
	// refused by the ledger's commissioning rule (ledger.Commissions),
	// which names the commissioning it repeats.
	if ev.Type == critmin.TransformationEvent || (receipt && bolOf(ev) != "") || massChangeReason(ev) != "" || ledger.Commissions(ev) {
		return nil
	}
	var out []critmin.FieldError
	for _, id := range sortedKeys(was) {
		w, l := was[id], lots[id]
		if r, ok := refused[id]; ok {
			w = r
		}
		if l == nil || !units.IsMass(w.UOM) || !units.IsMass(l.UOM) || w.WetTonnes <= 0 || w.DryTonnes <= 0 {
			continue
		}
		// The outturn of a voyage is judged against what was shipped
		// (ledger.Outturns: transit_gain, transit_loss), not here.
		if receipt && w.Status == critmin.LotInTransit {
			continue
		}
		// A moisture reading alone is no weighing: its checks are the
		// claims' and ended periods' (checkSite).
		if l.WetTonnes == w.WetTonnes {
			continue
		}
		if msg := MassChangeRefusal(id, w.WetTonnes, w.DryTonnes, l.WetTonnes, l.DryTonnes); msg != "" {
			out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID, Reason: msg})
			refused[id] = w
		} else {
			delete(refused, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
	return out
}

// MassChangeRefusal is the reason a weighing of lot from recorded
// (wet, dry tonnes) to weighed (wet, dry) is refused, or "" when it is
// within WeighingGainLimit and WeighingLossLimit (dry basis). The web
// import's preview and the capture check word it alike.
func MassChangeRefusal(lot string, wasWet, wasDry, nowWet, nowDry float64) string {
	if wasWet <= 0 || wasDry <= 0 {
		return ""
	}
	rel := (nowDry - wasDry) / wasDry
	if rel <= WeighingGainLimit+1e-9 && rel >= -WeighingLossLimit-1e-9 {
		return ""
	}
	dry := ""
	if math.Abs(wasWet-wasDry) > 1e-9 || math.Abs(nowWet-nowDry) > 1e-9 {
		dry = fmt.Sprintf(" (dry %s t → %s t)", fmtT(wasDry), fmtT(nowDry))
	}
	hint := "check the ticket's weight and unit"
	if nowWet <= 0 {
		hint = "a weighing of 0 kg weighs nothing: check the ticket's net (or its gross and tare)"
	} else if r := nowWet / wasWet; r > 500 && r < 2000 {
		hint = fmt.Sprintf("the weighed mass is about %.0f times the recorded one: a unit slip (kilograms written as tonnes, or a thousands separator read as a decimal mark)?", r)
	} else if r < 1/500.0 && r > 1/2000.0 {
		hint = fmt.Sprintf("the weighed mass is about 1/%.0f of the recorded one: a unit slip (tonnes written as kilograms, or a decimal mark read as a thousands separator)?", 1/r)
	} else if r > 5 {
		hint = fmt.Sprintf("the weighed mass is about %.0f times the recorded one: a mistyped figure (an extra digit, a thousands separator read as a decimal mark) or a unit slip?", r)
	} else if r < 0.01 {
		hint = "a near-zero weighing of a lot on record is not a weighing of it: check the ticket's net (or its gross and tare) and unit"
	}
	return fmt.Sprintf("weighing of lot %s refused: the lot is recorded at %s t and weighed at %s t%s, a difference of %s %%, beyond the weighing tolerance of +%.1f %% / −%.0f %% (dry basis); %s. If the recorded mass was wrong, declare the event that recorded it in error; if the lot really changed, state why in %s on the weighing (docs/origin.md)",
		lot, fmtT(wasWet), fmtT(nowWet), dry, signedPctText(rel*100), WeighingGainLimit*100, WeighingLossLimit*100, hint, MassChangeReasonTerm)
}

// signedPctText is a per cent with its sign and one decimal (+900.0,
// −100.0).
func signedPctText(p float64) string {
	s := fmt.Sprintf("%+.1f", p)
	return strings.Replace(s, "-", "−", 1)
}

// massChangeReason is the event's cm:massChangeReason, or "".
func massChangeReason(ev *critmin.Event) string {
	if len(ev.Raw) == 0 {
		return ""
	}
	var top map[string]any
	if json.Unmarshal(ev.Raw, &top) != nil {
		return ""
	}
	for _, key := range []string{MassChangeReasonTerm, "https://ns.critmin.org/mineral/v1/massChangeReason"} {
		if v, ok := top[key].(string); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
