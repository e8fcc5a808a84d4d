package commercial

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
)

//go:embed demo/*.json demo/*.csv
var demoFiles embed.FS

// Demo lots of the corridor (demo/corridor) the demo contracts settle.
const (
	DemoCopperLot   = "https://id.gs1.org/01/09520123456788/10/CU2025001"
	DemoAntimonyLot = "urn:epc:class:lgtin:0614141.012345.SB2025001"
	DemoREELot1     = "urn:critmin:demo:lot:REE-2025-001"
	DemoREELot2     = "urn:critmin:demo:lot:REE-2025-002"
	// DemoNdPrLot is the refinery's NdPr oxide lot, sold under the
	// NdPr-floor contract: the Trade demo ships it (its B/L).
	DemoNdPrLot   = "urn:critmin:demo:lot:NDPR-2025-001"
	DemoAgreement = "USSM-FWO-MOU-2025"
)

// DemoContractFor maps the demo lots to their demo contracts.
var DemoContractFor = map[string]string{
	DemoCopperLot:   "FWO-USSM-CU-2025",
	DemoAntimonyLot: "FWO-USSM-SB-2025",
	DemoREELot1:     "FWO-USSM-REE-2025",
	DemoREELot2:     "FWO-USSM-REE-2025",
	DemoNdPrLot:     "USSM-NDPR-FLOOR-2025",
}

// DemoNow is the demo's clock while it loads: the day after the last day of
// its price series (31 Dec 2025).
var DemoNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// LoadDemo loads the Trade demo over the demo corridor when no contract is
// stored yet, and reports whether it did: the illustrative term sheets,
// the illustrative price series, the memorandum, the copper lot's assay
// exchange (seller, buyer and umpire results captured as events of the
// lot), the provisional invoices of the shipped lots with their payments,
// and the copper and antimony lots' final invoices. The corridor's
// ledger must be loaded first.
//
// The demo is loaded on its own clock (DemoNow), whatever s.Now says:
// its price series run to 31 Dec 2025, and a price day after the import
// day is refused.
func LoadDemo(ctx context.Context, s *Service) (bool, error) {
	d := *s
	d.Now = func() time.Time { return DemoNow }
	s = &d
	have, err := s.Store.ListTradeDocs(ctx, critmin.TradeContract)
	if err != nil || len(have) > 0 {
		return false, err
	}
	csv, _ := demoFiles.ReadFile("demo/prices.csv")
	if _, err := s.ImportPrices(ctx, bytes.NewReader(csv), PriceSeries{}); err != nil {
		return false, fmt.Errorf("trade demo: prices: %w", err)
	}
	names, _ := fs.Glob(demoFiles, "demo/*.json")
	// The memorandum last: its tranches name the contracts, which must
	// be stored to be checked (currency, commodity).
	sort.SliceStable(names, func(i, j int) bool { return names[j] == "demo/agreement.json" && names[i] != names[j] })
	for _, n := range names {
		b, _ := demoFiles.ReadFile(n)
		if n == "demo/agreement.json" {
			if _, err := s.SaveAgreement(ctx, b); err != nil {
				return false, fmt.Errorf("trade demo: %s: %w", n, err)
			}
			continue
		}
		if _, err := s.SaveContract(ctx, b); err != nil {
			return false, fmt.Errorf("trade demo: %s: %w", n, err)
		}
	}
	// The copper lot's exchange: Cu 22.05 (seller) vs 21.80 (buyer) is over
	// the 0.20 limit and goes to the umpire (21.90); Au is within its limit.
	cst := time.FixedZone("-05:00", -5*3600)
	subs := []struct {
		party, lab string
		at         time.Time
		cu, au     string
	}{
		{Seller, "urn:critmin:demo:lab:fwo-karachi", time.Date(2025, 9, 1, 12, 0, 0, 0, time.FixedZone("+05:00", 5*3600)), "22.05", "4.10"},
		{Buyer, "urn:critmin:demo:lab:ussm-qc", time.Date(2025, 10, 8, 11, 0, 0, 0, cst), "21.80", "3.95"},
		{Umpire, "urn:critmin:demo:lab:umpire-rotterdam", time.Date(2025, 10, 24, 11, 0, 0, 0, time.FixedZone("+02:00", 2*3600)), "21.90", "4.00"},
	}
	for _, x := range subs {
		sub := &ExchangeSubmission{Lot: DemoCopperLot, Party: x.party, Lab: x.lab, At: x.at}
		sub.Results = []ExchangeResult{{Analyte: "Cu", Value: decimal.RequireFromString(x.cu), Unit: "%"}, {Analyte: "Au", Value: decimal.RequireFromString(x.au), Unit: "g/t"}}
		if _, err := s.SubmitAssays(ctx, sub); err != nil {
			return false, fmt.Errorf("trade demo: %s assays: %w", x.party, err)
		}
	}
	// The NdPr oxide lot (1 150 kg from the Missouri refinery run of 20
	// Oct 2025) ships to the magnet maker on an ILLUSTRATIVE bill of
	// lading of 27 Oct 2025, so the NdPr-floor contract can settle it.
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: demoNdPrShipment(), Token: "trade"}); err != nil {
		return false, fmt.Errorf("trade demo: NdPr shipment: %w", err)
	}
	for _, lot := range []string{DemoCopperLot, DemoAntimonyLot, DemoREELot1, DemoREELot2, DemoNdPrLot} {
		lf, err := LotFactsFromEvents(ctx, s.Store, lot)
		if err != nil {
			return false, err
		}
		inv, err := s.IssueAt(ctx, DemoContractFor[lot], lot, Provisional, lf.BLDate.Add(36*time.Hour))
		if err != nil {
			return false, fmt.Errorf("trade demo: provisional invoice of %s: %w", lot, err)
		}
		if err := s.RecordPayment(ctx, &critmin.TradePayment{ID: "PAY-" + inv.ID, Invoice: inv.ID, Amount: inv.Total.String(), PaidOn: inv.DueDate}); err != nil {
			return false, err
		}
	}
	for _, x := range []struct {
		lot string
		at  time.Time
	}{{DemoCopperLot, time.Date(2025, 11, 5, 15, 0, 0, 0, time.UTC)}, {DemoAntimonyLot, time.Date(2025, 11, 10, 15, 0, 0, 0, time.UTC)}} {
		if _, err := s.IssueAt(ctx, DemoContractFor[x.lot], x.lot, Final, x.at); err != nil {
			return false, fmt.Errorf("trade demo: final invoice of %s: %w", x.lot, err)
		}
	}
	return true, nil
}

// demoNdPrShipment is the ILLUSTRATIVE shipping event of the demo NdPr
// oxide lot: DAP Fort Worth under USSM-NDPR-FLOOR-2025, B/L dated 27 Oct
// 2025 at the refinery.
func demoNdPrShipment() []byte {
	return document(map[string]any{
		"type": "ObjectEvent", "eventID": "urn:critmin:demo:event:trade-ndpr-bl", "action": "OBSERVE",
		"bizStep": "shipping", "disposition": "in_transit",
		"eventTime": "2025-10-27T10:00:00.000-05:00", "eventTimeZoneOffset": "-05:00",
		"quantityList":       []any{map[string]any{"epcClass": DemoNdPrLot, "quantity": 1150, "uom": "KGM"}},
		"readPoint":          map[string]any{"id": "urn:critmin:demo:site:refinery-mo"},
		"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:MO-FTW-2025-1027"}},
		"sourceList":         []any{map[string]any{"type": "location", "source": "urn:critmin:demo:site:refinery-mo"}},
		"destinationList":    []any{map[string]any{"type": "location", "destination": "urn:critmin:demo:site:magnet-tx"}},
	})
}
