package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestSensorTypeSpellings (issue 9): a weighing or an assay is read in
// every spelling of its GS1 measurement type, or refused naming the field
// — never skipped (a skipped assay leaves the lot's grade, and every
// product's element shares, resting on an older figure).
//
//   - MassConcentration of Nd, 42 (P1 = %), dry, written MassConcentration,
//     gs1:MassConcentration, gs1:MT-MassConcentration or through a declared
//     prefix g: = https://gs1.org/voc/ (g:MT-MassConcentration): the lot's
//     assay is Nd 42 %.
//   - Mass 12 500 KGM written Mass, gs1:MT-Mass: the lot's wet mass is
//     12 500 / 1000 = 12.5 t.
//   - the GS1 Web Vocabulary IRI (https://gs1.org/voc/MT-MassConcentration)
//     and the bare MT-MassConcentration, which EPCIS 2.0 JSON does not admit,
//     are refused by the parser at the report's type; a report of one of
//     our analytes under another type (the misspelt
//     gs1:MT-MassConcentraton, VolumeFraction) by the ledger, at its type.
//   - a Mass report with meanValue only, or in P1, is refused at its value
//     or uom (before: skipped, the dry mass left stale).
//   - a Mass report on an event describing two lots is refused: each
//     lot would take the whole weight.
//   - the chemicalSubstance as a CURIE of a declared prefix
//     (cma:Nd, cma = …/analyte/) is the analyte Nd.
func TestSensorTypeSpellings(t *testing.T) {
	t.Parallel()
	doc := func(report string, lots int) string {
		ql := `{"epcClass": "urn:epc:class:lgtin:4012345.012345.L1"}`
		if lots == 2 {
			ql += `, {"epcClass": "urn:epc:class:lgtin:4012345.012345.L2"}`
		}
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/", "cma": "https://ns.critmin.org/mineral/v1/analyte/", "g": "https://gs1.org/voc/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:e:1", "eventTime": "2025-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": [], "quantityList": [` + ql + `],
 "sensorElementList": [{"sensorReport": [` + report + `]}]}]}}`
	}
	nd := func(typ string) string {
		return `{"type": "` + typ + `", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 42, "uom": "P1", "cm:basis": "dry"}`
	}
	mass := func(typ string) string { return `{"type": "` + typ + `", "value": 12500, "uom": "KGM"}` }
	const ptr = "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0"
	for _, tc := range []struct {
		name, report string
		assayNd      float64 // the Nd assay read, % (0: none expected)
		massT        float64 // the wet mass read, t (0: none expected)
		field        string  // the refused field, "" when read
		reason       string
		lots         int // lots the event describes (1 when 0)
	}{
		{name: "bare", report: nd("MassConcentration"), assayNd: 42},
		{name: "gs1 CURIE", report: nd("gs1:MassConcentration"), assayNd: 42},
		{name: "gs1 MT CURIE", report: nd("gs1:MT-MassConcentration"), assayNd: 42},
		{name: "declared prefix MT", report: nd("g:MT-MassConcentration"), assayNd: 42},
		{name: "substance CURIE", report: `{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "cma:Nd", "value": 42, "uom": "P1", "cm:basis": "dry"}`, assayNd: 42},
		{name: "mass bare", report: mass("Mass"), massT: 12.5},
		{name: "mass MT CURIE", report: mass("gs1:MT-Mass"), massT: 12.5},
		{name: "IRI", report: nd("https://gs1.org/voc/MT-MassConcentration"), field: ptr + "/type", reason: `write the GS1 measurement type as "MassConcentration"`},
		{name: "mass IRI", report: mass("https://gs1.org/voc/MT-Mass"), field: ptr + "/type", reason: `write the GS1 measurement type as "Mass"`},
		{name: "bare MT", report: nd("MT-MassConcentration"), field: ptr + "/type", reason: `write the GS1 measurement type as "MassConcentration"`},
		{name: "misspelt", report: nd("gs1:MT-MassConcentraton"), field: ptr + "/type", reason: `read as an assay only as a MassConcentration (gs1:MT-MassConcentration), not "gs1:MT-MassConcentraton"`},
		{name: "analyte as volume fraction", report: nd("VolumeFraction"), field: ptr + "/type", reason: `not "VolumeFraction"`},
		{name: "mass meanValue", report: `{"type": "gs1:MT-Mass", "meanValue": 12500, "uom": "KGM"}`, field: ptr + "/value", reason: "a Mass report needs a value"},
		{name: "mass of two lots", report: mass("Mass"), lots: 2, field: ptr, reason: "a Mass report weighs one lot, but this event describes 2"},
		{name: "mass in P1", report: `{"type": "Mass", "value": 12, "uom": "P1"}`, field: ptr + "/uom", reason: "a Mass report needs a mass unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := epcis.ParseDocument([]byte(doc(tc.report, tc.lots)), false)
			if err != nil {
				t.Fatal(err)
			}
			ev, e := d.Decode(0, time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
			var reasons []string
			if e != nil {
				for _, f := range e.Fields {
					if f.Pointer == tc.field && strings.Contains(f.Reason, tc.reason) {
						return
					}
					reasons = append(reasons, f.Pointer+": "+f.Reason)
				}
				t.Fatalf("refused by the parser: %v", reasons)
			}
			mf, errs := ledger.DecodeMineral(ev, "/epcisBody/eventList/0")
			if tc.field != "" {
				if len(errs) != 1 || errs[0].Pointer != tc.field || !strings.Contains(errs[0].Reason, tc.reason) {
					t.Fatalf("errors %+v; want one at %s saying %q", errs, tc.field, tc.reason)
				}
				return
			}
			if len(errs) > 0 || mf == nil {
				t.Fatalf("not read: facts %v, errors %+v", mf, errs)
			}
			if tc.assayNd != 0 && (len(mf.Assays) != 1 || mf.Assays[0].Analyte != "Nd" || mf.Assays[0].Value != tc.assayNd) {
				t.Errorf("assays %+v; want Nd %v %%", mf.Assays, tc.assayNd)
			}
			if tc.massT != 0 && (mf.MassTonnes == nil || *mf.MassTonnes != tc.massT) {
				t.Errorf("mass %v; want %v t", mf.MassTonnes, tc.massT)
			}
		})
	}
}
