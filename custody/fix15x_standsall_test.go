package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestElsewhereNamesEverySiteItStands (issue 15, fix15x D3): lot SX1,
// 30 t at the mine; 10 t ship to the port (event d1, bill of lading A)
// and are received there. The body's 30 − 10 = 20 t stand at the mine,
// the part's 10 t at the port. An inspection at the quay, where nothing
// of the lot ever was, read "lot … is at urn:t:site:mine-PAK …" — the
// body only, as if the port held nothing. It names both sites with
// what stands at each: "mine (20 t …) and port (10 t, part shipped by
// event d1 …)".
func TestElsewhereNamesEverySiteItStands(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending"},
		feedAt("SX1", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "SX1", "10", fix15rMine, fix15rPort, "A", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "SX1", "10", fix15rPort, "A")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w", "2025-10-06T00:00:00Z", "SX1", "20", fix15rQuay)))})
	if err == nil {
		t.Fatal("an inspection at the quay, where nothing of lot SX1 ever stood, was taken")
	}
	for _, want := range []string{
		"lot urn:t:lot:SX1 is at " + fix15rMine + " (20 t",
		" and " + fix15rPort + " (10 t, part shipped by event urn:t:ev:d1",
		"received by event urn:t:ev:r1) at 2025-10-06T00:00:00Z, not at " + fix15rQuay,
		"not at " + fix15rQuay,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q\n does not say %q", err, want)
		}
	}
}
