package refinery_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestFromLedgerFeedReadsTakenPartsAssay (issue 9 item 3, element
// accounting through every run; issue 15, fix15a: an assay is of what
// stood where it was taken). Lot L, 10 t at the mine at Nd2O3 5 % dry
// (moisture 0). 4 t are shipped to the plant (B/L B1) and received
// there; an assay of that part at the plant reads Nd2O3 4 % dry. A run
// at the plant takes the 4 t part. The feed is what the run took — the
// part, at the part's grade, not the 6 t body's at the mine:
//   - Nd2O3 → Nd = 2 × 144.242 / (2 × 144.242 + 3 × 15.999)
//     = 288.484 / 336.481 = 0.857356 (units, IUPAC atomic weights);
//   - feed Nd grade 4 % × 0.857356 = 3.429424 % (it read the body's
//     5 % × 0.857356 = 4.28678 %);
//   - contained 4 t × 3.429424 % = 0.137177 t Nd (not 0.171471 t).
//
// Two parts taken: 2 t more of the body (at its 5 %) shipped under B2
// after the plant's assay and received there; a run taking 6 t takes the
// 4 t of B1 at 4 % and the 2 t of B2 at 5 %, mass-weighted:
// (4 × 4 + 2 × 5) / 6 = 26 / 6 = 4.333333 % Nd2O3, × 0.857356 =
// 3.715210 % Nd; 6 t × 3.715210 % = 0.222913 t Nd.
func TestFromLedgerFeedReadsTakenPartsAssay(t *testing.T) {
	const toNd = 2 * 144.242 / (2*144.242 + 3*15.999)
	t.Run("one part", func(t *testing.T) { feedFromParts(t, false, 4, 4*toNd) })
	t.Run("two parts", func(t *testing.T) { feedFromParts(t, true, 6, 26.0/6*toNd) })
}

// feedFromParts captures TestFromLedgerFeedReadsTakenPartsAssay's lot
// (with the second part B2 when second) and a run at the plant taking
// took t, and checks the feed's dry tonnes and Nd grade (%).
func feedFromParts(t *testing.T, second bool, took, ndPct float64) {
	ctx := context.Background()
	const lot = "urn:t:lot:L"
	events := []string{`
  {"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:s", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 4, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:plant"}]}`, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:r", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 4, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B1"}]}`, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:a", "eventTime": "2025-10-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "urn:t:site:plant"},
   "sensorElementList": [{"sensorMetadata": {"time": "2025-10-04T00:00:00Z"}, "sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "` + ledger.AnalyteBase + `Nd2O3", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]}`}
	if second {
		events = append(events, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:s2", "eventTime": "2025-10-04T06:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
   "quantityList": [{"epcClass": "`+lot+`", "quantity": 2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:plant"}]}`, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:r2", "eventTime": "2025-10-04T12:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
   "quantityList": [{"epcClass": "`+lot+`", "quantity": 2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B2"}]}`)
	}
	events = append(events, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R1",
   "inputQuantityList": [{"epcClass": "`+lot+`", "quantity": `+strconv.FormatFloat(took, 'f', -1, 64)+`, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 0.2, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	p := plantProblem(t, ctx, plantLedger(t, ctx, plantDoc(events...)), plantFlow)
	feed := p.Streams[0]
	near(t, "feed dry t", feed.Mass.Value, took, 1e-9)
	if feed.Grade["Nd"] == nil {
		t.Fatalf("no feed Nd grade; warnings %q", p.Warnings)
	}
	near(t, "feed Nd % (the parts' own)", feed.Grade["Nd"].Value, ndPct, 1e-6)
	near(t, "feed Nd t", feed.Mass.Value*feed.Grade["Nd"].Value/100, took*ndPct/100, 1e-6)
}
