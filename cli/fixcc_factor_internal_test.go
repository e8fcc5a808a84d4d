package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestStatementFactorReadsPlainly (issue 15, fixCc item 6): `critmin
// mass-balance` printed conversion factors with %g, so a factor of
// 0.00001 read "1e-05" and 1234567 "1.234567e+06". The category's factor
// 0.00001 reads "conversion factor 0.00001", a credit's 1234567
// "factor 1,234,567".
func TestStatementFactorReadsPlainly(t *testing.T) {
	var out bytes.Buffer
	st := &custody.Statement{Site: "urn:t:site:S", Method: "periodic", Categories: []custody.CategoryStatement{{
		Category:         critmin.MaterialCategory{ID: "c1", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd"}},
		ConversionFactor: 0.00001, FactorSource: "declared",
		Entries: []custody.Entry{{Kind: "credit", Country: "PAK", Tonnes: 1, Factor: 1234567, FactorSource: "declared"}},
	}}}
	printStatement(&Env{Stdout: &out}, st)
	text := out.String()
	if !strings.Contains(text, "conversion factor 0.00001 (declared)") || !strings.Contains(text, "factor 1,234,567 (declared)") || strings.Contains(text, "e-05") || strings.Contains(text, "e+06") {
		t.Errorf("statement:\n%s\nwant conversion factor 0.00001 and factor 1,234,567, no exponent", text)
	}
}
