package http

import "github.com/critmin/critmin"

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
	// A value that is no integer is refused once, by p.int ("not an
	// integer"), not also as out of range.
	limit = p.int("limit", DefaultListLimit)
	offset = p.int("offset", 0)
	_, limitErr := critmin.ParseIntText(p.q.Get("limit"))
	_, offsetErr := critmin.ParseIntText(p.q.Get("offset"))
	if p.q.Get("limit") != "" && limitErr == nil && (limit < 1 || limit > MaxListLimit) {
		p.fail("limit", "%q is out of range (1–%d)", p.q.Get("limit"), MaxListLimit)
	}
	if offsetErr == nil && offset < 0 {
		p.fail("offset", "%q is out of range (0 or more)", p.q.Get("offset"))
	}
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
