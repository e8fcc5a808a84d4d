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

// DemoMonthJSON returns the demo file as stored.
func DemoMonthJSON() []byte { return bytes.Clone(demoMonth) }
