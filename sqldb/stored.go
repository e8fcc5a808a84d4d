package sqldb

import (
	"encoding/json"
	"fmt"

	"github.com/critmin/critmin"
)

// decodeDerived decodes the JSON column of a derived-table row into v. A
// value critmin did not write (the row was edited in the database) is
// answered as the evidence failing verification — ECONFLICT naming the
// table, row and column, as `critmin verify` names them — never as an
// internal error: the API then says 409 with the row at fault, not 500.
func decodeDerived(table, key, column, raw string, v any) error {
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return StoredValueError(table, key, column, raw, err)
	}
	return nil
}

// StoredValueError is the error for a stored value of a derived table that
// critmin cannot read back: it was edited outside critmin.
func StoredValueError(table, key, column, raw string, cause error) error {
	if len(raw) > 80 {
		raw = raw[:77] + "…"
	}
	return critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table %s, row %s, column %s: stored %q cannot be read (%v): it was edited outside critmin; `critmin verify` names every difference from the ledger",
		table, key, column, raw, cause)
}

// rowKey shows a row's key as verify's Difference does (id="…").
func rowKey(col, val string) string { return fmt.Sprintf("%s=%q", col, val) }
