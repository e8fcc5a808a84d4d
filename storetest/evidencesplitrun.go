package storetest

import (
	"context"
	"testing"
)

// testEvidenceOfSplitRun: the evidence check behind every certificate
// (sqldb.DB.CheckEvidence) replays the events of a lot's genealogy and
// compares the rows it rebuilds with the stored ones. A run recorded as
// several events (EPCIS 2.0 §7.4.6: events sharing a transformationID are
// one transformation) derives a lot's rows from every event of the run,
// including events that name neither the lot nor its feed — an
// input-only event, or another output's event. Two shapes (nu9c):
//
//   - input-only event, then two output-only events (SC, then SE): SE's
//     link from SA is a replay link, made by ev:sin-a and ev:sout, neither
//     of which names SE;
//   - one document whose second event, with no inputs, makes SE with more
//     Nd than the run was fed (SC 10 t × 30 % + SE 20 t × 20 % = 7 t Nd
//     out of SA's 100 t × 4 % = 4 t): the element_gain kept on SC's origin
//     mix comes from SE's event.
//
// In both the stored rows are right (verify agrees), so the evidence must
// pass: the check must replay the whole run, not only the events naming
// the certified lot and its feed.
func testEvidenceOfSplitRun(t *testing.T, open Opener) {
	outE := `{"type": "TransformationEvent", "eventID": "urn:t:ev:sout-e", "eventTime": "2025-10-13T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:xform:split",
  "outputQuantityList": [{"epcClass": "urn:t:lot:SE", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
	type checker interface {
		CheckEvidence(ctx context.Context, nodes, eventIDs []string) error
	}
	for _, tc := range []struct {
		name string
		docs [][]string
		lot  string
	}{
		{"input-only then two output-only events", [][]string{{splitA}, {splitInA}, {splitOut}, {outE}}, "urn:t:lot:SE"},
		{"one document with an element gain", [][]string{{splitA}, {splitInA, splitOut, outE}}, "urn:t:lot:SC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ch, ok := s.(checker)
			if !ok {
				t.Fatalf("%T has no CheckEvidence", s)
			}
			svc := service(s)
			for _, d := range tc.docs {
				MustCapture(t, svc, retractDoc(d...))
			}
			if err := ch.CheckEvidence(context.Background(), []string{tc.lot, "urn:t:lot:SA"}, nil); err != nil {
				t.Errorf("evidence of %s: %v", tc.lot, err)
			}
		})
	}
}
