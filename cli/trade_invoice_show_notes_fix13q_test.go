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

// TestTradePayDatedTomorrow (issue 13, fix13z): at 2025-11-20 12:00 UTC a
// payment of 1,000 dated 2025-11-21 is accepted (clock allowance, 14 h)
// and counts from its day: the confirmation gives today's balance, the
// whole 15,391.84 USD, and the balance from 2025-11-21, 15 391.84 −
// 1 000 = 14,391.84 USD. Before, it said only "balance is now 15,391.84
// USD (open)", the 1,000 left out without a word.
func TestTradePayDatedTomorrow(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	inv := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	now := func() time.Time { return time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC) }
	out, _, err := runAt(t, env, now, "trade", "pay", "--invoice", inv, "--amount", "1000", "--on", "2025-11-21")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dated after today (2025-11-20 UTC), the payment counts from 2025-11-21", "balance today is 15,391.84 USD", "from 2025-11-21 14,391.84 USD"} {
		if !strings.Contains(out, want) {
			t.Errorf("trade pay dated tomorrow: %q lacks %q", out, want)
		}
	}
}
