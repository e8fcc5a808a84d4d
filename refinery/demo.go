package refinery

import (
	"bytes"
	_ "embed"
)

//go:embed demo/month-2025-10.json
var demoMonth []byte

// DemoMonth returns the demo refinery's flowsheet with one illustrative
// month of measurements (October 2025): the planned polymetallic refinery
// in Pakistan with REE cracking, solvent extraction and precipitation,
// antimony roasting, copper concentrate handling and residue storage.
// Every quantity in it is invented and labelled so; see its sources.
func DemoMonth() (*Problem, error) { return DecodeProblem(bytes.NewReader(demoMonth)) }

//go:embed demo/refinery-mo.json
var corridorFlowsheet []byte

// CorridorSite is the site of the refinery the demo corridor's lots reach.
const CorridorSite = "urn:critmin:demo:site:refinery-mo"

// CorridorFlowsheet returns the flowsheet of the demo corridor's refinery
// (illustrative), without measurements: FromLedger fills them from the
// ledger for a month. It is not validated (a flowsheet has no
// measurements yet).
func CorridorFlowsheet() (*Problem, error) {
	return DecodeProblemUnvalidated(bytes.NewReader(corridorFlowsheet))
}

// CorridorFlowsheetJSON returns the corridor refinery's flowsheet file as
// stored.
func CorridorFlowsheetJSON() []byte { return bytes.Clone(corridorFlowsheet) }

// FlowsheetFor returns the embedded flowsheet of a site, if critmin has
// one (the demo corridor's refinery).
func FlowsheetFor(site string) (*Problem, bool) {
	if site != CorridorSite {
		return nil, false
	}
	p, err := CorridorFlowsheet()
	return p, err == nil
}

// DemoMonthJSON returns the demo file as stored.
func DemoMonthJSON() []byte { return bytes.Clone(demoMonth) }
