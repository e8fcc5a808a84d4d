package web_test

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestOutturnPercentOneFormatter (issue 15, fix15s, cosmetic): the lot
// page printed an outturn as "0.2 %", `critmin lot show` as "0.20 %",
// and a gain had no "+". One formatter (ledger.OutturnPercentText:
// units.Signed at two decimals, signed both ways) prints it on the lot
// page, the shipment page and in lot show. Lot G, 10 t at the mine; 8 t
// shipped under B/L G and received at 8,016 kg: (8.016 − 8) / 8 =
// +0.2 % → "+0.20 %" everywhere (a gain, within the 0.5 % tolerance);
// the difference, +0.016 t, carries its "+" too.
func TestOutturnPercentOneFormatter(t *testing.T) {
	db := filepath.Join(t.TempDir(), "critmin.db")
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ts := MustServeStore(t, store, false, nil)
	const mine, port = "urn:t:site:mine-G", "urn:t:site:port-G"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:g1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:g2", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 8, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:G"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:g3", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 8016, "uom": "KGM"}], "bizLocation": {"id": "` + port + `"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:G"}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:G"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if line := visibleText(regexp.MustCompile(`(?s)<dd class="outturn">.*?</dd>`).FindString(string(b))); !strings.Contains(line, "difference +0.016 wmt (+0.20 %)") {
		t.Errorf("lot page Shipped / received %q; want difference +0.016 wmt (+0.20 %%)", line)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:G"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if got, want := strings.Join(cells(string(b), "Loss or gain"), " | "), "+0.20 % gain | +0.20 % gain"; got != want {
		t.Errorf("shipment page gain (row | total) %q; want %q", got, want)
	}
	var out bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	if err := cli.Run(context.Background(), env, []string{"lot", "show", "--db", db, "urn:t:lot:G"}); err != nil {
		t.Fatal(err)
	}
	if flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out.String(), " "); !strings.Contains(flat, "difference +0.016 wmt (+0.20 %)") {
		t.Errorf("lot show lacks difference +0.016 wmt (+0.20 %%):\n%s", out.String())
	}
}
