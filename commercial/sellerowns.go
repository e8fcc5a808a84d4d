package commercial

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// maxOwnershipLots bounds the lots (the lot and its ancestors) read to
// find who owned a lot: a processed lot's owner is its inputs' owner when
// the transformation names none.
const maxOwnershipLots = 200

// checkSellerOwns refuses to invoice a lot its contract's seller never
// owned: the seller must be named as the lot's owning party (an EPCIS
// owning_party source or destination) on one of the lot's events up to
// asOf, or on an event of a lot it was made from, or be the lot's
// supplier (cm:supplier, a purchase from the supplier). The error is
// ECONFLICT (409) naming the lot, the seller and the owners the ledger
// does name. A lot whose chain names no owner and no supplier at all
// states nothing to check against and is not refused here (docs/trade.md,
// "Who may invoice a lot"). Parties compare in canonical form
// (epcis.Canonical), so one party spelled two ways is one party.
func checkSellerOwns(ctx context.Context, store critmin.Store, ts *TermSheet, lot *critmin.Lot, asOf time.Time) error {
	seller := epcis.Canonical(ts.Seller)
	owners := map[string]string{} // canonical → as spelled
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			if _, ok := owners[epcis.Canonical(p)]; !ok {
				owners[epcis.Canonical(p)] = p
			}
		}
	}
	seen := map[string]bool{}
	queue := []string{lot.ID}
	for len(queue) > 0 && len(seen) < maxOwnershipLots {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		l := lot
		if id != lot.ID {
			var err error
			if l, err = store.FindLot(ctx, id); err != nil {
				if critmin.ErrorCode(err) == critmin.ENOTFOUND {
					continue
				}
				return err
			}
		}
		add(l.Supplier)
		events, _, err := lotEvents(ctx, store, id, asOf)
		if err != nil {
			return err
		}
		for _, ev := range events {
			for _, d := range ev.Destinations {
				if d.Type == "owning_party" {
					add(d.ID)
				}
			}
			for _, s := range ev.Sources {
				if s.Type == "owning_party" {
					add(s.ID)
				}
			}
		}
		if _, ok := owners[seller]; ok {
			return nil
		}
		queue = append(queue, l.Parents...)
	}
	if len(owners) == 0 {
		return nil
	}
	named := make([]string, 0, len(owners))
	for _, p := range owners {
		named = append(named, p)
	}
	sort.Strings(named)
	current := lot.Owner
	if current == "" {
		current = "none stated"
	}
	return critmin.Errorf(critmin.ECONFLICT, "lot %s: the seller %s of contract %s never owned it — its chain of custody names as owner or supplier only %s (current owner %s); an invoice is issued by the lot's owner", lot.ID, ts.Seller, ts.ID, strings.Join(named, ", "), current)
}
