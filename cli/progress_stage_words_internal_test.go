package cli

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// The hash-chain check's progress lines say what is counted: bench soak
// printed "bench soak: chain 1" and "chain 10,000" with no word for what
// they were. Now "bench soak: hash chain: records checked 10,000".
func TestChainProgressSaysWhatIsCounted(t *testing.T) {
	var out strings.Builder
	p := &progressPrinter{w: &out, cmd: "bench soak"}
	p.report(custody.ChainProgressStage, 1, 0)
	p.report(custody.ChainProgressStage, 10000, 0)
	if s := out.String(); !strings.Contains(s, "bench soak: hash chain: records checked 1\n") || !strings.Contains(s, "records checked 10,000") {
		t.Errorf("progress:\n%s", s)
	}
}
