package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// TestTradeInvoiceShowListsNotes (fix13q item 6): `trade invoice show`
// as text lists the notes issued against a final invoice, as its JSON,
// page and XLSX do — the note's id, its total and its reason.
func TestTradeInvoiceShowListsNotes(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "trade", "prices", "import", "--correction", "../commercial/testdata/late-sb.csv"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "note", "issue", "--contract", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot, "--reason", "assessment of 31 Oct published late")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Fields(out)[3]
	inv := id[:strings.LastIndex(id, "-")]
	out, _, err = run(t, env, "trade", "invoice", "show", inv)
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "assessment of 31 Oct published late") {
		t.Errorf("invoice show %s does not list note %s: %v\n%s", inv, id, err, out)
	}
}

// TestTradePayAgainstNote (fix13q item 2): `trade pay --invoice …-CN1`
// (a note's id) records on the account of the final invoice the note
// corrects, in the direction its balance needs, instead of "no invoice".
func TestTradePayAgainstNote(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "trade", "prices", "import", "--correction", "../commercial/testdata/late-sb.csv"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "note", "issue", "--contract", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot, "--reason", "assessment of 31 Oct published late")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Fields(out)[3]
	inv := id[:strings.LastIndex(id, "-")]
	out, _, err = run(t, env, "trade", "pay", "--invoice", id, "--amount", "0.01", "--on", time.Now().UTC().Format(time.DateOnly))
	if err != nil || !strings.Contains(out, "against "+inv) {
		t.Errorf("trade pay --invoice %s: %v %s; want recorded against %s", id, err, out, inv)
	}
	// fix13t item 6g: it says what it recorded — a payment of 0.01 USD
	// from the buyer to the seller, on the final invoice's account (the
	// note named), and the account's balance after it.
	for _, want := range []string{"recorded payment ", "of 0.01 USD from the buyer to the seller", id + " is a note against final invoice " + inv, "the account's balance is now"} {
		if !strings.Contains(out, want) {
			t.Errorf("trade pay --invoice %s says %q; want %q", id, out, want)
		}
	}
}
