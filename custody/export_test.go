package custody

import (
	"strconv"
	"strings"
)

// RestatedChanged exposes restatedChanged to the black-box tests: what
// verify-cert reports when an issued certificate's statement differs from
// today's record.
var RestatedChanged = restatedChanged

// InputMass exposes inputMass: the dry tonnes a run's input line took.
var InputMass = inputMass

// ClaimFigureChanges exposes claimFigureChanges: an accepted claim's
// changed figures in words.
var ClaimFigureChanges = claimFigureChanges

// CertLogSize is the tree size of a certificate's cm:log checkpoint, as
// text ("" without one).
func CertLogSize(c Certificate) string {
	lg, _ := c["cm:log"].(map[string]any)
	note, _ := lg["checkpoint"].(string)
	body, _, _ := strings.Cut(note, "\n\n")
	cp, err := parseCheckpoint(body + "\n")
	if err != nil {
		return ""
	}
	return strconv.FormatInt(cp.Size, 10)
}

// FigureChanges exposes figureChanges: a certificate's physical figures
// that differ, in words.
var FigureChanges = figureChanges

// SetCauseBounds sets changeCauses' page and cap, returning a function
// that restores them.
func SetCauseBounds(page, records int64) func() {
	p, r := causePage, causeRecords
	causePage, causeRecords = page, records
	return func() { causePage, causeRecords = p, r }
}

// Canonical exposes canonical: the JSON a certificate's evidence digest
// and proof are computed over.
var Canonical = canonical
