package web

import (
	"net/http"
	"strconv"
)

// pager is what a paged list page says of itself: which rows it shows of
// how many ("showing 101–128 of 128"), and links to the previous and next
// pages (empty when there are none), so no page shows part of a list as
// if it were the whole.
//
// A page past the end of the list (offset ≥ total, total > 0) shows no
// row: Past is set and First links to the first page, so the page says
// "no rows here, N in all" instead of a range that holds nothing.
type pager struct {
	From, To, Total int
	Prev, Next      string
	Past            bool
	First           string
}

// pageOf describes a page of shown rows starting at offset, limit rows a
// page, of total, its links r's URL with offset changed.
func pageOf(r *http.Request, offset, limit, shown, total int) pager {
	p := pager{From: offset + 1, To: offset + shown, Total: total}
	if shown == 0 {
		p.From = offset
	}
	if limit <= 0 {
		limit = 100
	}
	link := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return r.URL.Path + "?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if shown == 0 && offset > 0 && total > 0 {
		p.Past, p.First, p.Prev = true, link(0), ""
	}
	if offset+shown < total && shown > 0 {
		p.Next = link(offset + shown)
	}
	return p
}
