package refinery

import (
	"testing"

	"github.com/critmin/critmin"
)

// A ledger flowsheet has no measurements until the ledger supplies them,
// so the size check FromLedger makes first (checkSize) must not count
// its absent measurements as unmeasured quantities: the benchmark
// flowsheet with every measurement left out passes checkSize, while as a
// problem to reconcile (Validate) the same is refused for the work of one
// linearisation — nr = 30 × 16 = 480 balances, nu = (80 streams + 2 × 3
// stocks) × 16 = 1,376 unknowns: 20·480·1376·(480 + 1376) ≈ 2.45e10 >
// 8e9.
func TestFlowsheetSizeCheckIgnoresMissingMeasurements(t *testing.T) {
	p, err := Generate(BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Streams {
		p.Streams[i].Mass, p.Streams[i].Grade = nil, nil
	}
	for i := range p.Nodes {
		if p.Nodes[i].Inventory != nil {
			p.Nodes[i].Inventory = &Inventory{}
		}
	}
	if err := p.checkSize(); err != nil {
		t.Errorf("flowsheet without measurements refused by the size check: %v", err)
	}
	if err := p.Validate(); critmin.ErrorCode(err) != critmin.EINVALID || !hasFieldPrefix(err, "/streams", "1376 unmeasured quantities") {
		t.Errorf("as a problem: %v; want /streams: 1376 unmeasured quantities", err)
	}
}

func hasFieldPrefix(err error, pointer, prefix string) bool {
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer && len(f.Reason) >= len(prefix) && f.Reason[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
