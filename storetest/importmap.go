package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testImportMappings: a CSV source's column mapping is saved, found by
// name, replaced whole by a second save, listed by name; an unknown source
// is ENOTFOUND and a bad kind or name, or a mapping of no column, is
// EINVALID naming the field (and nothing is saved).
func testImportMappings(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if _, err := s.FindImportMapping(ctx, "karachi-weighbridge"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("unknown source: %v, want ENOTFOUND", err)
	}
	m := &critmin.ImportMapping{Source: "karachi-weighbridge", Kind: critmin.ImportWeighbridge,
		Columns:  map[string]string{"lot": "Lot No", "net_kg": "Net (kg)", "ticket": "Ticket"},
		Defaults: map[string]string{"site": "urn:critmin:demo:site:karachi"}, UpdatedAt: now, UpdatedBy: "operator"}
	if err := s.SaveImportMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveImportMapping(ctx, &critmin.ImportMapping{Source: "gsp-lab", Kind: critmin.ImportLaboratory, Columns: map[string]string{"lot": "Lot"}, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindImportMapping(ctx, "karachi-weighbridge")
	if err != nil || got.Kind != critmin.ImportWeighbridge || got.Columns["net_kg"] != "Net (kg)" || len(got.Columns) != 3 ||
		got.Defaults["site"] != "urn:critmin:demo:site:karachi" || !got.UpdatedAt.Equal(now) || got.UpdatedBy != "operator" {
		t.Fatalf("FindImportMapping = %+v, %v", got, err)
	}
	// A second save replaces the mapping whole: the dropped column is gone.
	m.Columns = map[string]string{"lot": "LOT", "net_kg": "NET"}
	m.UpdatedAt = now.Add(time.Hour)
	if err := s.SaveImportMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err = s.FindImportMapping(ctx, "karachi-weighbridge")
	if err != nil || len(got.Columns) != 2 || got.Columns["lot"] != "LOT" || !got.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after replace: %+v, %v", got, err)
	}
	list, err := s.ListImportMappings(ctx)
	if err != nil || len(list) != 2 || list[0].Source != "gsp-lab" || list[1].Source != "karachi-weighbridge" || list[0].Columns == nil {
		t.Fatalf("ListImportMappings = %v, %v", list, err)
	}
	for _, bad := range []struct {
		m     critmin.ImportMapping
		field string
	}{
		{critmin.ImportMapping{Source: "x", Kind: "invoice", Columns: map[string]string{"lot": "Lot"}}, "kind"},
		{critmin.ImportMapping{Source: "", Kind: critmin.ImportLaboratory, Columns: map[string]string{"lot": "Lot"}}, "source"},
		{critmin.ImportMapping{Source: "empty", Kind: critmin.ImportLaboratory, Columns: map[string]string{}}, "columns"},
	} {
		err := s.SaveImportMapping(ctx, &bad.m)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(critmin.ErrorFields(err)) == 0 || critmin.ErrorFields(err)[0].Pointer != bad.field {
			t.Errorf("SaveImportMapping(%+v) = %v, want EINVALID on %s", bad.m, err, bad.field)
		}
	}
	if _, err := s.FindImportMapping(ctx, "empty"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("a refused empty mapping was saved: %v", err)
	}
}
