package critmin

import (
	"context"
	"time"
)

// Import kinds: the files an operator's CSV import turns into EPCIS events.
const (
	ImportWeighbridge = "weighbridge" // weighbridge tickets: one weighing of a lot per row
	ImportLaboratory  = "laboratory"  // laboratory results: one analyte of one sample per row
)

// ImportMapping is the column mapping of one named source of CSV files (a
// weighbridge, a laboratory): which column of its files holds each field
// of its kind. It is saved so that the next file of the source imports
// without mapping again.
type ImportMapping struct {
	Source string // name of the source, 1–64 characters
	Kind   string // ImportWeighbridge or ImportLaboratory
	// Columns maps a field of the kind (lot, time, net_kg, …) to the CSV
	// header of the column that holds it.
	Columns map[string]string
	// Defaults are values used where a file has no column for a field
	// (the site of a weighbridge, the time zone of its clock).
	Defaults  map[string]string
	UpdatedAt time.Time
	UpdatedBy string // token name
}

// ImportStore keeps the saved column mappings of CSV sources.
type ImportStore interface {
	// SaveImportMapping inserts or replaces the mapping of m.Source.
	SaveImportMapping(ctx context.Context, m *ImportMapping) error
	// FindImportMapping returns the mapping of a source; ENOTFOUND if none.
	FindImportMapping(ctx context.Context, source string) (*ImportMapping, error)
	// ListImportMappings returns every saved mapping by source name.
	ListImportMappings(ctx context.Context) ([]*ImportMapping, error)
}
