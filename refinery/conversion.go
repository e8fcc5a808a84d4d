package refinery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// ConversionFactors supplies the mass balance's conversion factors from
// the refinery's closed periods (it satisfies custody.ConversionSource).
// A claim period that is one calendar month (From the 1st, To the 1st of
// the next month) takes, when that month is closed at the site, the
// reconciled recovery (RecoveryFor) of the category's elements as a
// group ("Nd+Pr") into the product stream whose commodity is the
// category's product: element in product / element fed, AMIRA P754
// check-in against check-out. The source names the close record
// ("refinery period 2025-10 close record 3 (hash)"). custody asks for
// the calendar month each credit run ran in, so a claim period longer
// than a month takes each closed month's recovery for its runs. Any other
// period or a month not closed gives ok false: the declared factor
// applies. A closed month that does not account the category's elements
// (ErrNotAccounted), has no product stream of that commodity carrying
// them, or whose recovery cannot be determined (ErrUndetermined) gives
// the declared factor with a source that names the close and says why,
// so that no closed month is passed over silently (ISO 22095:2020 §11: the factor must be justified; a measured
// one replaces the declared one only where it exists).
type ConversionFactors struct {
	Store critmin.RefineryStore
}

// ConversionFactor implements custody.ConversionSource.
func (c ConversionFactors) ConversionFactor(ctx context.Context, site string, cat critmin.MaterialCategory, p critmin.ClaimPeriod) (float64, string, bool, error) {
	month, ok := claimMonth(p)
	if !ok || c.Store == nil || len(cat.Elements) == 0 {
		return 0, "", false, nil
	}
	rs, err := RecoveryFor(ctx, c.Store, site, strings.Join(cat.Elements, "+"), month)
	if errors.Is(err, ErrNotAccounted) {
		// The month is closed but does not account the category's
		// elements: the declared factor applies, and its source names
		// the close passed over (never skipped silently).
		return cat.ConversionFactor, "declared (" + critmin.ErrorMessage(err) + ")", true, nil
	}
	if errors.Is(err, ErrUnverified) {
		// The close cannot be verified (no installation key): the
		// declared factor applies, and its source says why.
		return cat.ConversionFactor, "declared (" + critmin.ErrorMessage(err) + ")", true, nil
	}
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return 0, "", false, nil
	}
	if errors.Is(err, ErrUndetermined) {
		// The month is closed but its recovery cannot be used: the
		// declared factor applies, and its source says why.
		return cat.ConversionFactor, "declared (" + critmin.ErrorMessage(err) + ")", true, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	// Every product stream of the category's commodity counts: two
	// streams carrying one product sum (ProductRecovery).
	pr, found := ProductRecovery(rs, cat.Product)
	f, seq, hash, warn := pr.Fraction, pr.Seq, pr.Hash, pr.Warning
	if !found {
		return cat.ConversionFactor, fmt.Sprintf("declared (closed period %s of %s has no product stream of commodity %s carrying %s)", month, site, cat.Product, strings.Join(cat.Elements, "+")), true, nil
	}
	if !(f > 0 && f <= 1) {
		return cat.ConversionFactor, fmt.Sprintf("declared (closed period %s of %s gives a %s recovery of %s into %s, not in (0, 1])", month, site, strings.Join(cat.Elements, "+"), Fig(float64(f)), cat.Product), true, nil
	}
	src := fmt.Sprintf("refinery period %s close record %d (%s)", month, seq, hash)
	if warn != "" {
		src += "; WARNING: " + warn
	}
	return f, src, true, nil
}

// claimMonth returns the YYYY-MM of a claim period that is exactly one
// calendar month.
func claimMonth(p critmin.ClaimPeriod) (string, bool) {
	f, err1 := time.Parse(time.DateOnly, p.From)
	t, err2 := time.Parse(time.DateOnly, p.To)
	if err1 != nil || err2 != nil || f.Day() != 1 || !t.Equal(f.AddDate(0, 1, 0)) {
		return "", false
	}
	return f.Format("2006-01"), true
}

// ProductRecovery sums the recoveries rs (one element or group, one
// closed period, as RecoveryFor returns them) over every product stream
// whose commodity is commodity (one spelling: a code and its IRI are one
// commodity). Two streams carrying one product (an NdPr oxide line split
// into ndpr_oxide_a and ndpr_oxide_b) are one product to the planner and
// the mass balance: the recovery into the commodity is their sum, never
// the last or first stream's share. The result's Stream names the
// streams joined by "+", its Fraction is the sum (0–1 when the close is
// sound; callers check the bound), Warning joins the distinct warnings.
// ok is false when no stream of rs has the commodity. Every reader of a
// per-commodity recovery (plan.MeasuredYieldsFor, `critmin refinery
// yields`, ConversionFactors) goes through it.
func ProductRecovery(rs []Recovery, commodity string) (Recovery, bool) {
	var sum Recovery
	var streams, warns []string
	want := ledger.CanonicalCommodity(commodity)
	for _, r := range rs {
		if ledger.CanonicalCommodity(r.Commodity) != want {
			continue
		}
		if len(streams) == 0 {
			sum = r
			sum.Fraction = 0
		}
		sum.Fraction += r.Fraction
		streams = append(streams, r.Stream)
		if r.Warning != "" && !slices.Contains(warns, r.Warning) {
			warns = append(warns, r.Warning)
		}
		if r.Stale != nil {
			sum.Stale = r.Stale
		}
	}
	if len(streams) == 0 {
		return Recovery{}, false
	}
	sum.Stream = strings.Join(streams, "+")
	sum.Warning = strings.Join(warns, "; ")
	return sum, true
}
