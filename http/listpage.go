package http

import "math"

// Paging of the /api/v1 lists held in memory (trade contracts, price
// series, invoices, agreements, tokens), by the convention of
// GET /api/v1/lots: ?limit= (1–MaxListLimit, default DefaultListLimit)
// and ?offset= (≥ 0), the answer carrying total, limit and offset.

// Limits of ?limit= on the paged /api/v1 lists.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// listPage reads ?limit= and ?offset=, refusing (naming the parameter) a
// limit outside 1–MaxListLimit or a negative offset.
func (p *params) listPage() (limit, offset int) {
	// A value past a bound — also one beyond int's range — names that
	// bound (MaxListLimit for limit), not int's limit.
	limit = p.intIn("limit", DefaultListLimit, 1, MaxListLimit)
	offset = p.intIn("offset", 0, 0, math.MaxInt)
	return limit, offset
}

// pageOf is list[offset : offset+limit] (empty past the end) and the
// list's length.
func pageOf[T any](list []T, limit, offset int) ([]T, int) {
	total := len(list)
	if offset >= total {
		return []T{}, total
	}
	end := min(total, offset+limit)
	return list[offset:end], total
}
