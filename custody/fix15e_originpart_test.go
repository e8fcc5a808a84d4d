package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// fix15eLot is lot id, 20 t wet at 8 % moisture at the mine with assay
// (analyte:value, dry), 5 t shipped to Karachi (B/L K-id), received, and
// assayed there at analyte value2 (dry).
func fix15eLot(id, analyte, v1, v2 string) string {
	const port, mine = "urn:t:site:karachi", "urn:t:site:mine-PAK"
	lot := "urn:t:lot:" + id
	ev := func(eid, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + eid + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	return doc(nil, strings.Replace(feedAt(id, "ree_concentrate", "PAK", 20, analyte+":"+v1), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1),
		ev("s1", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K`+id+`"}]`),
		ev("r1", "2025-10-05T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K`+id+`"}]`),
		ev("a1", "2025-10-06T00:00:00Z", "sampling", `"quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+port+`"},
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/`+analyte+`", "value": `+v2+`, "uom": "P1", "cm:basis": "dry"}]}]`))
}

// TestOriginReadsEachPartAtItsOwnGrade (issue 15, fix15e; docs/origin.md
// "An assay is of what stood where it was taken"): the origin of a
// commissioned lot holds each part at its own grade.
//   - A1: 20 t at 8 % moisture = 18.4 t dry, TREO 20 % dry; 5 t (4.6 t
//     dry) at Karachi assayed TREO 25 %: 13.8 × 20 % + 4.6 × 25 % =
//     2.76 + 1.15 = 3.91 t TREO (not 18.4 × 20 % = 3.68).
//   - A2: Nd2O3 5 %, the Karachi part 4 %: (13.8 × 5 % + 4.6 × 4 %) ×
//     0.8574 = 0.874 × 0.8574 = 0.7494 t Nd (not 18.4 × 5 % × 0.8574 =
//     0.7888).
func TestOriginReadsEachPartAtItsOwnGrade(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		lot, analyte, v1, v2, key string
		want                      float64
	}{
		{"A1", "TREO", "20", "25", "TREO", 13.8*0.20 + 4.6*0.25},
		{"A2", "Nd2O3", "5", "4", "Nd", (13.8*0.05 + 4.6*0.04) * 0.8574},
	} {
		db := store(t, fix15eLot(c.lot, c.analyte, c.v1, c.v2))
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+c.lot, false)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := o.Elements[c.key]
		if !ok {
			b, ok = o.Aggregates[c.key]
		}
		if !ok || !nearPct(b.Tonnes, c.want, 0.001) {
			t.Errorf("lot %s: %s %v t (found %v), want %v t", c.lot, c.key, b.Tonnes, ok, c.want)
		}
	}
}

func nearPct(a, b, rel float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= rel*b
}
