package custody

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Mass balance after ISO 22095:2020 §11 and its ISO/TS 22095-2 guidance:
// a mass-balance site keeps, per material category and claim period, an
// account of the qualifying characteristic — here the contained element of
// a given physical origin. Credits in = contained qualifying element of the
// inputs × the process's conversion factor; claims out may not exceed the
// opening balance + credits in − expired credits. Claims are reported as
// the claimed origin, apart from the physical origin, and never read by
// covered-country rules.

// ConversionSource supplies the conversion factor of a category at a site
// in a period (element in product per element in feed, in (0, 1]). The
// account asks for each claim period (the statement's category factor)
// and for the calendar month of each credit run (creditFactor). The
// declared factor is the default (DeclaredFactors); the refinery's
// reconciled recoveries can be plugged in here. source says where the
// factor comes from; ok false falls back to the declared factor.
type ConversionSource interface {
	ConversionFactor(ctx context.Context, site string, cat critmin.MaterialCategory, period critmin.ClaimPeriod) (factor float64, source string, ok bool, err error)
}

// DeclaredFactors is the ConversionSource that uses each category's
// declared conversion factor.
type DeclaredFactors struct{}

// ConversionFactor returns the declared factor.
func (DeclaredFactors) ConversionFactor(_ context.Context, _ string, cat critmin.MaterialCategory, _ critmin.ClaimPeriod) (float64, string, bool, error) {
	return cat.ConversionFactor, "declared", true, nil
}

// ValidateDeclaration checks a mass-balance declaration; errors name the
// field (JSON pointer) at fault.
func ValidateDeclaration(d *critmin.MassBalanceDeclaration) error {
	var errs []critmin.FieldError
	fail := func(ptr, f string, a ...any) {
		errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(f, a...)})
	}
	if d.Site == "" {
		fail("/site", "missing (required): name the mass-balance site (its location URI)")
	}
	if d.EffectiveFrom != "" {
		if _, err := time.Parse(time.DateOnly, d.EffectiveFrom); err != nil {
			fail("/effectiveFrom", "%q is not a date (YYYY-MM-DD)", d.EffectiveFrom)
		}
	}
	if d.Method == "" {
		d.Method = critmin.MassBalanceCredit
	}
	if d.Method != critmin.MassBalanceCredit && d.Method != critmin.MassBalanceRollingAverage {
		fail("/method", "%q is not credit or rolling_average", d.Method)
	}
	if d.CarryForward < 0 || d.CarryForward > 120 {
		fail("/carryForward", "%d is not 0–120 periods", d.CarryForward)
	}
	if len(d.Categories) == 0 {
		fail("/categories", "missing (required): declare at least one material category")
	}
	ids, products := map[string]bool{}, map[string]bool{}
	// input commodity → the categories it earns credits in so far, in
	// declaration order (index into d.Categories).
	inputOf := map[string][]int{}
	for i, c := range d.Categories {
		ptr := fmt.Sprintf("/categories/%d", i)
		if c.ID == "" {
			fail(ptr+"/id", "missing (required): name the category")
		} else if ids[c.ID] {
			fail(ptr+"/id", "%q names another category too", c.ID)
		}
		ids[c.ID] = true
		if len(c.Inputs) == 0 {
			fail(ptr+"/inputs", "missing (required): name the input commodities that earn credits")
		}
		// Commodity codes in one spelling (ledger.CanonicalCommodity): a
		// code and its IRI are one material, so listing both is an overlap.
		for j := range c.Inputs {
			d.Categories[i].Inputs[j] = ledger.CanonicalCommodity(c.Inputs[j])
		}
		d.Categories[i].Product = ledger.CanonicalCommodity(c.Product)
		c = d.Categories[i]
		for j, in := range c.Inputs {
			if !knownCommodity(in) {
				fail(fmt.Sprintf("%s/inputs/%d", ptr, j), "%q is not a known material: use a commodity code (%s) or an absolute URI", in, commodityList())
			} else if in == c.Product {
				fail(fmt.Sprintf("%s/inputs/%d", ptr, j), "%q is the category's product: an input earns credits that the product claims", in)
			} else if own := inputOf[in]; len(own) > 0 && own[len(own)-1] == i {
				fail(fmt.Sprintf("%s/inputs/%d", ptr, j), "%q is listed twice in this category (a commodity code and its IRI %s%s are one material)", in, ledger.CommodityBase, in)
			} else {
				// ISO 22095-2 keeps material categories apart: the same
				// contained element of one input may earn credit in one
				// category only, or it would be counted twice. An input
				// may feed several categories whose qualifying elements
				// are disjoint (REE concentrate → NdPr oxide on Nd+Pr and
				// → La/Ce carbonate on La+Ce): each counts only its own.
				for _, k := range own {
					if el := sharedElement(d.Categories[k].Elements, c.Elements); el != "" {
						fail(fmt.Sprintf("%s/inputs/%d", ptr, j), "%q is an input of category %q too, and both categories %q and %q qualify element %s: the same contained %s would earn credit in each and be counted twice; an input may feed several categories only when their qualifying elements are disjoint", in, d.Categories[k].ID, d.Categories[k].ID, c.ID, el, el)
						break
					}
				}
				inputOf[in] = append(own, i)
			}
		}
		if c.Product == "" {
			fail(ptr+"/product", "missing (required): name the product commodity whose outputs may claim")
		} else if !knownCommodity(c.Product) {
			fail(ptr+"/product", "%q is not a known material: use a commodity code (%s) or an absolute URI", c.Product, commodityList())
		} else if products[c.Product] {
			fail(ptr+"/product", "%q is the product of another category: a claim must belong to one category", c.Product)
		}
		products[c.Product] = true
		if len(c.Elements) == 0 {
			fail(ptr+"/elements", "missing (required): name the qualifying elements (Nd, Pr, Sb, …)")
		}
		seenEl := map[string]bool{}
		for j, e := range c.Elements {
			switch {
			case e == "":
				fail(fmt.Sprintf("%s/elements/%d", ptr, j), "missing: an empty element symbol")
			case !units.IsElement(e):
				fail(fmt.Sprintf("%s/elements/%d", ptr, j), "%q is not a chemical element symbol (IUPAC periodic table: Nd, Pr, Sb, …; an oxide such as Nd2O3 is not an element)", e)
			case seenEl[e]:
				fail(fmt.Sprintf("%s/elements/%d", ptr, j), "%q is listed twice", e)
			}
			seenEl[e] = true
		}
		// Absent and 0 are told apart (MaterialCategory.FactorStated, from
		// the body the declaration was decoded from): an absent factor is
		// missing, a stated 0 is a factor out of range.
		switch f := c.ConversionFactor; {
		// Bounds: critmin.MinConversionFactor (0.001) to 1 — a recovery
		// (element in product per element in feed) cannot exceed 1, and
		// one under 0.1 % is a slip (1e-320, a subnormal), not a process.
		case f == 0 && !c.FactorStated():
			fail(ptr+"/conversionFactor", "missing (required): declare the process's conversion factor, element in product per element in feed, a number in (0, 1] of at least %v", critmin.MinConversionFactor)
		case f == 0:
			fail(ptr+"/conversionFactor", "0 is outside (0, 1]: a factor of 0 puts none of the feed's element into the product, so no input could earn a credit; the factor must be at least %v and at most 1", critmin.MinConversionFactor)
		case math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1:
			fail(ptr+"/conversionFactor", "%v is outside (0, 1]: a process cannot put more of an element into the product than the feed held, nor a negative amount (the factor is element in product per element in feed, not an element-to-oxide ratio)", f)
		case f < critmin.MinConversionFactor:
			fail(ptr+"/conversionFactor", "%v is below the minimum %v: the factor is the process's recovery of the element into the product, and none puts less than 0.1 %% of its feed's element into it — write a per-cent recovery as a fraction (90 %% is 0.9)", f, critmin.MinConversionFactor)
		}
	}
	// A chain of categories counts an element twice too: when one
	// category's input is another's product and both qualify an element,
	// the feed's element earns credit upstream and the product made from
	// it earns credit again downstream (antimony ore → trioxide → metal on
	// Sb: 4 t of Sb would back 3.2 t of trioxide and 3.17 t of metal).
	// Named at the downstream category's input.
	for i, c := range d.Categories {
		for j, in := range c.Inputs {
			for k, up := range d.Categories {
				if k == i || up.Product == "" || up.Product != in {
					continue
				}
				if el := sharedElement(up.Elements, c.Elements); el != "" {
					fail(fmt.Sprintf("/categories/%d/inputs/%d", i, j), "%q is the product of category %q, and both categories %q and %q qualify element %s: the same contained %s would earn credit in %q as feed and again in %q as the product made from it, counted twice; chain categories only when their qualifying elements are disjoint", in, up.ID, up.ID, c.ID, el, el, up.ID, c.ID)
					break
				}
			}
		}
	}
	if len(d.Periods) == 0 {
		fail("/periods", "missing (required): declare at least one claim period")
	}
	type span struct {
		from, to time.Time
		i        int
	}
	var spans []span
	pids := map[string]bool{}
	for i, p := range d.Periods {
		ptr := fmt.Sprintf("/periods/%d", i)
		if p.ID == "" {
			fail(ptr+"/id", "missing (required): name the period (2025-10, …)")
		} else if pids[p.ID] {
			fail(ptr+"/id", "%q names another period too", p.ID)
		}
		pids[p.ID] = true
		f, err1 := time.Parse(time.DateOnly, p.From)
		t, err2 := time.Parse(time.DateOnly, p.To)
		if p.From == "" {
			fail(ptr+"/from", "missing (required): the period's first day, YYYY-MM-DD")
		} else if err1 != nil {
			fail(ptr+"/from", "%q is not a date (YYYY-MM-DD)", p.From)
		}
		if p.To == "" {
			fail(ptr+"/to", "missing (required): the day after the period's last, YYYY-MM-DD")
		} else if err2 != nil {
			fail(ptr+"/to", "%q is not a date (YYYY-MM-DD)", p.To)
		}
		if err1 == nil && err2 == nil {
			if !t.After(f) {
				fail(ptr+"/to", "%s is not after from %s", p.To, p.From)
			} else {
				spans = append(spans, span{f, t, i})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	for k := 1; k < len(spans); k++ {
		prev := d.Periods[spans[k-1].i]
		switch {
		case spans[k].from.Before(spans[k-1].to):
			fail(fmt.Sprintf("/periods/%d", spans[k].i), "overlaps period %q", prev.ID)
		case spans[k].from.After(spans[k-1].to) && d.CarryForward > 0:
			// Carry-forward (and the rolling average's window) counts
			// declared periods, not time: across a gap, carryForward 1
			// would keep a credit usable for however long the gap runs
			// — a credit of 2025 backing a claim of 2030. Without
			// carry-forward each period's balance stands alone and a
			// gap only leaves its input outside any period (listed,
			// earning nothing: OutsideCredit), so it is allowed.
			fail(fmt.Sprintf("/periods/%d/from", spans[k].i), "%s leaves a gap: period %q ends on %s (its to, exclusive), and with carryForward %d the periods must be contiguous — each starting where the one before ends — since carry-forward counts periods, and across a gap a credit would stay usable for as long as the gap runs; start this period on %s, declare a period over the gap, or declare carryForward 0",
				d.Periods[spans[k].i].From, prev.ID, prev.To, d.CarryForward, prev.To)
		}
	}
	if len(errs) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("mass-balance declaration: %s: %s", errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	return nil
}

// sharedElement is the first element of b that a lists too ("" if the
// sets are disjoint).
func sharedElement(a, b []string) string {
	for _, x := range b {
		for _, y := range a {
			if x == y {
				return x
			}
		}
	}
	return ""
}

// knownCommodity: a commodity code of the extension or an absolute URI
// (scheme and a non-empty rest), as a lot's cm:commodity may be.
func knownCommodity(c string) bool {
	if _, ok := ledger.Commodities[c]; ok {
		return true
	}
	u, err := url.Parse(c)
	return err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "") && !strings.ContainsAny(c, " \t")
}

func commodityList() string {
	return strings.Join(sortedKeys(ledger.Commodities), ", ")
}

// DeclareMassBalance validates a site's declaration and stores it as the
// site's next version; a refused declaration stores nothing.
//
// Versions take effect by date and never reach back (ISO 22095:2020 §11:
// the claim period and the rules of the account are fixed for a period,
// and a claim made against a period's balance must stay verifiable
// against the same balance). A period is locked once it has ended (To ≤
// now) or holds a claim, accepted or refused. A new version
//
//   - must keep every locked period unchanged (same id, from and to);
//   - takes effect from EffectiveFrom, the start of one of its periods on
//     or after the end of the last locked period (by default the first
//     such period); the locked periods keep the version they were judged
//     under, so their statements and verdicts do not change;
//   - is refused, naming the field, if it would take effect earlier, or
//     declares no period it could govern.
//
// The first version takes effect from its first period.
func DeclareMassBalance(ctx context.Context, s Store, d *critmin.MassBalanceDeclaration, now time.Time) error {
	if err := ValidateDeclaration(d); err != nil {
		return err
	}
	d.DeclaredAt = now.UTC()
	check := func(ctx context.Context) error { return checkDeclaration(ctx, consistent(s), d, now) }
	// The checks read stored claims and versions; a capture committing a
	// claim between them and the save would let the new version rewrite
	// the period that claim was judged in. Where the store can, the
	// checks and the save are one critical section with captures.
	if ss, ok := s.(serializedSaver); ok {
		return ss.SaveMassBalanceAfter(ctx, d, check)
	}
	if err := check(ctx); err != nil {
		return err
	}
	return s.SaveMassBalance(ctx, d)
}

// serializedSaver is a store that saves a declaration in the same
// critical section as captures (sqldb.DB.SaveMassBalanceAfter): it runs
// check after taking the capture lock, then saves d.
type serializedSaver interface {
	SaveMassBalanceAfter(ctx context.Context, d *critmin.MassBalanceDeclaration, check func(context.Context) error) error
}

// checkDeclaration is DeclareMassBalance's checks against the stored
// state: the site, and the versions' rule; it sets d.Site to the known
// spelling and d.EffectiveFrom.
func checkDeclaration(ctx context.Context, s Store, d *critmin.MassBalanceDeclaration, now time.Time) error {
	// Only a site that runs the mass-balance custody model keeps an
	// account (ISO 22095:2020 §5, §11): a declaration at a site whose
	// master data declares another model is refused, and so is one at a
	// site that neither master data nor any event names (a typo would
	// otherwise keep an account nothing ever books to). A site named by
	// events only may be declared ahead of its master data; its claims are
	// refused (statements, lot pages, capture) until its master data says
	// mass_balance. Spellings of one GS1 key (EPC URN, Digital Link, any
	// case of the urn:epc: prefix) are one site (siteKey, docs/identity.md):
	// the declaration is stored under the spelling the site is known by.
	known, err := s.FindSites(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, st := range known {
		if siteKey(st.ID) == siteKey(d.Site) {
			d.Site, found = st.ID, true
			break
		}
	}
	if !found {
		return critmin.FieldErrorf("/site", "unknown site %s: no master data or event names it; capture the site's master data (cm:custodyModel mass_balance) or its events first, or check the spelling", epcis.Canonical(d.Site))
	}
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return err
	}
	for _, st := range sites {
		if siteKey(st.ID) == siteKey(d.Site) && st.CustodyModel != MassBalance {
			model := st.CustodyModel
			if model == "" {
				model = "no custody model (its master data declares none)"
			}
			return critmin.FieldErrorf("/site", "site %s runs %s: a mass-balance declaration needs the site's master data to declare cm:custodyModel mass_balance", epcis.Canonical(d.Site), model)
		}
	}
	periods := sortedPeriods(d)
	// A declaration opens no period that has already ended (ISO 22095-2:
	// a claim period's account is declared before the period runs and is
	// final once it ends). Otherwise runs captured after the period ended
	// would earn credits in it when declared afterwards, and be refused
	// as changing a final statement when declared before — the result
	// would hang on the order of capture and declaration. A redeclaration
	// may list an ended period only as already declared, unchanged
	// (checkRedeclaration).
	prev := map[string]critmin.ClaimPeriod{}
	vs, err := s.MassBalanceVersions(ctx, d.Site)
	if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
		return err
	}
	for _, v := range vs {
		for _, p := range v.Periods {
			prev[p.ID] = p
		}
	}
	for i, p := range d.Periods {
		_, to := periodSpan(p)
		if to.After(now) {
			continue
		}
		if q, ok := prev[p.ID]; ok && q == p {
			continue
		}
		return critmin.FieldErrorf(fmt.Sprintf("/periods/%d", i), "site %s, period %s (%s to %s) ended on %s, before this declaration (%s): a declaration cannot open or change an ended claim period — its statement is final (ISO 22095-2); declare periods that have not ended",
			epcis.Canonical(d.Site), p.ID, p.From, p.To, p.To, now.UTC().Format(time.RFC3339))
	}
	starts := map[string]bool{}
	for _, p := range periods {
		starts[p.From] = true
	}
	switch {
	case critmin.ErrorCode(err) == critmin.ENOTFOUND:
		if d.EffectiveFrom != "" && d.EffectiveFrom != periods[0].From {
			return critmin.FieldErrorf("/effectiveFrom", "%s: the first declaration of a site takes effect from its first period, %s", d.EffectiveFrom, periods[0].From)
		}
		d.EffectiveFrom = periods[0].From
	case err != nil:
		return err
	default:
		if err := checkRedeclaration(ctx, s, vs, d, periods, starts, now); err != nil {
			return err
		}
	}
	return nil
}

// checkRedeclaration applies DeclareMassBalance's rule for a new version
// and sets its EffectiveFrom when not given.
func checkRedeclaration(ctx context.Context, s Store, vs []*critmin.MassBalanceDeclaration, d *critmin.MassBalanceDeclaration, periods []critmin.ClaimPeriod, starts map[string]bool, now time.Time) error {
	mc, err := replayAll(ctx, s, vs, nil, nil, nil)
	if err != nil {
		return err
	}
	claimed := map[string]string{} // period → a claim in it, for messages
	for _, lot := range sortedKeys(mc.claims) {
		cl := mc.claims[lot]
		if claimed[cl.Period] == "" {
			claimed[cl.Period] = fmt.Sprintf("holds the %s claim on lot %s", cl.Status, lot)
		}
	}
	newP := map[string]critmin.ClaimPeriod{}
	for _, p := range d.Periods {
		newP[p.ID] = p
	}
	lockedTo, lockedID, why := "", "", ""
	for _, p := range sortedPeriods(mc.d) {
		_, to := periodSpan(p)
		reason := claimed[p.ID]
		if reason == "" && !to.After(now) {
			reason = "has ended (" + p.To + ")"
		}
		if reason == "" {
			continue
		}
		if q, ok := newP[p.ID]; !ok || q != p {
			return critmin.FieldErrorf("/periods", "period %s (%s to %s) %s, so it is closed to change: declare it unchanged (ISO 22095 §11: a claim period's account may not be rewritten)", p.ID, p.From, p.To, reason)
		}
		if p.To > lockedTo {
			lockedTo, lockedID, why = p.To, p.ID, reason
		}
	}
	if d.EffectiveFrom == "" {
		for _, p := range periods {
			if p.From >= lockedTo {
				d.EffectiveFrom = p.From
				break
			}
		}
		if d.EffectiveFrom == "" {
			return critmin.FieldErrorf("/periods", "every declared period is closed or claimed (the last, %s, %s): declare a new claim period for the new version to govern", lockedID, why)
		}
		return nil
	}
	if !starts[d.EffectiveFrom] {
		return critmin.FieldErrorf("/effectiveFrom", "%s is not the start of a declared claim period: a version takes effect from a period's first day", d.EffectiveFrom)
	}
	if d.EffectiveFrom < lockedTo {
		return critmin.FieldErrorf("/effectiveFrom", "%s would change period %s, which %s: a new version takes effect from %s or later (ISO 22095 §11: claims keep the account they were judged under)", d.EffectiveFrom, lockedID, why, lockedTo)
	}
	return nil
}

// Statement is a site's mass-balance statement for one claim period: per
// material category, a line per origin (the characteristic) with opening
// balance, credits in, claims out, expired credits and closing balance, in
// tonnes of qualifying element, and the entries (events) behind each.
type Statement struct {
	Site   string `json:"site"`
	Method string `json:"method"`
	// Version is the declaration version the period is judged under, and
	// CarryForward that version's carry-forward (rolling window).
	Version      int                 `json:"declarationVersion"`
	CarryForward int                 `json:"carryForward"`
	Period       critmin.ClaimPeriod `json:"period"`
	Categories   []CategoryStatement `json:"categories"`
	// Refused are claims made at the site in the period that were
	// refused or are not covered, including claims on products no
	// category declares. A claim of an earlier period is not listed
	// again: the deficit it still owes is carried in the line's opening
	// (BalanceLine.CarriedDeficit; fix9ah).
	Refused []RefusedClaim `json:"refused"`
	// Restated is, for a period that has ended, how its figures changed
	// after it closed — an event declared in error since, say: each
	// changed line as at close and now, and the events recorded after
	// the close that changed it (restate, fix9aq). Absent where the
	// figures are those the period closed with. The lines above are the
	// current (restated) figures; the next period opens at their closing.
	Restated *Restatement `json:"restated,omitempty"`
	// Outside are the credits the site's runs would have earned in the
	// undeclared span just before the period (before the first declared
	// period, or since the period before it ended): outside any declared
	// claim period, they are in no line above, listed here with their
	// tonnes, never silently dropped (OutsideCredit, fixKk).
	Outside []OutsideCredit `json:"outsideAnyPeriod"`
}

// CategoryStatement is one material category's account in a period.
//
// ConversionFactor and FactorSource are the period's: for a claim period
// of one calendar month, the refinery's recovery where the month is
// closed, else the declared factor. A credit takes the factor of the
// calendar month its run ran in (Entry.Factor): where a longer period's
// credits were earned at more than one factor, FactorSource says so and
// each credit entry names its own.
type CategoryStatement struct {
	Category         critmin.MaterialCategory `json:"category"`
	ConversionFactor float64                  `json:"conversionFactor"`
	FactorSource     string                   `json:"factorSource"`
	Lines            []BalanceLine            `json:"lines"`
	// Total sums the lines over every origin (Country "", Name "all
	// origins"). It is always present: a category with no credit, claim
	// or expiry in the period and no balance carried in has no line, and
	// its total reads opening 0, credits 0, claims 0, expired 0, closing
	// = opening carried forward — a statement, not an empty table.
	Total   BalanceLine `json:"total"`
	Entries []Entry     `json:"entries"`
}

// AllOrigins names a category's total line (CategoryStatement.Total).
const AllOrigins = "all origins"

// totalLine sums a category's lines: Closing = Opening + Credits −
// Claims − Expired holds for the sum as for each line.
func totalLine(lines []BalanceLine) BalanceLine {
	t := BalanceLine{Name: AllOrigins}
	for _, l := range lines {
		// An origin's deficit is never netted by another origin's
		// credits (ISO 22095-2 keeps each characteristic's balance
		// apart): the total names it (Deficit, Notes), fix9h.
		if l.Closing < -claimTolerance {
			t.Deficit -= l.Closing
			t.Notes = append(t.Notes, fmt.Sprintf("%s in deficit by %s t, not offset by other origins' credits", l.Country, Figure(-l.Closing)))
		}
		t.Opening += l.Opening
		t.Credits += l.Credits
		t.Claims += l.Claims
		t.Expired += l.Expired
		t.ExpiresAtPeriodEnd += l.ExpiresAtPeriodEnd
		t.Closing += l.Closing
	}
	for _, v := range []*float64{&t.Opening, &t.Credits, &t.Claims, &t.Expired, &t.ExpiresAtPeriodEnd, &t.Closing} {
		if math.Abs(*v) < claimTolerance {
			*v = 0
		}
	}
	return t
}

// BalanceLine is one origin's account: Closing = Opening + Credits −
// Claims − Expired (checked by CheckStatement). For the rolling-average
// method Percent is the origin's share of the qualifying input over the
// window, the most an output may claim of it.
type BalanceLine struct {
	Country string  `json:"country"`
	Name    string  `json:"name"`
	Opening float64 `json:"opening"`
	Credits float64 `json:"credits"`
	Claims  float64 `json:"claims"`
	Expired float64 `json:"expired"`
	// Deficit is, on a category's total line only, the sum of its
	// origins' deficits (negative closings, as positive tonnes): the
	// total's Closing nets origins, its Deficit never does (fix9h).
	Deficit float64 `json:"deficit,omitempty"`
	// ExpiresAtPeriodEnd is, in a statement of a period still open, what
	// will expire at the period's end unless claimed before (a
	// projection): expiry happens at the period's end (ISO 22095-2
	// carry-forward), so it is not yet expired and Closing still holds
	// it. 0 once the period has ended (Expired then holds it).
	ExpiresAtPeriodEnd float64 `json:"expiresAtPeriodEnd,omitempty"`
	Closing            float64 `json:"closing"`
	Percent            float64 `json:"percent,omitempty"`
	// NoWindowInput is, for the rolling-average method, true when the
	// window holds no qualifying input at all: the share is 0/0,
	// undefined (not 0 %), so Percent is absent and a claim in the window
	// has nothing to rest on (printed "no input in window").
	NoWindowInput bool `json:"noWindowInput,omitempty"`
	// Notes say where the line's credits in are less than the runs'
	// consumption would give: a credit capped at what its lot contains
	// (creditCap), or bounded by what its run's products contain
	// (productBound); the entry behind it carries the same note.
	Notes []string `json:"notes,omitempty"`
	// CarriedDeficit is the part of the line's deficit at the close
	// (−Closing, tonnes of element) owed by claims booked in full in
	// earlier periods: carried forward in the opening balance, at most
	// the deficit the line opened with (−Opening). A claim belongs to the
	// statement of the period it is made in (ISO 22095-2), so those
	// claims are no rows of this statement's Refused; this period's own
	// not-covered rows and CarriedDeficit add up to the deficit
	// (CheckStatement; fix9ah).
	CarriedDeficit float64 `json:"carriedDeficit,omitempty"`
	// DeficitBy names the lots whose claims, accepted at capture and
	// left not covered by a later fact, stay booked in full and leave the
	// line in deficit (a negative closing, tonnes of element): a claim
	// already stated to a buyer keeps the credits it took, so no later
	// claim can take them (docs/origin.md "At capture"). Only such claims
	// may make a balance negative (CheckStatement); later credits repay
	// the deficit first.
	DeficitBy []string `json:"deficitBy,omitempty"`
}

// Entry is one credit, claim or expiry behind a balance line, in tonnes of
// qualifying element, with the lot and event it comes from.
type Entry struct {
	Kind    string    `json:"kind"` // credit, claim, expired
	Country string    `json:"country"`
	Tonnes  float64   `json:"tonnes"`
	Lot     string    `json:"lot,omitempty"`
	Event   string    `json:"event,omitempty"`
	Time    time.Time `json:"time"`
	// Origin is the period the credit entered in (expired entries).
	Origin string `json:"originPeriod,omitempty"`
	// Factor and FactorSource are the conversion factor a credit was
	// earned at and where it comes from (credit entries): the reconciled
	// recovery of the refinery month its run ran in where that month is
	// closed, else "declared" (creditFactor).
	Factor       float64 `json:"conversionFactor,omitempty"`
	FactorSource string  `json:"factorSource,omitempty"`
	// Note says why a credit is less than its run's consumption would
	// give (capped at what its lot contains: creditCap; bounded by what
	// its run's products contain: productBound), and that a credit
	// rests on an assay of its input recorded after the run
	// (creditAssayNote): recomputed from it, what it was and is now.
	// Both, where both hold, are joined by "; ".
	Note string `json:"note,omitempty"`
	// Status and Shortfall are a claim entry's own origin's standing
	// (fix9j): ClaimAccepted for a claim covered in full; for a claim
	// booked in full although no longer covered, ClaimNotCovered with
	// Shortfall its share of this origin's deficit (≤ Tonnes, settled
	// from the last booked claim back: allocate), or OriginCovered when
	// this origin's balance covers the entry although another origin of
	// the claim is short. A shortfall is attributed only to the line of
	// its own origin (CheckStatement).
	Status    string  `json:"status,omitempty"`
	Shortfall float64 `json:"shortfall,omitempty"`
	// RepaidLaterBy and RepaidLaterIn are, on a claim entry not covered
	// at this period's close, the credits of a later period that repaid
	// the deficit it carried forward, and their periods (fix9am): the
	// claim reads covered again, covered by those credits (Claim.CoveredIn),
	// while this statement keeps what the period closed with (ISO 22095-2:
	// the closing, deficit included, carries forward as the next opening).
	RepaidLaterBy []string `json:"repaidLaterBy,omitempty"`
	RepaidLaterIn []string `json:"repaidLaterIn,omitempty"`
}

// joinNotes joins the non-empty notes of a statement entry with "; ".
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// creditAssayNote words a credit whose figures an assay dated after the
// run that earned it changed: an assay of what the run took of its input
// lot (a final or umpire assay replacing the provisional one, ISO 12743)
// or of the run's product of the category (productBound reads the
// products' assays now). The credit follows the better figures, as the
// physical origin does (assay_after_run), but an auditor reading the
// statement must see that it changed after the run — "credit recomputed
// from the assay of Nd (event X of D), recorded after run R of D0
// consumed lot L[, and from the assay of Nd (event Y of D) of its product
// P, recorded after the run made it]: was W t at the run, now T t". W is
// the credit the account computed from the facts as they stood at the run
// (creditsAt: min(inputs × factor, products' bound), every figure read
// from the run's lots replayed to the run's time, as the capture check
// computed it then) — never the credit now scaled by a grade ratio, which
// mixes facts of two times (issue 9, fix9ag: 0.292 × 0.324 / 0.378 =
// 0.250286 for a credit of 0.2916 t at the run). A store that cannot give
// the lots' events leaves W unstated and says so. "" when no qualifying
// assay of either is dated after the run. The input's assays read are
// those of what the run took (ledger.RunInputScopes: the parts it took,
// each at its own assays; else the lot's own), as the credit reads them
// (issue 9, fix9y): a later assay of the body left elsewhere changes no
// credit earned on a part, and is not named.
func (mc *mbCalc) creditAssayNote(r ledgerRun, p critmin.ClaimPeriod, before *creditState, catID string, key [3]string, at time.Time, tonnes float64, memo map[int64]map[string]*runCredits) (string, error) {
	a := mc.acc[catID]
	l := mc.oc.lots[key[2]]
	if a == nil || l == nil {
		return "", nil
	}
	runEvent := key[1]
	if runEvent == "" {
		runEvent = r.event
	}
	inputs, products := mc.assaysAfterRun(r, a.cat, l, runEvent, at)
	if len(inputs) == 0 && len(products) == 0 {
		return "", nil
	}
	var from []string
	if len(inputs) > 0 {
		from = append(from, fmt.Sprintf("the assay of %s, recorded after run %s of %s consumed lot %s", strings.Join(inputs, ", "), runEvent, at.UTC().Format("2006-01-02"), l.ID))
	}
	for _, pr := range products {
		made := "recorded after the run made it"
		if len(inputs) == 0 {
			made = fmt.Sprintf("recorded after run %s of %s made it", runEvent, at.UTC().Format("2006-01-02"))
		}
		from = append(from, fmt.Sprintf("the assay of %s of its product %s, %s", strings.Join(pr.assays, ", "), pr.lot, made))
	}
	was := "the figure at the run is not known: the store does not give the lots' events to read them as they stood then; "
	if before != nil {
		then, ok := memo[at.UnixNano()]
		if !ok {
			var err error
			if then, ok, err = mc.creditsAt(r, p, *before, at); err != nil {
				return "", err
			}
			if ok {
				memo[at.UnixNano()] = then
			}
		}
		if ok {
			w := 0.0
			if rc := then[catID]; rc != nil {
				w = rc.byC[key]
			}
			was = "was " + Figure(w) + " t at the run, "
		}
	}
	return fmt.Sprintf("credit recomputed from %s: %snow %s t", strings.Join(from, ", and from "), was, Figure(tonnes)), nil
}

// laterProduct is a product of a run with the assays of the category's
// elements dated after the run made it, worded for creditAssayNote.
type laterProduct struct {
	lot    string
	assays []string
}

// assaysAfterRun are the assays bearing on a credit of category cat that
// run r's event runEvent (at time at) earned on input lot l, dated after
// the run: those of the qualifying elements of what the event took of l
// (ledger.RunInputScopes, else the lot's own), and those of the run's
// outputs of the category's product dated after the run made them (its
// latest event linking an input to them), each worded "Nd (event X of
// D)".
func (mc *mbCalc) assaysAfterRun(r ledgerRun, cat critmin.MaterialCategory, l *critmin.Lot, runEvent string, at time.Time) ([]string, []laterProduct) {
	qual := map[string]bool{}
	for _, e := range cat.Elements {
		qual[e] = true
	}
	word := func(a critmin.Assay) string {
		return fmt.Sprintf("%s (event %s of %s)", a.Analyte, a.EventID, a.At.UTC().Format("2006-01-02"))
	}
	scopes, ok := ledger.RunInputScopes(l, runEvent)
	if !ok {
		scopes = []ledger.AssayScope{{Assays: l.Assays, Moisture: l.Moisture, DryTonnes: 1}}
	}
	var inputs []string
	for _, sc := range scopes {
		if !(sc.DryTonnes > 0) {
			continue
		}
		for _, a := range sc.Assays {
			if qual[units.ElementOf(a.Analyte)] && a.At.After(at) && !slices.Contains(inputs, word(a)) {
				inputs = append(inputs, word(a))
			}
		}
	}
	var products []laterProduct
	for _, o := range mc.runOuts[r.key] {
		out := mc.oc.lots[o.lot]
		if out == nil || out.Commodity != cat.Product {
			continue
		}
		made := mc.madeBy(r, o.lot)
		var later []string
		for _, a := range ledger.LatestAssays(out.Assays) {
			if qual[units.ElementOf(a.Analyte)] && a.At.After(made) {
				later = append(later, word(a))
			}
		}
		if len(later) > 0 {
			products = append(products, laterProduct{lot: o.lot, assays: later})
		}
	}
	return inputs, products
}

// madeBy is when run r last linked an input to its output lot (over every
// live event of the run, runEdges), else r.madeAt: an assay of the lot
// after it is later than the run.
func (mc *mbCalc) madeBy(r ledgerRun, lot string) time.Time {
	at := r.madeAt(lot)
	for _, e := range mc.runEdges[r.key] {
		if e.Child == lot && e.EventTime.After(at) {
			at = e.EventTime
		}
	}
	return at
}

// assayedAfterRun reports whether any lot run r names — an input, or an
// output over every event of the run — holds an assay dated after the
// run's first event: only then may creditAssayNote need the account as it
// stood before the run's credits (creditState).
func (mc *mbCalc) assayedAfterRun(r ledgerRun) bool {
	later := func(l *critmin.Lot) bool {
		if l == nil {
			return false
		}
		if slices.ContainsFunc(l.Assays, func(a critmin.Assay) bool { return a.At.After(r.at) }) {
			return true
		}
		for _, pt := range l.Parts {
			if slices.ContainsFunc(l.PartAssays(pt), func(a critmin.Assay) bool { return a.At.After(r.at) }) {
				return true
			}
		}
		return false
	}
	for _, e := range r.edges {
		if later(mc.oc.lots[e.Parent]) || later(mc.oc.lots[e.Child]) {
			return true
		}
	}
	for _, c := range r.children() {
		if later(mc.oc.lots[c]) {
			return true
		}
	}
	return false
}

// creditState is what the account had credited before a run's credits:
// dry tonnes of each lot by category (creditCap) and credits of each run
// by category and element (productBound).
type creditState struct {
	dry map[[2]string]float64
	run map[[3]string]float64
}

// creditState is a copy of mc's credited tonnes so far.
func (mc *mbCalc) creditState() creditState {
	return creditState{dry: maps.Clone(mc.creditedDry), run: maps.Clone(mc.runCredited)}
}

// creditsAt is what run r earns in period p (credits) with the facts as
// they stood at time at: every lot the run names — its inputs and its
// outputs over all its events — replayed (ledger.Replay) from its live
// events dated at or before at (stored, and the document's being
// captured; not those an explaining replay leaves out or the document
// declares in error), on the account as it stood before the run
// (before). Identity and origin are the lots' own; mass, moisture, assays
// and parts are as they stood then. ok is false when the store cannot
// give the lots' events. mc is not changed.
func (mc *mbCalc) creditsAt(r ledgerRun, p critmin.ClaimPeriod, before creditState, at time.Time) (map[string]*runCredits, bool, error) {
	f, ok := mc.s.(liveEventsFinder)
	if !ok {
		return nil, false, nil
	}
	if err := mc.loadRunMade(); err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range append(append([]critmin.LotEdge(nil), r.edges...), mc.runEdges[r.key]...) {
		add(e.Parent)
		add(e.Child)
	}
	for _, c := range r.children() {
		add(c)
	}
	for _, o := range mc.runOuts[r.key] {
		add(o.lot)
	}
	evs, err := f.LiveEventsOfLots(mc.ctx, ids)
	if err != nil {
		return nil, false, err
	}
	for _, ev := range mc.doc {
		if slices.ContainsFunc(canonicalLots(ev).LotIDs(), func(id string) bool { return seen[id] }) {
			evs = append(evs, ev)
		}
	}
	var upTo []*critmin.Event
	for _, ev := range evs {
		if mc.skip[ev.EventID] || mc.drop[ev.EventID] || ev.EventTime.After(at) {
			continue
		}
		upTo = append(upTo, canonicalLots(ev))
	}
	replayed, _ := ledger.Replay(ids, upTo)
	then := *mc
	then.oc = newCalc(mc.ctx, mc.s, mc.oc.sites)
	then.oc.xids, then.oc.putBack, then.oc.packBack = mc.oc.xids, mc.oc.putBack, mc.oc.packBack
	maps.Copy(then.oc.lots, mc.oc.lots)
	for id, x := range replayed {
		cur := mc.oc.lots[id]
		if x.EventCount == 0 || cur == nil {
			continue
		}
		cp := *cur
		cp.Quantity, cp.UOM, cp.WetTonnes, cp.DryTonnes, cp.Moisture, cp.Assays, cp.Parts, cp.TakenTonnes, cp.Status = x.Quantity, x.UOM, x.WetTonnes, x.DryTonnes, x.Moisture, x.Assays, x.Parts, x.TakenTonnes, x.Status
		then.oc.lots[id] = &cp
	}
	then.creditedDry, then.runCredited = maps.Clone(before.dry), maps.Clone(before.run)
	rc, err := then.credits(r, p)
	if err != nil {
		return nil, false, err
	}
	return rc, true, nil
}

// RefusedClaim is a claim the account could not cover, with the error
// that names site, category, period and shortfall.
type RefusedClaim struct {
	Lot       string  `json:"lot"`
	Event     string  `json:"event"`
	Category  string  `json:"category"`
	Country   string  `json:"country"`
	Claimed   float64 `json:"claimed"`
	Available float64 `json:"available"`
	Shortfall float64 `json:"shortfall"`
	Error     string  `json:"error"`
	// RetractedBy are the retracted credit runs the claim rested on
	// (explainRetractions).
	RetractedBy []string `json:"retractedBy,omitempty"`
	// AssayedBy are the assays of the lot recorded after its claim that
	// left it not covered (Claim.AssayedBy).
	AssayedBy []string `json:"assayedBy,omitempty"`
	// WeighedBy are the weighings recorded after the claim that left it
	// not covered (Claim.WeighedBy).
	WeighedBy []string `json:"weighedBy,omitempty"`
	// RunChangedBy are the run events recorded after the claim that left
	// it not covered (Claim.RunChangedBy).
	RunChangedBy []string `json:"runChangedBy,omitempty"`
	// Booked: the claim was accepted at capture (its event is stored), so
	// although a later fact leaves it not covered it stays booked in full
	// against the balance, which may close in deficit (BalanceLine.DeficitBy).
	// A booked claim is listed once per origin with a share of the
	// deficit (settleShares, fix9g): Shortfall is that share (≤ Claimed,
	// the period's booked claims' shares and the deficit carried from
	// earlier periods, BalanceLine.CarriedDeficit, adding up to the
	// line's deficit) and
	// Available the part of the claim the credits now cover.
	Booked bool `json:"booked,omitempty"`
	// Status is ClaimNotCovered for a booked claim (accepted at capture),
	// else ClaimRefused (fix9h): the site page, the statement CSV and the
	// API read it, never calling a booked claim refused.
	Status string `json:"status"`
	// ShortOf is ShortOfWindowShare for a booked claim at a
	// rolling-average site left above its origin's share of the window
	// (fix9u): Available is what that share allows (claim tonnes × the
	// origin's share of the window at the claim), Shortfall = Claimed −
	// Available, and the row takes no part in the line's deficit (the
	// balance may still cover the claim). ShortOfCategorySystem
	// (fix9aj) or ShortOfGrade (fix9al) for a booked claim nothing
	// backs whatever the balance: Available 0, Shortfall = Claimed,
	// apart from the deficit. "" for a shortfall against the balance: a
	// share of the line's deficit (settleShares).
	ShortOf string `json:"shortOf,omitempty"`
	// DeficitShare is a booked claim's share of its origin's deficit at
	// the period's close (allocate), ≤ Shortfall: a claim is one row per
	// origin whatever it is short of (fix9ap), and its shortfall is the
	// larger of this share and what it is short apart from the balance
	// (ShortOf). The shares of the period's rows plus the line's
	// CarriedDeficit add up to the line's deficit (CheckStatement).
	DeficitShare float64 `json:"deficitShare,omitempty"`
	// Reasons are what a not-covered row is short of, one each (fix9ap):
	// "short of the balance by 0.15 t", "grade not measured", "graded
	// only after the claim (assay E dated D)", "out of its category's
	// mass-balance system", "above its origin's share of the rolling
	// window by X t".
	Reasons []string `json:"reasons,omitempty"`
}

// ShortOfWindowShare marks a not-covered row whose shortfall is against
// the origin's share of the rolling window (RefusedClaim.ShortOf, fix9u).
const ShortOfWindowShare = "window_share"

// ShortOfCategorySystem marks a not-covered row of a claim accepted at
// capture whose run a later fact took out of its category's mass-balance
// system (fix9aj): its run no longer consumes any of the category's
// inputs, has no live input, or its input lots are no longer on record,
// an event declared in error having taken them out. ISO 22095-2 counts
// credits in from the qualifying inputs to the system, so nothing in the
// system backs the claim: Available 0, Shortfall = Claimed. The claim
// stays booked in full (the credit it retired stays retired) and the row
// takes no part in the line's deficit.
const ShortOfCategorySystem = "category_system"

// systemReason is a not-covered row's reason for a claim out of its
// category's mass-balance system (RefusedClaim.Reasons, fix9ap).
const systemReason = "out of its category's mass-balance system"

// apartWords words what a not-covered claim's own row (shortApart) is
// short of: "against its share of the qualifying input over the rolling
// window", "against its category's mass-balance system, which its run
// is not in" or "against its lot's grade, no longer measured".
func apartWords(cl *Claim) string {
	switch cl.ShortOf {
	case ShortOfCategorySystem:
		return "against its category's mass-balance system, which its run is not in"
	case ShortOfGrade:
		// Its lot measured only after the claim (fix9ap): so worded.
		for _, r := range cl.apartReasons {
			if strings.HasPrefix(r, "graded only after the claim") {
				return "against its lot's grade: " + r
			}
		}
		return "against its lot's grade, no longer measured"
	case ShortOfRemade:
		return "against its lot, made again after the claim"
	case ShortOfUnmade:
		return "against its lot, which no standing event makes any more"
	}
	return "against its share of the qualifying input over the rolling window"
}

// Claim is a lot's claimed origin: a mass-balance attribution, never a
// physical origin. Tonnes are qualifying element claimed per origin.
type Claim struct {
	Site      string   `json:"site"`
	Category  string   `json:"category"`
	Period    string   `json:"period"`
	Method    string   `json:"method"`
	Event     string   `json:"event"`
	Elements  []string `json:"elements"`
	Tonnes    float64  `json:"tonnes"`
	ByCountry []Share  `json:"byCountry"`
	// Status is "accepted", "not_covered" (accepted at capture, booked,
	// and left short by a later fact: never "refused", fix9h) or
	// "refused"; Error says why a claim is not backed (site, category,
	// period and shortfall).
	Status    string  `json:"status"`
	Error     string  `json:"error,omitempty"`
	Shortfall float64 `json:"shortfall,omitempty"`
	// RetractedBy names the events of credit runs declared in error that
	// the claim rested on: it was covered before they were retracted.
	RetractedBy []string `json:"retractedBy,omitempty"`
	// AssayedBy names the assays of the lot, recorded after the claim was
	// accepted and dated at or before it, that make it exceed the balance:
	// the claim is no longer covered (refused, with its shortfall) and
	// its origin is not claimed any longer; the assays stand (fix9y).
	AssayedBy []string `json:"assayedBy,omitempty"`
	// WeighedBy names the weighings (a later quantity or Mass report of
	// the claimed lot or of a lot the account read), recorded after the
	// claim was accepted, that leave it not covered, as AssayedBy does
	// for assays; the weighings stand (fix9d).
	WeighedBy []string `json:"weighedBy,omitempty"`
	// RunChangedBy names the events of runs at the site (a
	// TransformationEvent: an input or an output added to a run by a
	// later event of its transformationID, or another run), recorded
	// after the claim was accepted, that leave it not covered — a later
	// input sharing a run's credits among more origins, say. The claim
	// stays booked in full like one AssayedBy or WeighedBy names; the
	// run events stand (fix9p).
	RunChangedBy []string `json:"runChangedBy,omitempty"`
	// CoveredAgainBy names the events declared in error (EPCIS 2.0
	// §7.4.1.2 errorDeclaration) after the claim was made that turned it
	// from not covered back to covered: with them standing the account
	// could not cover it. CoverageNote says so in words — the declared
	// event, what it recorded, when it was declared and why. Empty for
	// a claim whose coverage no later fact changed.
	CoveredAgainBy []string `json:"coveredAgainBy,omitempty"`
	CoverageNote   string   `json:"coverageNote,omitempty"`
	// CoveredBy names the credit events that repaid the deficit a booked
	// claim left (fix9g): a claim accepted at capture, left not covered
	// by a later fact and booked in full, reads covered again once later
	// credits of its origin repay its share of the deficit (ISO 22095-2:
	// claims out ≤ credits in over the period). CoverageNote words it.
	CoveredBy []string `json:"coveredBy,omitempty"`
	// CoveredIn are the claim periods the CoveredBy credits entered in
	// (fix9am): a claim left short at the close of its own period and
	// repaid by a later period's credits is covered by THAT period's
	// credits (ISO 22095-2: the closing balance, deficit included,
	// carries forward as the next opening, whose credits repay it). Its
	// own period's statement keeps it not covered at that period's close
	// and says it was repaid later, by which credit (repaidLater).
	CoveredIn []string `json:"coveredInPeriods,omitempty"`
	// ReassayedBy names the assays of the claimed lot, recorded after the
	// claim, that put its content below what the claim took at capture;
	// ReassayNote words it ("claimed lot reassayed by E: it holds X t
	// Nd+Pr by its assays now; the claim rests on the Y t Nd+Pr it held
	// when claimed", reassayNote). The claim keeps what it took: a lower reassay never
	// frees credits (fix9g).
	ReassayedBy []string `json:"reassayedBy,omitempty"`
	ReassayNote string   `json:"reassayNote,omitempty"`
	// Contains is the qualifying element (Elements) the lot contains now,
	// tonnes: its physical origin's figure (capped where a run that made
	// it gains; coveredNow). Tonnes is the lot's qualifying content the
	// claim was made on, when it was made (a claim is a record, ISO
	// 22095-2): the figure its debit, Tonnes × each stated share, was
	// taken on — not a claimed figure; ByCountry's Tonnes are. A later
	// weighing may make the lot hold more than the claim covers:
	// ByCountry's Share is then the claimed tonnes of that origin ÷
	// Contains, capped at the stated share, and NotCovered (a fraction
	// of Contains) is the part no claim backs: 1 t Nd+Pr claimed on a lot
	// now holding 1.5 t reads 1 ÷ 1.5 = 66.7 % claimed, 33.3 % not
	// covered. A lot holding less than the claim was made on keeps the
	// stated shares, ByCountry's Tonnes = share × Contains (never more
	// than the lot holds), and the credit retired beyond is in Retired
	// (fix9ac). NotCovered is 0 for a refused claim or one on a lot
	// holding no more than it claimed.
	Contains   float64 `json:"contains,omitempty"`
	NotCovered float64 `json:"notCovered,omitempty"`
	// Retired lists, by origin, the credit the claim retired when it was
	// made (Tonnes × the stated share, tonnes of element: the statement's
	// claim entry) where it exceeds what the claim attributes now — the
	// lot holds less than the claim was made on, by its own lower
	// reassay or because a run that made it is capped (coveredNow). Share
	// is the stated share. RetiredNote words it. The credit stays
	// retired (ISO 22095-2); nil when the claim attributes all it retired.
	Retired     []Share `json:"retired,omitempty"`
	RetiredNote string  `json:"retiredNote,omitempty"`
	// Refused states what a refused claim claimed, per origin, only as
	// "claimed, refused" (MarshalJSON): a refused claim attributes
	// nothing, so its JSON carries no byCountry tonnes or share and tonnes
	// 0 (it debited nothing from the account). Nil for an accepted claim.
	Refused []RefusedFigure `json:"claimedRefused,omitempty"`
	// early: refused as dated before its lot existed (earlyClaim), the
	// more basic reason, given first when its period has also ended.
	early bool
	// booked: refused (not covered) yet booked in full, as accepted at
	// capture (RefusedClaim.Booked).
	booked bool
	// bookedErr, bookedShort and bookedLot are a booked claim's refusal
	// as replayed and its lot, kept so that settleShares restates it
	// from its share of the deficit at each period's end.
	bookedErr   string
	bookedShort float64
	// againRetracted says RetractedBy names only credits dated after
	// the claim that had covered it again (fix9n): the late fact that
	// first left it short is still named (explainLateFacts).
	againRetracted bool
	// systemOnly marks a claim out of its category's system whose share
	// of the deficit credits repaid (outOfSystemOnly, fix9am): only its
	// basis facts leave it short; explainRetractions names no credit
	// retraction on it.
	systemOnly bool
	// storedOutside marks a claim stored on a run outside its category
	// that no event declared in error explains — stored before claims
	// outside their category were refused at capture (fix9al,
	// outsideClause): it was stored, never checked against its category
	// (StoredOutside, fix9ar).
	storedOutside bool
	bookedLot     string
	// closedByC are a booked claim's shares of the deficit by origin at
	// the close of its own period (settleShares). repaidLaterT are, by
	// origin, the part of them later periods' credits repaid while the
	// claim stays short (X of "covered X t by the credits of period P,
	// still short Y t", X + Y = its share at its own close), by the
	// credits repaidLaterBy entered in the periods repaidLaterIn
	// (repaidLaterPart, fix9ap).
	closedByC                    map[string]float64
	repaidLaterT                 map[string]float64
	repaidLaterBy, repaidLaterIn []string
	// closedDeficit is the deficit of bookedOrigin's balance at the close
	// of the claim's own period (closedSet: recorded), which its error
	// names beside the deficit still carried at a later close
	// (restateDeficit, fix9ah).
	closedDeficit float64
	closedSet     bool
	// bookedOrigin is the origin whose shortfall a booked claim's error
	// words (the first short one): its deficit clause is restated from
	// the claims still short of it (restateDeficit, fix9j).
	bookedOrigin string
	// ShortOf is, for a claim not covered that is short of something
	// other than the balance (RefusedClaim.ShortOf), what:
	// ShortOfWindowShare, ShortOfCategorySystem or ShortOfGrade; ""
	// otherwise.
	ShortOf string `json:"shortOf,omitempty"`
	// shortApart is, for a claim booked in full that is short of
	// something other than the balance (ShortOf), by origin, what it
	// claims beyond what that allows (tonnes of element), and availApart
	// what it allows: at a rolling-average site, above the origin's share
	// of the window at the claim (ShortOfWindowShare, noteWindowShort,
	// fix9u); a claim whose run a later fact took out of its category's
	// system or was stored outside it, all it claims, nothing allowed
	// (ShortOfCategorySystem, fix9aj, fix9al); a claim whose lot's
	// grade a later fact took away, likewise (ShortOfGrade, fix9al). Its shortfall of an origin is the larger of this and its
	// share of the deficit: both bound what may be claimed.
	shortApart, availApart map[string]float64
	// GradedAfter is, for a claim short of its grade (ShortOfGrade)
	// whose lot is measured now only by assays dated after the claim,
	// "graded only after the claim (assay E dated D)" (fix9ap): the lot
	// page heads the claim with it, never "grade no longer measured".
	GradedAfter string `json:"gradedAfter,omitempty"`
	// apartReasons are, for a claim booked apart (bookApart), what it is
	// short of in a few words, in the order found: its row's Reasons
	// after any share of the deficit (fix9ap).
	apartReasons []string
	// basisBy are the events declared in error that took the claim's run
	// out of its category's system (basisFacts, fix9aj): named in its
	// error and RetractedBy by claim, never again by explainRetractions.
	basisBy []string
	// ShortfallByCountry is a claim booked in full although no longer
	// covered, by origin: its share of that origin's deficit (tonnes of
	// element, > 0; Shortfall is their sum). An origin of the claim not
	// listed is covered by its own balance (OriginCovered, fix9j).
	ShortfallByCountry map[string]float64 `json:"shortfallByCountry,omitempty"`
}

// RefusedFigure is one origin of a refused claim: the tonnes claimed of
// it, never an origin figure, and the words "claimed … t, refused".
type RefusedFigure struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Claimed float64 `json:"claimedTonnes"`
	Text    string  `json:"text"`
	// Status and Shortfall are this origin's own (fix9j): a claim booked
	// in full although no longer covered reads ClaimNotCovered with its
	// share of this origin's deficit, or OriginCovered for an origin
	// whose balance covers it while another origin of the claim is
	// short; a refused claim reads ClaimRefused for every origin.
	Status    string  `json:"status,omitempty"`
	Shortfall float64 `json:"shortfall,omitempty"`
}

// RefusedFigures are a refused claim's origins as RefusedFigure (nil for
// an accepted claim).
func (c *Claim) RefusedFigures() []RefusedFigure {
	if !c.Unbacked() {
		return nil
	}
	out := make([]RefusedFigure, 0, len(c.ByCountry))
	for _, sh := range c.ByCountry {
		f := RefusedFigure{Key: sh.Key, Name: sh.Name, Claimed: sh.Tonnes, Status: c.Status, Text: "claimed " + Figure(sh.Tonnes) + " t, " + c.unbackedWord()}
		if c.Status == ClaimNotCovered && len(c.ShortfallByCountry) > 0 {
			// Each origin its own standing (fix9j): the share of its
			// own deficit, or covered by its own balance.
			// A claim of one origin reads as before: its shortfall is
			// the claim's (Claim.Shortfall, Error).
			if v := c.ShortfallByCountry[sh.Key]; v > claimTolerance {
				f.Shortfall = v
				if len(c.ByCountry) > 1 {
					f.Text += " (shortfall " + Figure(v) + " t)"
				}
			} else {
				f.Status = OriginCovered
				f.Text = "claimed " + Figure(sh.Tonnes) + " t, covered by the " + sh.Name + " balance (the claim attributes nothing: " + c.shortOrigins() + " short)"
			}
		}
		if c.Status == ClaimRefused && len(c.ShortfallByCountry) > 0 {
			// A claim of several origins refused at capture (fix9o):
			// each short origin its own shortfall; an origin its own
			// balance covers is refused with the claim, attributing
			// nothing.
			if v := c.ShortfallByCountry[sh.Key]; v > claimTolerance {
				f.Shortfall = v
				f.Text += " (shortfall " + Figure(v) + " t)"
			} else {
				f.Text += " (the " + sh.Name + " balance covers it, but the claim attributes nothing: " + c.shortOrigins() + " short)"
			}
		}
		out = append(out, f)
	}
	return out
}

// shortOrigins names the origins of a claim not covered that are short,
// with their shortfalls: "Pakistan 0.2 t".
func (c *Claim) shortOrigins() string {
	var parts []string
	for _, sh := range c.ByCountry {
		if v := c.ShortfallByCountry[sh.Key]; v > claimTolerance {
			parts = append(parts, sh.Name+" "+Figure(v)+" t")
		}
	}
	return strings.Join(parts, ", ")
}

// MarshalJSON writes a refused claim without origin figures (fix9r item
// 5): byCountry [], tonnes, contains and notCovered 0, and what it
// claimed in claimedRefused. An accepted claim is written as it is.
//
// statusText is StatusText, the status in the words every view prints
// ("accepted — covers 93.8 %", fix9ah).
func (c Claim) MarshalJSON() ([]byte, error) {
	type plain Claim
	p := plain(c)
	if c.Unbacked() {
		p.Refused = c.RefusedFigures()
		p.ByCountry = []Share{}
		p.Tonnes, p.Contains, p.NotCovered = 0, 0, 0
	}
	return json.Marshal(struct {
		plain
		StatusText string `json:"statusText"`
	}{p, c.StatusText()})
}

// Claim statuses. ClaimNotCovered is a claim accepted at capture (its
// event stored, booked in full) that a later fact leaves above the
// balance: it was never refused, and is never called so (fix9h). A claim
// refused at capture is not stored; ClaimRefused remains for a stored
// claim the account never accepted (one dated before its lot existed, at
// a site or period without a declaration) and inside the account.
const (
	ClaimAccepted   = "accepted"
	ClaimRefused    = "refused"
	ClaimNotCovered = "not_covered"
	// OriginCovered is one origin of a claim not covered whose own
	// balance covers it: another origin of the claim is short (fix9j).
	// The claim as a whole stays not covered and attributes nothing.
	OriginCovered = "covered"
)

// Unbacked reports whether the claim attributes nothing: refused or not
// covered.
func (c *Claim) Unbacked() bool {
	return c != nil && (c.Status == ClaimRefused || c.Status == ClaimNotCovered)
}

// unbackedWord is how a claim that attributes nothing is called: "not
// covered" (accepted at capture) or "refused".
func (c *Claim) unbackedWord() string {
	if c.Status == ClaimNotCovered {
		return "not covered"
	}
	return "refused"
}

// claimTolerance allows rounding in stated quantities before a claim is
// called above the balance (tonnes of element).
const claimTolerance = 1e-9

// bucket is credit of one origin that entered in one period.
type bucket struct {
	period int
	tonnes float64
	event  string
}

// account is one category's running balance.
type account struct {
	cat     critmin.MaterialCategory
	factor  float64
	source  string
	buckets map[string][]*bucket
	// earned holds the origins this category has ever been credited with,
	// spent or expired: a claim of such an origin that the balance cannot
	// cover is an over-claim in its own category, not a claim against
	// another category (claim).
	earned map[string]bool
	// rolling average: qualifying input per period and origin.
	window []map[string]float64
	// mixed: the period's credits were earned at factors other than the
	// period's own (a period longer than a month, some of it closed).
	mixed bool
	// expired are the credits of each origin that expired unclaimed, so
	// that a shortfall they explain says so (expiryNote).
	expired map[string][]expiry
	// deficit is, by origin, what claims accepted at capture and booked
	// in full although no longer covered took beyond the credits
	// (tonnes of element); deficitBy names their lots. Later credits
	// repay it first.
	deficit   map[string]float64
	deficitBy map[string][]string
	// booked are, by origin in capture order, the claims booked in full
	// although no longer covered, with each one's share of the deficit
	// (allocate).
	booked map[string][]*bookedShare
	// apartClaims are the claims of the period being replayed booked in
	// full although short of something other than the balance — above
	// their origin's share of the rolling window (fix9u), or made on a lot
	// a later fact took out of the category's system (fix9aj) —
	// (Claim.shortApart), in capture order: the statement lists them as
	// not covered whether or not the balance covers them.
	apartClaims []*Claim
}

// bookedShare is one origin of a claim booked in full although a later
// fact left it not covered: the tonnes it claimed of that origin, its
// share of the origin's deficit now (alloc, ≤ tonnes), and the credit
// events that repaid part of it (repaidBy).
type bookedShare struct {
	lot      string
	cl       *Claim
	event    string
	tonnes   float64
	alloc    float64
	repaidBy []string
	// peak is the largest share of the deficit the claim held in the
	// replay (fix9am): its own shortfall when a later fact left it short,
	// never the deficit it met, which may hold other claims' carried
	// shares.
	peak float64
}

// allocate shares origin c's deficit among its booked claims from the
// LAST booked back (fix9g): each takes min(its claimed tonnes, what is
// left), so no claim is short more than it claimed and the shares add up
// exactly to the deficit. Claims are booked in capture order and each
// drew on the oldest credits first (claim), so the earlier claim took
// the credits there were and the later one met the balance already
// spent: the deficit is the later claims' first, and a credit that
// repays it covers the earliest claim first (first in, first covered).
// credit, when not "", is the credit event whose repayment this is: a
// claim whose share it lowers names it (bookedShare.repaidBy). deficitBy
// is rebuilt: the lots with a share, in capture order.
func (a *account) allocate(c, credit string) {
	left := a.deficit[c]
	bs := a.booked[c]
	for k := len(bs) - 1; k >= 0; k-- {
		b := bs[k]
		n := math.Max(0, math.Min(b.tonnes, left))
		if n <= claimTolerance {
			n = 0
		}
		left -= n
		if credit != "" && n < b.alloc-claimTolerance && !slices.Contains(b.repaidBy, credit) {
			b.repaidBy = append(b.repaidBy, credit)
		}
		b.alloc = n
		b.peak = math.Max(b.peak, n)
	}
	if a.deficitBy == nil {
		a.deficitBy = map[string][]string{}
	}
	a.deficitBy[c] = nil
	for _, b := range bs {
		if b.alloc > 0 && !slices.Contains(a.deficitBy[c], b.lot) {
			a.deficitBy[c] = append(a.deficitBy[c], b.lot)
		}
	}
}

// deficitNote words the deficit of origin c for a shortfall message (""
// when there is none): the running deficit at the claim's time, which is
// the statement's closing deficit when nothing later in the period
// changes it; a booked claim's clause is restated at the period's close
// (restateDeficit, fix9q).
func (a *account) deficitNote(c string) string {
	if a.deficit[c] <= claimTolerance {
		return ""
	}
	return fmt.Sprintf("; the balance is in deficit by %s t at the claim's time because the claim(s) on lot %s, accepted at capture and no longer covered, stay booked in full (a claim already stated to a buyer keeps the credits it took)",
		Figure(a.deficit[c]), strings.Join(a.deficitBy[c], ", "))
}

// expiry is a credit that expired: tonnes earned in period Earned, lost
// at the end of period Ended (on date To) under the carry-forward of the
// declaration version in force for Ended (version).
type expiry struct {
	tonnes                float64
	earned, ended, to     string
	version, carryForward int
}

// expiryNote words the credits of origin c that expired before a claim,
// for a shortfall message ("" when none did). Each names the declaration
// version and carry-forward in force for the period at whose end it
// expired (versionFor), never the claim's: a site that raised its
// carry-forward in version 2 lost version 1's credits under version 1's
// (fix9ay; ISO 22095-2 — the rules of a claim period are those declared
// for it).
func (a *account) expiryNote(c string) string {
	var parts []string
	for _, e := range a.expired[c] {
		parts = append(parts, fmt.Sprintf("%s t earned in %s expired at the end of period %s (%s) under declaration version %d's carry-forward of %d period(s)", Figure(e.tonnes), e.earned, e.ended, e.to, e.version, e.carryForward))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("; %s credit expired unclaimed: %s", country.Name(c), strings.Join(parts, "; "))
}

func (a *account) available(c string) float64 {
	var t float64
	for _, b := range a.buckets[c] {
		t += b.tonnes
	}
	return t - a.deficit[c]
}

// ledgerRun is what the statement reads of one run at the site.
//
// A run is every TransformationEvent sharing a transformationID (EPCIS 2.0
// §7.4.6), else one event: key is LotEdge.RunKey, event and at are its
// first event (firstEdge), outputs every lot any of its events produced (an event of a
// split run may have outputs and no inputs, so no edges of its own).
type ledgerRun struct {
	key     string
	event   string
	at      time.Time
	edges   []critmin.LotEdge
	outputs []string
	// joined says edges already hold the links the store makes to the
	// run's earlier events (documentRuns): joining it to a run adds them
	// as they are, not through joinEdges.
	joined bool
	// before are the run's edges dated before this period (its events in
	// earlier periods): what they consumed of an input earned its credits
	// then, and an event of this period earns on what it consumed beyond
	// it (consumedByEvent, fix9u).
	before []critmin.LotEdge
	// unmade says the run is an event declared in error after claims on
	// its outputs were accepted, kept in the account only to book those
	// claims (unmadeRuns, fix9as): no edges, no credits.
	unmade bool
}

// firstEdge is a run's first event and its time, read from its edges
// (fix9w): the earliest edge by event time (as the store dates it,
// critmin.LinkTime) that is neither a Replay (an earlier input restated to
// a later event's output: genealogy only) nor Carried (a later event's
// input line carried to an output an earlier event stated), ties by event
// ID. Where every edge is one of those — a run whose only edges in the
// window are a later input's, carried to an output of an earlier period —
// the earliest Carried edge, then the earliest Replay one, by the same
// order. So the event a note names, the time a run's credits enter the
// balance and its products count as made (madeAt, madeMoisture) never
// depend on the order the store returns edges in, nor on whether the
// run's events are stored or being captured. ok is false for no edges.
func firstEdge(edges []critmin.LotEdge) (event string, at time.Time, ok bool) {
	rank := func(e critmin.LotEdge) int {
		switch {
		case e.Replay:
			return 2
		case e.Carried:
			return 1
		}
		return 0
	}
	var best critmin.LotEdge
	for i, e := range edges {
		if i > 0 {
			rb, re := rank(best), rank(e)
			if re > rb || re == rb && (e.EventTime.After(best.EventTime) || e.EventTime.Equal(best.EventTime) && e.EventID >= best.EventID) {
				continue
			}
		}
		best = e
	}
	if len(edges) == 0 {
		return "", time.Time{}, false
	}
	return best.EventID, best.EventTime, true
}

// settleFirst sets the run's event and time to its first event
// (firstEdge); a run without edges (outputs only) keeps its own.
func (r *ledgerRun) settleFirst() {
	if ev, at, ok := firstEdge(r.edges); ok {
		r.event, r.at = ev, at
	}
}

// xid is the run's transformationID, "" for a run of one event without
// one.
func (r ledgerRun) xid() string {
	x, _ := strings.CutPrefix(r.key, "xid:")
	if x == r.key {
		return ""
	}
	return x
}

// runWords names a run in messages by its transformationID with the event
// beside it — "run urn:t:run:X (event urn:t:ev:E, when)" — and a run of
// one event without a transformationID as such — "the run of event
// urn:t:ev:E (no transformationID, when)" — so that an event ID is never
// called a run (EPCIS 2.0 §7.4.6: the transformationID names the run).
func runWords(xid, event, when string) string {
	if xid != "" {
		return fmt.Sprintf("run %s (event %s, %s)", xid, event, when)
	}
	return fmt.Sprintf("the run of event %s (no transformationID, %s)", event, when)
}

// mbCalc runs a site's account period by period.
type mbCalc struct {
	ctx context.Context
	s   Store
	// d is the latest declaration version: the site and its periods.
	d *critmin.MassBalanceDeclaration
	// versions are every declaration version, oldest first; cur is the one
	// governing the period being replayed (versionFor).
	versions []*critmin.MassBalanceDeclaration
	cur      *critmin.MassBalanceDeclaration
	// active are the categories cur declares.
	active map[string]bool
	conv   ConversionSource
	oc     *originCalc
	acc    map[string]*account // by category ID
	// closing is each line's closing balance of the last period replayed,
	// by category and origin: the next period opens at exactly that
	// figure (summing the buckets again would differ from it in the last
	// bits, and a statement's closing must be the next one's opening).
	closing map[[2]string]float64
	byOut   map[string]string // product commodity → category ID
	// claims records every claim's verdict, by lot.
	claims map[string]*Claim
	// creditPeriod is, by credit event, the claim period its credit
	// entered in, recorded where it repays a carried deficit (fix9am):
	// a claim covered again names the period whose credits covered it.
	creditPeriod map[string]string
	// pending are runs of a document being captured (CaptureClaimCheck),
	// replayed with the stored ones.
	pending []ledgerRun
	// gone are the lots not in the record because a standing event
	// makes them only after a run drew on them (UnmadeLots, Late): a
	// run that fed on one earns no credit from it (issue 8 §2, fixMm).
	gone map[string]*Unmade
	// claimAt overrides the stored claim events (a document's claims at
	// capture); waiting are claims on lots made in an earlier period and
	// claimed in a later one.
	claimAt map[string]critmin.ClaimEvent
	// drop are events a document being captured declares in error: their
	// stored edges are left out of the replay.
	drop map[string]bool
	// doc are the live events of a document being captured: a stored
	// claim is read with those dated up to it (asClaimed).
	doc     []*critmin.Event
	waiting []*pendingClaim
	// skip are live events an explaining replay leaves out
	// (replayWithout): asClaimed reads the claimed lot without them.
	skip map[string]bool
	// claimTime is when each claim was made, by lot.
	claimTime map[string]time.Time
	// book are the lots whose stored claims were accepted at capture and
	// a later fact left not covered (acceptedAtCapture): they stay booked
	// in full (claim, fix9e).
	book map[string]bool
	// given are the lots a capture check passed in (replayWith), kept
	// for a replay made again (settleBooked).
	given map[string]*critmin.Lot
	// lateAssays are, by claimed lot, the assays of the lot dated at or
	// before its claim but recorded after the claim event (asClaimed),
	// with the lot as it stood without them (the claim as accepted).
	lateAssays map[string]lateAssay
	// goneAssay are, by claimed lot, the assays of the lot its stored
	// claim was accepted on that an event declared in error since took
	// away (asClaimed, goneAssays), with the lot as it stood with them
	// (the claim as accepted: fix9al).
	goneAssay map[string]goneAssay
	// remade are, by claimed lot, the runs that made the lot its stored
	// claim was accepted on and that events declared in error took away
	// since, while a run dated after the claim makes it now (asClaimed,
	// goneMakers), with the lot as it stood with them (fix9ar).
	remade map[string]goneAssay
	// unmade are, by lot, the events declared in error since its claim
	// was accepted that were the only ones to make it, with the lot as
	// they made it (unmadeRuns, fix9as).
	unmade map[string]goneAssay
	// monthly caches creditFactor by category and month.
	monthly map[[2]string]runFactor
	// made caches, by lot, the live transformation edges at the site that
	// produced it (recirculated).
	made map[string][]critmin.LotEdge
	// mbDecl caches other sites' mass-balance declarations (allocatedAt).
	mbDecl map[string][]*critmin.MassBalanceDeclaration
	// stmts are the statements replayAll made, one per period in order.
	stmts []*Statement
	// creditedDry is, by category and input lot, the dry tonnes of the
	// lot that runs replayed so far earned credits on (creditCap).
	creditedDry map[[2]string]float64
	// runMade caches, by run key (transformationID, else event), the
	// commodities of every output of the site's live runs over all time
	// (makesProduct).
	runMade map[string]map[string]bool
	// runOuts caches, by run key, every output of the site's live runs
	// over all time with the dry tonnes the run produced of it (productBound).
	runOuts map[string][]runOutput
	// runEdges caches, by run key, every live edge of the site's runs
	// over all time — stored, and the document's at capture, an edge
	// both stored and arriving once (runs) — for runInputCaps.
	runEdges map[string][]critmin.LotEdge
	// dropped memoises droppedEvents: the stored events the document
	// being captured declares in error (mc.drop), as captured.
	dropped []*critmin.Event
	// linked memoises linkedWithoutDropped (linkedDone: computed).
	linked     map[string]runLinks
	linkedDone bool
	// madeMoist memoises madeMoisture by run and lot (fix9h).
	madeMoist map[[2]string]*float64
	// runCredited is, by category, run key and element, the credits in
	// that element runs replayed so far earned (a run split over
	// periods: productBound).
	runCredited map[[3]string]float64
	// carried is, by category and origin, the deficit at the close of
	// the period being settled owed by claims of earlier periods
	// (settleShares, BalanceLine.CarriedDeficit; fix9ah).
	carried map[[2]string]*carriedDeficit
}

// runOutput is one output lot of a run and the dry tonnes the run
// produced of it (outputMass: the edge's quantity, else the lot's mass).
type runOutput struct {
	lot string
	dry float64
}

// runFactor is the conversion factor of a category's credits in one
// calendar month, and its source.
type runFactor struct {
	f   float64
	src string
}

// pendingClaim is a claim on a lot produced by run, made by ce; made is
// when the run produced the lot.
type pendingClaim struct {
	lot  *critmin.Lot
	run  ledgerRun
	ce   critmin.ClaimEvent
	made time.Time
}

// claimEventFinder is the part of a store that says which event made each
// lot's claim (sqldb.DB).
type claimEventFinder interface {
	ClaimEvents(ctx context.Context, ids []string) (map[string]critmin.ClaimEvent, error)
}

// claimEvents returns, for lots made by run r, the event that made each
// one's claim: the document's at capture, else the stored one, else the
// run itself. The claim keeps its own event and time even when it is
// dated before the lot existed: period refuses it then (madeAt), it is
// never moved to the run.
func (mc *mbCalc) claimEvents(lots []*critmin.Lot, r ledgerRun) ([]critmin.ClaimEvent, error) {
	out := make([]critmin.ClaimEvent, len(lots))
	var ask []string
	for _, l := range lots {
		if _, ok := mc.claimAt[l.ID]; !ok {
			ask = append(ask, l.ID)
		}
	}
	found := map[string]critmin.ClaimEvent{}
	if f, ok := mc.s.(claimEventFinder); ok && len(ask) > 0 {
		var err error
		if found, err = f.ClaimEvents(mc.ctx, ask); err != nil {
			return nil, err
		}
	}
	for i, l := range lots {
		ce, ok := mc.claimAt[l.ID]
		if !ok {
			ce, ok = found[l.ID]
		}
		if !ok {
			ce = critmin.ClaimEvent{Event: r.event, At: r.at}
		}
		out[i] = ce
	}
	return out, nil
}

// Statement computes a site's mass-balance statement for the claim period
// periodID (empty: the period holding now, else the last declared), by
// replaying the site's runs from its first declared period: the account is
// derived from the events and the declaration alone. conv may be nil:
// the refinery's closed months where the store keeps them, else the
// declared factors (defaultConversion).
func StatementOf(ctx context.Context, s Store, site, periodID string, conv ConversionSource, now time.Time) (*Statement, error) {
	vs, err := s.MassBalanceVersions(ctx, site)
	if err != nil {
		return nil, err
	}
	d := vs[len(vs)-1]
	periods := sortedPeriods(d)
	idx := -1
	for i, p := range periods {
		if p.ID == periodID {
			idx = i
		}
	}
	if periodID == "" {
		idx = len(periods) - 1
		for i, p := range periods {
			f, t := periodSpan(p)
			if !now.Before(f) && now.Before(t) {
				idx = i
			}
		}
	}
	if idx < 0 {
		var declared []string
		for _, p := range periods {
			declared = append(declared, fmt.Sprintf("%s (%s to %s)", p.ID, p.From, p.To))
		}
		return nil, critmin.FieldErrorf("period", "site %s declares no claim period %q (periods declared: %s)", epcis.Canonical(site), periodID, strings.Join(declared, ", "))
	}
	mc, err := newMB(ctx, s, vs, conv)
	if err != nil {
		return nil, err
	}
	if mc, err = settleBooked(mc, periods, idx); err != nil {
		return nil, err
	}
	// Each period replayed opens where the one before closed (CheckCarry).
	for i := 1; i <= idx; i++ {
		if err := CheckCarry(mc.stmts[i-1], mc.stmts[i]); err != nil {
			return nil, err
		}
	}
	st := mc.stmts[idx]
	if err := mc.explainRetractions(periods, idx, st); err != nil {
		return nil, err
	}
	if err := mc.explainLateFacts(periods, idx, st); err != nil {
		return nil, err
	}
	if err := mc.explainCoveredAgain(periods, idx, st); err != nil {
		return nil, err
	}
	if _, to := periodSpan(periods[idx]); now.Before(to) {
		openPeriod(st)
	}
	if err := mc.restate(periods, idx, st, now); err != nil {
		return nil, err
	}
	if err := repaidLater(mc, periods, idx, st); err != nil {
		return nil, err
	}
	if err := orphanedClaims(ctx, s, site, periods[idx], st); err != nil {
		return nil, err
	}
	for i := range st.Refused {
		// A booked claim (accepted at capture) is not covered, never
		// refused (fix9h).
		st.Refused[i].Status = ClaimRefused
		if st.Refused[i].Booked {
			st.Refused[i].Status = ClaimNotCovered
		}
	}
	if err := CheckStatement(st); err != nil {
		return nil, err
	}
	if st.Outside, err = outsideCredits(ctx, s, vs, conv, periods, idx); err != nil {
		return nil, err
	}
	if st.Outside == nil {
		st.Outside = []OutsideCredit{}
	}
	for _, lot := range sortedKeys(mc.claims) {
		if err := CheckClaimShares(lot, mc.claims[lot]); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// repaidLater notes, on each claim entry st (period idx) lists not
// covered, that a later period's credits repaid the deficit it carried
// forward (fix9am; nu9h 1): the account is replayed through the last
// declared period, as the lot API replays it (claimOf), and a claim that
// reads covered again by credits of a later period (Claim.CoveredLater)
// keeps its status here — the period closed with it short, and that
// closing opened the next period (ISO 22095-2 carry-forward) — but its
// entry and row say it was repaid later, by which credits, in which
// period. Before, the entry read plain not covered while the lot, the
// rule verdict and the certificate said "covered by the credits of
// period P" of this very period.
func repaidLater(mc *mbCalc, periods []critmin.ClaimPeriod, idx int, st *Statement) error {
	if idx >= len(periods)-1 {
		return nil
	}
	short := false
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			short = short || (e.Kind == "claim" && e.Status == ClaimNotCovered)
		}
	}
	if !short {
		return nil
	}
	all, err := newMB(mc.ctx, mc.s, mc.versions, mc.conv)
	if err != nil {
		return err
	}
	if all, err = settleBooked(all, periods, len(periods)-1); err != nil {
		return err
	}
	words := map[string]string{}
	for i := range st.Categories {
		for j := range st.Categories[i].Entries {
			e := &st.Categories[i].Entries[j]
			if e.Kind != "claim" || e.Status != ClaimNotCovered {
				continue
			}
			cl := all.claims[e.Lot]
			if x := partRepaid(cl, e); x > claimTolerance {
				// Repaid in part by a later period's credits (fix9ap
				// item 2): how much, by which credits, and what is still
				// short, X + Y = the shortfall this period closed with.
				e.RepaidLaterBy, e.RepaidLaterIn = cl.repaidLaterBy, cl.repaidLaterIn
				w := fmt.Sprintf("partly repaid later: credit(s) %s of period %s covered %s t of it; still short %s t", strings.Join(cl.repaidLaterBy, ", "), strings.Join(cl.repaidLaterIn, ", "), Figure(x), Figure(e.Shortfall-x))
				e.Note = joinNotes(e.Note, w)
				words[e.Lot] = joinNotes(words[e.Lot], w)
				continue
			}
			if cl == nil || cl.Status != ClaimAccepted || !cl.CoveredLater() {
				continue
			}
			e.RepaidLaterBy, e.RepaidLaterIn = cl.CoveredBy, cl.CoveredIn
			w := fmt.Sprintf("repaid later: the deficit carried forward and credit(s) %s of period %s repaid it, so the claim is covered since (carried deficit repaid)", strings.Join(cl.CoveredBy, ", "), strings.Join(cl.CoveredIn, ", "))
			e.Note = joinNotes(e.Note, w)
			words[e.Lot] = w
		}
	}
	for i := range st.Refused {
		if w := words[st.Refused[i].Lot]; w != "" && st.Refused[i].Booked {
			st.Refused[i].Error += "; " + w
		}
	}
	return nil
}

// partRepaid is the part of claim entry e's shortfall (at its own
// period's close) that later periods' credits repaid while the claim
// stays short (Claim.repaidLaterT, fix9ap): 0 for a claim covered again
// (repaidLater words it), one short of something other than the balance
// (its shortfall is not its share of the deficit), or nothing repaid.
func partRepaid(cl *Claim, e *Entry) float64 {
	if cl == nil || cl.Status == ClaimAccepted || cl.ShortOf != "" {
		return 0
	}
	x := cl.repaidLaterT[e.Country]
	if x > e.Shortfall+claimTolerance {
		return 0
	}
	return x
}

// openPeriod restates a period still open: expiry happens at the
// period's end, so what the replay expires there is not expired yet — it
// is shown as ExpiresAtPeriodEnd (a projection), its entries as
// "expires_at_period_end", and Closing still holds it (a claim made
// before the end may draw on it).
func openPeriod(st *Statement) {
	for i := range st.Categories {
		c := &st.Categories[i]
		for j := range c.Lines {
			l := &c.Lines[j]
			l.ExpiresAtPeriodEnd = l.Expired
			l.Closing += l.Expired
			l.Expired = 0
		}
		for j := range c.Entries {
			if c.Entries[j].Kind == "expired" {
				c.Entries[j].Kind = "expires_at_period_end"
			}
		}
		c.Total = totalLine(c.Lines)
	}
}

// newMB prepares the replay of a site's account under its declaration
// versions (oldest first).
func newMB(ctx context.Context, s Store, versions []*critmin.MassBalanceDeclaration, conv ConversionSource) (*mbCalc, error) {
	d := versions[len(versions)-1]
	if conv == nil {
		conv = defaultConversion(s)
	}
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	sm := siteMap(sites)
	mc := &mbCalc{ctx: ctx, s: s, d: d, versions: versions, conv: conv, oc: newCalc(ctx, s, sm), acc: map[string]*account{}, byOut: map[string]string{}, claims: map[string]*Claim{}, claimTime: map[string]time.Time{}}
	if f, ok := s.(LotEventFinder); ok {
		gone, err := UnmadeLots(ctx, f)
		if err != nil {
			return nil, err
		}
		// A lot whose maker is declared with none standing is read by
		// the retraction rules already (its run's credit retracted,
		// naming the declaration); one made again only after the run
		// drew on it would earn afresh: no credit from it.
		for id, u := range gone {
			if u.Late != nil {
				if mc.gone == nil {
					mc.gone = map[string]*Unmade{}
				}
				mc.gone[id] = u
			}
		}
	}
	return mc, nil
}

// versionFor is the declaration version governing a claim period: the
// latest version whose EffectiveFrom is on or before the period's start
// (the first version governs periods before every EffectiveFrom).
func versionFor(versions []*critmin.MassBalanceDeclaration, p critmin.ClaimPeriod) *critmin.MassBalanceDeclaration {
	v := versions[0]
	for _, x := range versions[1:] {
		if x.EffectiveFrom <= p.From {
			v = x
		}
	}
	return v
}

// useVersion makes v govern the next period: its categories earn and
// claim; the accounts of categories it no longer declares keep their
// credits until they expire.
func (mc *mbCalc) useVersion(v *critmin.MassBalanceDeclaration) {
	mc.cur = v
	mc.active = map[string]bool{}
	mc.byOut = map[string]string{}
	for _, c := range v.Categories {
		if a := mc.acc[c.ID]; a != nil {
			a.cat = c
		} else {
			mc.acc[c.ID] = &account{cat: c, buckets: map[string][]*bucket{}}
		}
		mc.active[c.ID] = true
		mc.byOut[ledger.CanonicalCommodity(c.Product)] = c.ID
	}
}

func sortedPeriods(d *critmin.MassBalanceDeclaration) []critmin.ClaimPeriod {
	ps := append([]critmin.ClaimPeriod(nil), d.Periods...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].From < ps[j].From })
	return ps
}

func periodSpan(p critmin.ClaimPeriod) (time.Time, time.Time) {
	f, _ := time.Parse(time.DateOnly, p.From)
	t, _ := time.Parse(time.DateOnly, p.To)
	return f, t
}

// openingOrigins are the origins of category id (account a) that open a
// period with a line: those ever credited (a.buckets keeps an origin
// whose credits are spent or expired), those in deficit — a booked claim
// left short by a later fact (a credit run, a feed's commissioning or an
// assay declared in error, a later assay or weighing) whose origin may
// never have been credited at all — and any whose last period closed
// away from zero. A deficit is never expired (only credits are, at the
// carry-forward), so it opens every later period, at any carry-forward,
// until later credits of its origin repay it (ISO 22095-2: the balance
// carried is the previous period's closing, claims out ≤ credits in).
// Without such a line the period opened at zero and its booked claims'
// shortfalls matched no line in deficit (fix9ai).
func (mc *mbCalc) openingOrigins(id string, a *account) []string {
	set := map[string]bool{}
	for c := range a.buckets {
		set[c] = true
	}
	for c, d := range a.deficit {
		if d > claimTolerance {
			set[c] = true
		}
	}
	for k, v := range mc.closing {
		if k[0] == id && math.Abs(v) > claimTolerance {
			set[k[1]] = true
		}
	}
	return sortedKeys(set)
}

// period replays one claim period: credits and claims run by run in event
// order (a run's credits count before its own claims), then credits older
// than the carry-forward allows expire at the period's end.
func (mc *mbCalc) period(periods []critmin.ClaimPeriod, i int) (*Statement, error) {
	p := periods[i]
	from, to := periodSpan(p)
	mc.useVersion(versionFor(mc.versions, p))
	st := &Statement{Site: mc.d.Site, Method: mc.cur.Method, Version: mc.cur.Version, CarryForward: mc.cur.CarryForward, Period: p, Refused: []RefusedClaim{}}
	type lineKey struct{ cat, country string }
	lines := map[lineKey]*BalanceLine{}
	entries := map[string][]Entry{}
	started := false
	line := func(cat, c string) *BalanceLine {
		k := lineKey{cat, c}
		if l := lines[k]; l != nil {
			return l
		}
		// Lines of origins with a balance at the period's start — credit,
		// or a deficit carried (openingOrigins) — are made first, with
		// their opening balance; any other opens at zero.
		l := &BalanceLine{Country: c, Name: country.Name(c)}
		if !started {
			if v, ok := mc.closing[[2]string{cat, c}]; ok {
				l.Opening = v
			} else {
				l.Opening = mc.acc[cat].available(c)
			}
		}
		lines[k] = l
		return l
	}
	for id, a := range mc.acc {
		if mc.active[id] {
			f, src, ok, err := mc.conv.ConversionFactor(mc.ctx, mc.d.Site, a.cat, p)
			if err != nil {
				return nil, err
			}
			if !ok || !(f > 0 && f <= 1) {
				f, src = a.cat.ConversionFactor, "declared"
			}
			a.factor, a.source = f, src
		}
		a.window = append(a.window, map[string]float64{})
		a.apartClaims = nil
		for _, c := range mc.openingOrigins(id, a) {
			line(id, c)
		}
	}
	started = true
	mc.closing = map[[2]string]float64{}
	runs, err := mc.runs(from, to)
	if err != nil {
		return nil, err
	}
	unmade, err := mc.unmadeRuns(from, to, runs)
	if err != nil {
		return nil, err
	}
	runs = append(runs, unmade...)
	if err := mc.waitGapClaims(periods, i); err != nil {
		return nil, err
	}
	// The period's items in time order: each run's credits, and each claim
	// at the time of the event that made it (ISO 22095-2: a claim is made
	// in the period it is made and draws on that period's balance). A
	// claim made after its lot's run, in a later period, waits for that
	// period; at equal times a run's credits count before claims.
	type item struct {
		at    time.Time
		run   *ledgerRun
		claim *pendingClaim
	}
	var items []item
	for k := range runs {
		r := &runs[k]
		items = append(items, item{at: r.at, run: r})
		var lots []*critmin.Lot
		for _, out := range r.children() {
			if l := mc.oc.lots[out]; l != nil && l.OriginClaim != nil {
				lots = append(lots, l)
			}
		}
		ces, err := mc.claimEvents(lots, *r)
		if err != nil {
			return nil, err
		}
		for j, l := range lots {
			mc.waiting = append(mc.waiting, &pendingClaim{lot: l, run: *r, ce: ces[j], made: r.madeAt(l.ID)})
		}
	}
	var later []*pendingClaim
	for _, pc := range mc.waiting {
		if pc.ce.At.Before(to) {
			items = append(items, item{at: pc.ce.At, claim: pc})
		} else {
			later = append(later, pc)
		}
	}
	mc.waiting = later
	sort.SliceStable(items, func(a, b int) bool {
		if !items[a].at.Equal(items[b].at) {
			return items[a].at.Before(items[b].at)
		}
		if (items[a].run == nil) != (items[b].run == nil) {
			return items[a].run != nil
		}
		// Claims made at one event time are booked in the order they
		// were made: capture order (ClaimEvent.Seq), a document's after
		// every stored claim, so a claim captured later never takes an
		// accepted claim's credits.
		if items[a].claim != nil && items[b].claim != nil {
			return items[a].claim.ce.Seq < items[b].claim.ce.Seq
		}
		return false
	})
	for _, it := range items {
		if it.run != nil {
			r := *it.run
			// The account before the run, for a credit note's figure at
			// the run (creditAssayNote), where a later assay may call for
			// it.
			var before *creditState
			if mc.assayedAfterRun(r) {
				s := mc.creditState()
				before = &s
			}
			credits, err := mc.credits(r, p)
			if err != nil {
				return nil, err
			}
			atRun := map[int64]map[string]*runCredits{}
			for catID, rc := range credits {
				a := mc.acc[catID]
				// The rolling-average window counts qualifying input,
				// not the credits the product bound leaves of it
				// (docs/origin.md "Rolling-average percentage method").
				for c, x := range rc.input {
					a.window[len(a.window)-1][c] += x
				}
				byC := rc.byC
				keys := make([][3]string, 0, len(byC))
				for k := range byC {
					keys = append(keys, k)
				}
				sort.Slice(keys, func(x, y int) bool {
					for j := range keys[x] {
						if keys[x][j] != keys[y][j] {
							return keys[x][j] < keys[y][j]
						}
					}
					return false
				})
				for _, k := range keys {
					c, ev, lot, t := k[0], k[1], k[2], byC[k]
					if ev == "" {
						ev = r.event
					}
					// A deficit left by booked claims no longer covered
					// is repaid first.
					left := t
					if d := a.deficit[c]; d > 0 {
						pay := math.Min(d, left)
						a.deficit[c] -= pay
						left -= pay
						if a.deficit[c] <= claimTolerance {
							delete(a.deficit, c)
						}
						a.allocate(c, ev)
						if mc.creditPeriod == nil {
							mc.creditPeriod = map[string]string{}
						}
						mc.creditPeriod[ev] = p.ID
					}
					a.buckets[c] = append(a.buckets[c], &bucket{period: i, tonnes: left, event: ev})
					if a.earned == nil {
						a.earned = map[string]bool{}
					}
					a.earned[c] = true
					line(catID, c).Credits += t
					// Each credit is dated at the event that consumed its
					// input (fix9u); the run's credits enter the balance
					// together, at its first event in the period.
					at := r.at
					if x, ok := rc.at[ev]; ok && !x.IsZero() {
						at = x
					}
					later, err := mc.creditAssayNote(r, p, before, catID, k, at, t, atRun)
					if err != nil {
						return nil, err
					}
					entries[catID] = append(entries[catID], Entry{Kind: "credit", Country: c, Tonnes: t, Lot: lot, Event: ev, Time: at, Factor: rc.factor, FactorSource: rc.source,
						Note: joinNotes(rc.notes[k], later)})
					if n := rc.notes[k]; n != "" && !slices.Contains(line(catID, c).Notes, n) {
						line(catID, c).Notes = append(line(catID, c).Notes, n)
					}
					if rc.factor != a.factor || rc.source != a.source {
						a.mixed = true
					}
				}
			}
			continue
		}
		pc := it.claim
		l, err := mc.asClaimed(pc.lot, pc.ce)
		if err != nil {
			return nil, err
		}
		if u, ok := mc.unmade[l.ID]; ok && pc.run.unmade {
			// The lot as the declared event made it, claim and all
			// (fix9as).
			l = u.was
		}
		var cl *Claim
		var ref []RefusedClaim
		_, remade := mc.remade[l.ID]
		if pc.ce.At.Before(pc.made) && !(remade && mc.recordedClaim(pc.ce)) {
			cl, ref = mc.earlyClaim(l, pc, periods, p)
		} else {
			// A stored claim dated before its lot exists only since the
			// run that made the lot was declared in error and captured
			// again with a later time was accepted at capture: claim
			// books it in full, not covered (fix9ar, remadeClause).
			if cl, ref, err = mc.claim(l, pc.ce, p, pc.run); err != nil {
				return nil, err
			}
			mc.noteWindowShort(cl)
			mc.uncoveredByAssay(l, cl, ref)
			laterAssayNote(pc.lot, pc.ce.At, cl)
		}
		mc.claims[l.ID] = cl
		mc.claimTime[l.ID] = pc.ce.At
		if len(ref) > 0 {
			st.Refused = append(st.Refused, ref...)
			if !cl.booked {
				continue
			}
		}
		for _, sh := range cl.ByCountry {
			line(cl.Category, sh.Key).Claims += sh.Tonnes
			e := Entry{Kind: "claim", Country: sh.Key, Tonnes: sh.Tonnes, Lot: l.ID, Event: pc.ce.Event, Time: pc.ce.At, Status: ClaimAccepted}
			switch v := cl.shortApart[sh.Key]; {
			case cl.booked && cl.shortApart != nil && v > claimTolerance:
				// Short of the rolling window's share in this origin
				// (fix9s), or out of the category's system (fix9aj):
				// its own shortfall.
				e.Status, e.Shortfall = ClaimNotCovered, v
				e.Note = fmt.Sprintf("not covered: accepted at capture, booked in full (shortfall %s t %s)", Figure(v), apartWords(cl))
			case cl.booked && cl.shortApart != nil:
				e.Status = OriginCovered
				e.Note = fmt.Sprintf("covered: accepted at capture, booked in full; the %s share of the rolling window covers it (the claim attributes nothing: %s short)", country.Name(sh.Key), cl.shortOrigins())
			case cl.booked:
				// Restated origin by origin at the period's end
				// (settleShares).
				e.Status = ClaimNotCovered
				e.Note = fmt.Sprintf("not covered: accepted at capture, booked in full (shortfall %s t)", Figure(cl.Shortfall))
			}
			e.Note = joinNotes(e.Note, cl.ReassayNote)
			entries[cl.Category] = append(entries[cl.Category], e)
		}
	}
	// Expiry at the end of the period: credits that entered more than
	// CarryForward periods ago (for the rolling average, credits that
	// leave the window).
	for catID, a := range mc.acc {
		for _, c := range sortedKeys(a.buckets) {
			var keep []*bucket
			for _, b := range a.buckets[c] {
				if b.period+mc.cur.CarryForward <= i && b.tonnes > 0 {
					line(catID, c).Expired += b.tonnes
					entries[catID] = append(entries[catID], Entry{Kind: "expired", Country: c, Tonnes: b.tonnes, Event: b.event, Time: to, Origin: periods[b.period].ID})
					if a.expired == nil {
						a.expired = map[string][]expiry{}
					}
					a.expired[c] = append(a.expired[c], expiry{tonnes: b.tonnes, earned: periods[b.period].ID, ended: periods[i].ID, to: periods[i].To, version: mc.cur.Version, carryForward: mc.cur.CarryForward})
					continue
				}
				if b.tonnes > 0 {
					keep = append(keep, b)
				}
			}
			a.buckets[c] = keep
		}
	}
	mc.settleShares(st, entries)
	ids := make([]string, 0, len(mc.acc))
	for id := range mc.acc {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := mc.acc[id]
		cs := CategoryStatement{Category: a.cat, ConversionFactor: a.factor, FactorSource: a.source, Lines: []BalanceLine{}, Entries: entries[id]}
		if cs.Entries == nil {
			cs.Entries = []Entry{}
		}
		if a.mixed {
			cs.FactorSource = fmt.Sprintf("per credit run: the refinery's reconciled recovery of the closed month each run ran in, else the declared %g (see each credit's factorSource)", a.cat.ConversionFactor)
		}
		a.mixed = false
		if !mc.active[id] {
			cs.FactorSource = "no longer declared: credits kept until they expire"
		}
		pct := a.percentages(mc.cur.CarryForward)
		for k, l := range lines {
			if k.cat != id {
				continue
			}
			// Closing = opening + credits − claims − expired, for both
			// methods: the rolling average adds the window's percentage.
			l.Closing = l.Opening + l.Credits - l.Claims - l.Expired
			if d := a.deficit[l.Country]; d > claimTolerance {
				l.DeficitBy = append([]string(nil), a.deficitBy[l.Country]...)
				cd := mc.carried[[2]string{id, l.Country}]
				var own []string
				for _, lot := range l.DeficitBy {
					if cd == nil || !slices.Contains(cd.lots, lot) {
						own = append(own, lot)
					}
				}
				note := fmt.Sprintf("deficit %s t", Figure(d))
				if len(own) > 0 {
					note += fmt.Sprintf(": the claim(s) on lot %s, accepted at capture and no longer covered, stay booked in full", strings.Join(own, ", "))
				}
				if cd != nil && cd.tonnes > claimTolerance {
					// Claims of earlier periods are rows of their own
					// periods' statements; here their deficit is the
					// opening's, carried forward (fix9ah).
					l.CarriedDeficit = cd.tonnes
					sep := "; "
					if len(own) == 0 {
						sep = ": "
					}
					note += fmt.Sprintf("%s%s t of it carried forward in the opening balance from period %s, owed by the claim(s) on lot %s, accepted at capture and no longer covered, listed on that period's statement", sep, Figure(cd.tonnes), strings.Join(cd.periods, ", "), strings.Join(cd.lots, ", "))
				}
				l.Notes = append(l.Notes, note)
			}
			if math.Abs(l.Closing) < claimTolerance {
				// Rounding left by subtraction (0.195 − 0.195 may be
				// −2.8e-17): a balance spent or expired is zero, not a
				// negative figure printed as "-0".
				l.Closing = 0
			}
			if mc.cur.Method == critmin.MassBalanceRollingAverage {
				// percentages gives no share when the window's total is 0.
				l.Percent, l.NoWindowInput = pct[l.Country], len(pct) == 0
			}
			cs.Lines = append(cs.Lines, *l)
			mc.closing[[2]string{id, l.Country}] = l.Closing
		}
		if !mc.active[id] && len(cs.Lines) == 0 {
			continue
		}
		sort.Slice(cs.Lines, func(i, j int) bool { return cs.Lines[i].Country < cs.Lines[j].Country })
		cs.Total = totalLine(cs.Lines)
		st.Categories = append(st.Categories, cs)
	}
	return st, nil
}

// laterAssayNote names, on an accepted claim, the assays of its lot dated
// after the claim that put the lot's qualifying content by its assays now
// (lot, as it stands) below what the claim took: the claim keeps its
// tonnes (it was read as the lot stood when claimed, asClaimed) and says
// so (ReassayedBy, ReassayNote), as for a lower reassay recorded late but
// dated at the claim (claim, fix9g). The note is about the assays, the
// lot's dry tonnes × its assayed grade, as the claim's own figure is
// (claim): what the lot holds now, capped where a run that made it gains,
// is Claim.Contains (coveredNow; fix9ab).
func laterAssayNote(lot *critmin.Lot, at time.Time, cl *Claim) {
	// A claim booked in full although a later fact left it not covered
	// keeps the note too: later credits may cover it again (CoveredBy),
	// and it names both (fix9j).
	if (cl.Status != ClaimAccepted && !cl.booked) || cl.ReassayNote != "" || len(cl.Elements) == 0 || lot == nil {
		return
	}
	g := GradesOf(lot)
	var now float64
	qual := map[string]bool{}
	for _, el := range cl.Elements {
		x, ok := g[el]
		if !ok {
			return
		}
		now += lot.DryTonnes * x
		qual[el] = true
	}
	if now >= cl.Tonnes*(1-claimTolerance)-claimTolerance {
		return
	}
	// The assays now read are the whole lot's: the body's and each
	// part's of its own (ledger.AssayScopes) — a part assayed where it
	// was received after the claim is named (issue 9, fix9z).
	var evs []string
	for _, sc := range ledger.AssayScopes(lot) {
		for _, a := range sc.Assays {
			if qual[units.ElementOf(a.Analyte)] && a.At.After(at) && a.EventID != "" && !slices.Contains(evs, a.EventID) {
				evs = append(evs, a.EventID)
			}
		}
	}
	if len(evs) == 0 {
		return
	}
	cl.ReassayedBy = evs
	cl.ReassayNote = reassayNote(evs, now, cl.Tonnes, cl.Elements)
}

// reassayNote words a lower reassay of a claimed lot (Claim.ReassayNote):
// the assays evs put it at now tonnes of els, and the claim rests on the
// was tonnes it held when claimed — the lot's content then, which the
// claim's shares are of, never the claim's own tonnes (issue 9, fix9ab:
// "claim keeps 0.5 t" beside a claim of 0.4 t read as the claim).
func reassayNote(evs []string, now, was float64, els []string) string {
	e := strings.Join(els, "+")
	return fmt.Sprintf("claimed lot reassayed by %s: it holds %s t %s by its assays now; the claim rests on the %s t %s it held when claimed (a claim keeps what it took at capture; a lower reassay frees no credit)",
		strings.Join(evs, ", "), Figure(now), e, Figure(was), e)
}

// carriedDeficit is the part of an origin's deficit at a period's close
// owed by claims booked in full in earlier periods (their shares, tonnes
// of element): the lots of those claims and their periods, on whose
// statements they are listed (fix9ah).
type carriedDeficit struct {
	tonnes        float64
	lots, periods []string
}

// settleShares states, at a period's end, each claim booked in full
// although no longer covered by its share of the deficit now (allocate,
// fix9g), never by the shortfall it met when replayed: Claim.Shortfall is
// the sum of its origins' shares. A claim whose shares later credits
// repaid reads covered again (ClaimAccepted), naming them (CoveredBy,
// CoverageNote). st.Refused lists this period's booked claims with a
// share, one entry per origin (Shortfall the share, Available the part of
// the claim the credits now cover); the shares of earlier periods'
// claims whose deficit carries into it are the line's CarriedDeficit
// (mc.carried), never rows again — a claim belongs to its own period's
// statement (ISO 22095-2; fix9ah). Rows and carried deficit add up to
// each line's deficit (CheckStatement); the period's claim entries say
// the same.
func (mc *mbCalc) settleShares(st *Statement, entries map[string][]Entry) {
	type state struct {
		short  float64
		byC    map[string]float64
		repaid []string
		// was are the origins booked short (fix9n): only their
		// entries read covered again once repaid.
		was map[string]bool
		// apartOnly: a claim short of something other than the
		// balance only, the balance covering it: its origins' window
		// shares at a rolling-average site (fix9u), its category's
		// system (fix9aj).
		apartOnly bool
		// deficit and defC are its shares of the deficit alone, in all
		// and by origin: what its error's shortfall clause words.
		deficit float64
		defC    map[string]float64
		// peak is its own largest share of the deficit (bookedShare.peak)
		// summed over its origins: the shortfall a later fact left it
		// with, which its covered-again note words (fix9am).
		peak float64
	}
	by := map[*Claim]*state{}
	var order []*Claim
	for _, id := range sortedKeys(mc.acc) {
		a := mc.acc[id]
		for _, c := range sortedKeys(a.booked) {
			for _, b := range a.booked[c] {
				x := by[b.cl]
				if x == nil {
					x = &state{byC: map[string]float64{}, was: map[string]bool{}}
					by[b.cl] = x
					order = append(order, b.cl)
				}
				x.short += b.alloc
				x.deficit += b.alloc
				x.peak += b.peak
				x.was[c] = true
				if b.alloc > 0 {
					x.byC[c] += b.alloc
					if x.defC == nil {
						x.defC = map[string]float64{}
					}
					x.defC[c] += b.alloc
				}
				for _, e := range b.repaidBy {
					if !slices.Contains(x.repaid, e) {
						x.repaid = append(x.repaid, e)
					}
				}
			}
		}
	}
	// A claim above its origin's share of the rolling window is not
	// covered whether or not the balance covers it (fix9u): its shortfall
	// of each origin is the larger of its window shortfall and its share
	// of the deficit (both bound what may be claimed). The period's such
	// claims the balance covers join those booked short of it.
	for _, id := range sortedKeys(mc.acc) {
		for _, cl := range mc.acc[id].apartClaims {
			if by[cl] == nil {
				by[cl] = &state{byC: map[string]float64{}, was: map[string]bool{}, apartOnly: true}
				order = append(order, cl)
			}
		}
	}
	for _, cl := range order {
		x := by[cl]
		for c, w := range cl.shortApart {
			x.was[c] = true
			if w > x.byC[c] {
				x.short += w - x.byC[c]
				x.byC[c] = w
			}
		}
	}
	note := map[string]string{}
	for _, cl := range order {
		x := by[cl]
		if st.Period.ID == cl.Period {
			// Its shares of the deficit at its own period's close: what a
			// later period's credits may repay in part (fix9ap).
			cl.closedByC = maps.Clone(x.defC)
		}
		if x.apartOnly {
			// No deficit to restate: the error claim gave names every
			// origin above its window share with its own shortfall.
			cl.Status, cl.Shortfall, cl.ShortfallByCountry, cl.CoveredBy, cl.CoveredIn, cl.CoverageNote = ClaimRefused, x.short, x.byC, nil, nil, ""
			continue
		}
		if cl.bookedErr == "" {
			cl.bookedErr, cl.bookedShort = cl.Error, cl.Shortfall
		}
		lot := cl.bookedLot
		repaid := ""
		if len(x.repaid) > 0 {
			repaid = "; credit(s) " + strings.Join(x.repaid, ", ") + " since repaid part of the deficit"
		}
		if x.short <= claimTolerance {
			// Its own shortfall when left short (its peak share), never
			// the deficit it met (fix9am; nu9h 3): a claim meeting a
			// balance already −0.2 t from another claim's carried share
			// replays 0.2 + 0.2 = 0.4 t short, its own share 0.2 t.
			left := cl.bookedShort
			if x.peak > claimTolerance {
				left = math.Min(left, x.peak)
			}
			cl.Status, cl.Error, cl.Shortfall, cl.ShortfallByCountry = ClaimAccepted, "", 0, nil
			cl.CoveredBy = append([]string(nil), x.repaid...)
			cl.CoveredIn = mc.periodsOf(x.repaid)
			cl.CoverageNote = fmt.Sprintf("claim on lot %s covered again%s: accepted at capture, it was left not covered by a later fact (shortfall %s t) and booked in full; the deficit its booking left was repaid by credit(s) %s%s (ISO 22095-2: claims out ≤ credits in)",
				lot, cl.originsAgain(x.was), Figure(left), strings.Join(x.repaid, ", "), cl.repaidInWords())
			note[lot] = cl.CoverageNote
			continue
		}
		cl.Status, cl.Shortfall, cl.CoveredBy, cl.CoveredIn, cl.CoverageNote = ClaimRefused, x.short, nil, nil, ""
		cl.ShortfallByCountry = x.byC
		// The deficit clause names only the claims still short (fix9j).
		cl.Error = mc.restateDeficit(cl, st.Period.ID)
		// The error words the origin it was replayed short in
		// (bookedOrigin) by that origin's own share, never the claim's
		// whole shortfall (fix9j); a claim of one origin reads as before.
		own := x.short
		if cl.bookedOrigin != "" && len(cl.ByCountry) > 1 {
			own = x.byC[cl.bookedOrigin]
		}
		if apartKind(cl.ShortOf) {
			// Its over-claim clause words its share of the deficit; all
			// it claims is short of the category's system, worded in
			// its own clause (basisClause).
			own = x.deficit
			if cl.bookedOrigin != "" && len(cl.ByCountry) > 1 {
				own = x.defC[cl.bookedOrigin]
			}
		}
		if math.Abs(own-cl.bookedShort) > claimTolerance || repaid != "" {
			now := fmt.Sprintf("(shortfall %s t: its share of the balance's deficit, which is shared among the claims booked in full from the last made back%s)", Figure(own), repaid)
			if own <= claimTolerance {
				now = fmt.Sprintf("(covered since: its share of the %s deficit was repaid%s)", country.Name(cl.bookedOrigin), repaid)
			}
			if old := "(shortfall " + Figure(cl.bookedShort) + " t)"; strings.Contains(cl.Error, old) {
				cl.Error = strings.Replace(cl.Error, old, now, 1)
			} else {
				cl.Error += "; now " + now
			}
		}
		cl.Error = restateHolds(cl, own)
		mc.repaidLaterPart(cl, x.defC, x.repaid, st.Period.ID)
		if cl.ShortOf == ShortOfCategorySystem && x.deficit <= claimTolerance {
			outOfSystemOnly(cl)
		}
		// Every other origin short names its own share (fix9j).
		for _, sh := range cl.ByCountry {
			if v := x.byC[sh.Key]; sh.Key != cl.bookedOrigin && v > claimTolerance && len(cl.ByCountry) > 1 {
				cl.Error += fmt.Sprintf("; of %s origin it claims %s t, %s t of it short (its share of the %s balance's deficit)", sh.Name, Figure(sh.Tonnes), Figure(v), sh.Name)
			}
		}
	}
	var kept []RefusedClaim
	for _, r := range st.Refused {
		// Rows short of the rolling window's share or of the category's
		// system are listed afresh below (apartRows): they hold no share
		// of a deficit.
		if !r.Booked {
			kept = append(kept, r)
		}
	}
	carried := map[[2]string]*carriedDeficit{}
	// rowAt is, by category, lot and origin, the index in kept of a
	// booked claim's row: one per claim and origin (fix9ap).
	rowAt := map[[3]string]int{}
	for _, id := range sortedKeys(mc.acc) {
		a := mc.acc[id]
		for _, c := range sortedKeys(a.booked) {
			for _, b := range a.booked[c] {
				if b.alloc <= 0 {
					continue
				}
				cl := b.cl
				if cl.Period != st.Period.ID {
					// A claim belongs to the statement of the period it
					// was made in (ISO 22095-2: claims out are booked in
					// their claim period; the closing balance, deficit
					// included, carries forward as the next opening). Its
					// share of the deficit still owed is this period's
					// carried deficit, on the line, not a row (fix9ah).
					k := [2]string{id, c}
					cd := carried[k]
					if cd == nil {
						cd = &carriedDeficit{}
						carried[k] = cd
					}
					cd.tonnes += b.alloc
					if !slices.Contains(cd.lots, b.lot) {
						cd.lots = append(cd.lots, b.lot)
					}
					if !slices.Contains(cd.periods, cl.Period) {
						cd.periods = append(cd.periods, cl.Period)
					}
					continue
				}
				rowAt[[3]string{id, b.lot, c}] = len(kept)
				kept = append(kept, RefusedClaim{Lot: b.lot, Event: b.event, Category: id, Country: c, Claimed: b.tonnes, Available: b.tonnes - b.alloc, Shortfall: b.alloc, DeficitShare: b.alloc,
					Reasons: []string{balanceReason(b.alloc)},
					Error:   cl.Error, RetractedBy: cl.RetractedBy, AssayedBy: cl.AssayedBy, WeighedBy: cl.WeighedBy, RunChangedBy: cl.RunChangedBy, Booked: true})
			}
		}
	}
	// A claim short of the balance AND of something else — its window
	// share, its category's system, its grade — is ONE row (fix9ap): its
	// one status, every reason, shortfall the larger of its share of the
	// deficit and what it is short apart (both bound what may be
	// claimed; for the system and the grade that is all it claims).
	// Before, it was listed twice, and the rows added up to more than
	// the deficit plus what the claims booked apart are short beyond
	// their shares (0.15 + 0.4 + 0.4 = 0.95 t against a 0.55 t deficit).
	for _, r := range mc.apartRows() {
		i, ok := rowAt[[3]string{r.Category, r.Lot, r.Country}]
		if !ok {
			kept = append(kept, r)
			continue
		}
		row := &kept[i]
		row.ShortOf = r.ShortOf
		row.Reasons = append(row.Reasons, r.Reasons...)
		row.Shortfall = math.Max(row.DeficitShare, r.Shortfall)
		row.Available = row.Claimed - row.Shortfall
		if r.ShortOf == ShortOfWindowShare {
			// The claim's error words its window shortfall; its share
			// of the deficit is added (fix9u words both).
			row.Error = fmt.Sprintf("%s; the %s balance closes in deficit too and this claim's share of that deficit is %s t: its shortfall is the larger, %s t", r.Error, country.Name(r.Country), Figure(row.DeficitShare), Figure(row.Shortfall))
		}
	}
	if kept == nil {
		kept = []RefusedClaim{}
	}
	st.Refused = kept
	mc.carried = carried
	// Each claim entry states its own origin's standing (fix9j): the
	// share of that origin's deficit, never the claim's whole shortfall
	// nor another origin's.
	for id := range entries {
		for j := range entries[id] {
			e := &entries[id][j]
			if e.Kind != "claim" {
				continue
			}
			cl := mc.claims[e.Lot]
			if cl == nil || by[cl] == nil {
				continue
			}
			x := by[cl]
			switch v := x.byC[e.Country]; {
			case x.short <= claimTolerance && x.was[e.Country]:
				e.Status, e.Shortfall, e.Note = ClaimAccepted, 0, note[e.Lot]
			case x.short <= claimTolerance:
				// An origin never short was never repaid (fix9n): the
				// note of the origin that was stays on its own entry.
				e.Status, e.Shortfall, e.Note = ClaimAccepted, 0, ""
			case v > claimTolerance:
				e.Status, e.Shortfall = ClaimNotCovered, v
				e.Note = fmt.Sprintf("not covered: accepted at capture, booked in full (shortfall %s t)", Figure(v))
				if apartKind(cl.ShortOf) {
					// All it claims of the origin is short of its
					// category's system (fix9aj), whatever the balance.
					e.Note = fmt.Sprintf("not covered: accepted at capture, booked in full (shortfall %s t %s)", Figure(v), apartWords(cl))
				}
			default:
				e.Status, e.Shortfall = OriginCovered, 0
				e.Note = fmt.Sprintf("covered: accepted at capture, booked in full; the %s balance covers it (the claim attributes nothing: %s short)", country.Name(e.Country), cl.shortOrigins())
			}
			e.Note = joinNotes(e.Note, cl.ReassayNote)
		}
	}
}

// repaidLaterPart notes, on a booked claim still short at the close of
// period (a period after its own), the part of its own period's
// shortfall that later periods' credits repaid (fix9ap item 2): by
// origin, its share of the deficit at its own period's close
// (closedByC) less its share now (defC), the credits of periods after
// its own among repaid. Its error then words the origin it was replayed
// short in as "covered X t by the credits of period P (credit(s) R),
// still short Y t", X + Y its shortfall at its own period's close —
// before, "the balance holds X t", a figure no period's balance held
// (its own period closed it short of all Y + X, the later period in
// deficit too). Nothing when no later credit repaid any of it.
func (mc *mbCalc) repaidLaterPart(cl *Claim, defC map[string]float64, repaid []string, period string) {
	cl.repaidLaterT, cl.repaidLaterBy, cl.repaidLaterIn = nil, nil, nil
	if period == cl.Period || cl.closedByC == nil {
		return
	}
	for _, e := range repaid {
		if p := mc.creditPeriod[e]; p != "" && p != cl.Period {
			cl.repaidLaterBy = append(cl.repaidLaterBy, e)
			if !slices.Contains(cl.repaidLaterIn, p) {
				cl.repaidLaterIn = append(cl.repaidLaterIn, p)
			}
		}
	}
	if len(cl.repaidLaterBy) == 0 {
		return
	}
	for _, c := range sortedKeys(cl.closedByC) {
		if v := cl.closedByC[c] - defC[c]; v > claimTolerance {
			if cl.repaidLaterT == nil {
				cl.repaidLaterT = map[string]float64{}
			}
			cl.repaidLaterT[c] = v
		}
	}
	x, ok := cl.repaidLaterT[cl.bookedOrigin]
	if !ok {
		return
	}
	m := holdsRe.FindStringSubmatchIndex(cl.Error)
	if m == nil {
		return
	}
	held := 0.0
	for _, sh := range cl.ByCountry {
		if sh.Key == cl.bookedOrigin {
			held = math.Max(0, sh.Tonnes-cl.closedByC[sh.Key])
		}
	}
	cl.Error = fmt.Sprintf("%s origin but the balance closed its period %s holding %s t for it; covered %s t by the credits of period %s (credit(s) %s), still short %s t (%s",
		cl.Error[:m[3]], cl.Period, Figure(held), Figure(x), strings.Join(cl.repaidLaterIn, ", "), strings.Join(cl.repaidLaterBy, ", "), Figure(defC[cl.bookedOrigin]), cl.Error[m[1]:])
}

// balanceReason is a not-covered row's reason for its share of the
// balance's deficit (RefusedClaim.Reasons, fix9ap).
func balanceReason(share float64) string {
	return "short of the balance by " + Figure(share) + " t"
}

// periodsOf are the claim periods the credit events evs entered in
// (creditPeriod), in the order they were replayed (period order), each
// once.
func (mc *mbCalc) periodsOf(evs []string) []string {
	var out []string
	for _, e := range evs {
		if p := mc.creditPeriod[e]; p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// repaidInWords names the periods whose credits covered a claim again
// (CoveredIn) where one is later than its own (fix9am): " of period
// 2025-12 (carried deficit repaid)"; "" otherwise.
func (c *Claim) repaidInWords() string {
	if !c.CoveredLater() {
		return ""
	}
	return fmt.Sprintf(" of period %s (carried deficit repaid)", strings.Join(c.CoveredIn, ", "))
}

// CoveredLater reports whether credits of a period after the claim's own
// covered it again (CoveredIn, fix9am): its own period closed with it not
// covered and the deficit carried forward into the period that repaid it.
func (c *Claim) CoveredLater() bool {
	// A deficit is repaid in its claim's period or a later one.
	for _, p := range c.CoveredIn {
		if p != c.Period {
			return true
		}
	}
	return false
}

// CoveringPeriods names the period whose credits cover an accepted claim
// (fix9am): its own period, or — for a claim its own period closed not
// covered and a later period's credits repaid (CoveredLater) — that
// later period: "2025-12 (carried deficit repaid by credit(s) urn:…:R4;
// its own period 2025-11 closed with it not covered, as that period's
// statement lists it)". Before, the rule verdict, the lot JSON and the
// certificate named the claim's own period, whose statement listed it
// not covered (nu9h 1).
func (c *Claim) CoveringPeriods() string {
	if !c.CoveredLater() {
		return c.Period
	}
	return fmt.Sprintf("%s (carried deficit repaid by credit(s) %s; its own period %s closed with it not covered, as that period's statement lists it)", strings.Join(c.CoveredIn, ", "), strings.Join(c.CoveredBy, ", "), c.Period)
}

// coveredSinceRe finds, in a booked claim's over-claim clause restated
// once the balance covers it, "of X origin but the balance holds … (covered
// since: ": the words to drop.
var coveredSinceRe = regexp.MustCompile(`of (.+?) origin but the balance holds (?:none of it|-?[0-9][0-9.e+-]* t) \(covered since: `)

// outOfSystemOnly restates a booked claim out of its category's system
// (ShortOfCategorySystem) whose share of the balance's deficit credits
// have repaid (fix9am; nu9h 4, 5): the balance covers it, so it is no
// over-claim — the cause is the category system its run left
// (claimbasis.go). Its error leads "claim not covered (its run left its
// category's mass-balance system; the balance covers it):", the clause
// "claims 0.2 t … of Pakistan origin but the balance holds 0.2 t (covered
// since: …)" reads "claims 0.2 t … of Pakistan origin (the balance covers
// it: …)", and the later facts it names as its causes are only those
// that leave it short now — the basis facts (basisBy): a retraction whose
// credits later credits replaced no longer does (ISO 22095-2: claims out
// ≤ credits in holds; the claim fails only the category rule).
func outOfSystemOnly(cl *Claim) {
	cl.Error = strings.Replace(cl.Error, "over-claim not covered:", "claim not covered (its run left its category's mass-balance system; the balance covers it):", 1)
	cl.Error = coveredSinceRe.ReplaceAllString(cl.Error, "of $1 origin (the balance covers it: ")
	cl.Error = repaidDeficitRe.ReplaceAllString(cl.Error, "")
	cl.RetractedBy = append([]string(nil), cl.basisBy...)
	cl.AssayedBy, cl.WeighedBy, cl.RunChangedBy = nil, nil, nil
	cl.systemOnly = true
}

// repaidDeficitRe finds the deficit clause restateDeficit words, dropped
// from a claim whose share of the deficit was repaid (outOfSystemOnly):
// "the balance closes … in deficit by 0 t" states no cause.
var repaidDeficitRe = regexp.MustCompile(`; the [^;]+? balance closes the claim's period .+? \(a claim already stated to a buyer keeps the credits it took\)`)

// originsAgain names, for a claim of several origins covered again, the
// origins that were short and repaid (was) and those never short (fix9o),
// as the per-origin entries do: " in its Pakistan origin (China was
// never short)". "" for a claim of one origin: its note reads as before.
func (c *Claim) originsAgain(was map[string]bool) string {
	if len(c.ByCountry) < 2 {
		return ""
	}
	var again, never []string
	for _, sh := range c.ByCountry {
		if was[sh.Key] {
			again = append(again, sh.Name)
		} else {
			never = append(never, sh.Name)
		}
	}
	out := " in its " + andList(again) + " origin"
	if len(again) > 1 {
		out += "s"
	}
	if len(never) > 0 {
		verb := "was"
		if len(never) > 1 {
			verb = "were"
		}
		out += " (" + andList(never) + " " + verb + " never short)"
	}
	return out
}

// andList joins names as "A", "A and B", "A, B and C".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// holdsRe finds the "balance holds" figure of an over-claim's error:
// the origin's name and the figure.
var holdsRe = regexp.MustCompile(`of (.+?) origin but the balance holds (-?[0-9][0-9.e+-]*) t \(`)

// restateHolds is a booked claim's error with its "the balance holds X t"
// figure restated as what the balance leaves for THAT claim in the origin
// it was replayed short in (fix9n): X = claimed − own, own being its
// share of the deficit (allocate), so that claimed − holds = shortfall.
// Replayed, the balance read what earlier claims had left (a negative
// figure once they had put it in deficit), which no longer matches the
// shortfall once the deficit is shared from the last claim back.
func restateHolds(cl *Claim, own float64) string {
	m := holdsRe.FindStringSubmatchIndex(cl.Error)
	if m == nil {
		return cl.Error
	}
	name := cl.Error[m[2]:m[3]]
	for _, sh := range cl.ByCountry {
		if sh.Name == name {
			return cl.Error[:m[4]] + Figure(math.Max(0, sh.Tonnes-own)) + cl.Error[m[5]:]
		}
	}
	return cl.Error
}

// restateDeficit is a booked claim's error as replayed (bookedErr) with
// its deficit clause restated at the close of period (fix9q), the period
// whose statement is being settled. The clause names the claim's own
// period P (Claim.Period, the statement it belongs to) and the deficit D
// the balance of the origin it was replayed short in closed P with
// (closedDeficit, recorded at P's close): "the X balance closes the
// claim's period P in deficit by D t (that period's statement closing)".
// Read at the close of a later period Q (the lot API, `lot show` and the
// certificate replay the account through the last declared period: the
// deficit carries forward and later credits repay it), it says where the
// balance is still in deficit: "…; the deficit carries forward, and the
// X balance is still in deficit by D′ t at the close of period Q" (fix9ah:
// it named Q as if it were the claim's period). The figures are then
// D′'s: this claim's own share S of it and O = D′ − S the shares of the
// other claims still short (allocate), so that the figure a user reads
// is the statement's. A claim that later credits covered again is no
// longer named (fix9j); without another claim short (D′ = S) the clause
// names no other claim, and in the claim's own period it goes. A replayed
// error without the clause gets it appended.
func (mc *mbCalc) restateDeficit(cl *Claim, period string) string {
	msg := cl.bookedErr
	const head, tail = "; the balance is in deficit by ", "(a claim already stated to a buyer keeps the credits it took)"
	i, j := len(msg), len(msg)
	if k := strings.Index(msg, head); k >= 0 {
		if m := strings.Index(msg[k:], tail); m >= 0 {
			i, j = k, k+m+len(tail)
		}
	}
	a := mc.acc[cl.Category]
	var lots []string
	var own, others float64
	if a != nil {
		for _, b := range a.booked[cl.bookedOrigin] {
			if b.cl == cl {
				own += b.alloc
				continue
			}
			if b.alloc > 0 {
				others += b.alloc
				if !slices.Contains(lots, b.lot) {
					lots = append(lots, b.lot)
				}
			}
		}
	}
	name := country.Name(cl.bookedOrigin)
	if period == cl.Period || !cl.closedSet {
		cl.closedDeficit, cl.closedSet = own+others, true
	}
	clause := ""
	switch {
	case period == cl.Period && len(lots) > 0:
		clause = fmt.Sprintf("; the %s balance closes the claim's period %s in deficit by %s t (that period's statement closing): this claim's own shortfall %s t and %s t of the claim(s) on lot %s, accepted at capture and no longer covered, stay booked in full %s",
			name, cl.Period, Figure(own+others), Figure(own), Figure(others), strings.Join(lots, ", "), tail)
	case period != cl.Period:
		clause = fmt.Sprintf("; the %s balance closes the claim's period %s in deficit by %s t (that period's statement closing); the deficit carries forward, and the %s balance is still in deficit by %s t at the close of period %s",
			name, cl.Period, Figure(cl.closedDeficit), name, Figure(own+others), period)
		if len(lots) > 0 {
			clause += fmt.Sprintf(": this claim's own shortfall %s t and %s t of the claim(s) on lot %s, accepted at capture and no longer covered, stay booked in full %s", Figure(own), Figure(others), strings.Join(lots, ", "), tail)
		} else {
			clause += fmt.Sprintf(", all of it this claim's own shortfall, booked in full %s", tail)
		}
	}
	return msg[:i] + clause + msg[j:]
}

// percentages are each origin's share of the qualifying input over the
// rolling window: the current period and CarryForward before it.
func (a *account) percentages(back int) map[string]float64 {
	sum := map[string]float64{}
	var total float64
	for k := len(a.window) - 1; k >= 0 && k >= len(a.window)-1-back; k-- {
		for c, t := range a.window[k] {
			sum[c] += t
			total += t
		}
	}
	out := map[string]float64{}
	for c, t := range sum {
		if total > 0 {
			out[c] = t / total
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runLinks are the lots the live events of a run state as inputs and as
// outputs (linkedWithoutDropped).
type runLinks struct{ in, out map[string]bool }

// linkedWithoutDropped returns, by transformationID, for each run of
// which the document being captured declares an event in error (mc.drop),
// the lots its other live events state as inputs and outputs. A stored
// edge of such a run stands only between an input and an output both
// still stated: the store links an event's input to the run's outputs
// stated by other events (ledger.RunLinks: Replay and Carried edges, on
// the other event's ID), and a declaration in error unlinks them with
// the event, so the document's account is read as the store will hold
// it (EPCIS 2.0 §7.4.1.2, §7.4.6). Before fix9aj, declaring in error the
// input-only event of a split run beside a claim on its output left the
// input linked in the document's replay. Nil outside a capture, or for a
// store that cannot give a run's lines.
func (mc *mbCalc) linkedWithoutDropped() (map[string]runLinks, error) {
	if mc.linkedDone {
		return mc.linked, nil
	}
	out, err := mc.linkRuns()
	if err == nil {
		mc.linked, mc.linkedDone = out, true
	}
	return out, err
}

// linkRuns computes linkedWithoutDropped.
func (mc *mbCalc) linkRuns() (map[string]runLinks, error) {
	docs, err := mc.droppedEvents()
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	var xids []string
	for _, ev := range docs {
		if ev.Type == critmin.TransformationEvent && ev.TransformationID != "" && !slices.Contains(xids, ev.TransformationID) {
			xids = append(xids, ev.TransformationID)
		}
	}
	f, ok := mc.s.(runLinesFinder)
	if !ok || len(xids) == 0 {
		return nil, nil
	}
	lines, err := f.RunLines(mc.ctx, xids)
	if err != nil {
		return nil, err
	}
	out := map[string]runLinks{}
	for _, x := range xids {
		l := runLinks{in: map[string]bool{}, out: map[string]bool{}}
		for _, rl := range lines[x] {
			if mc.drop[rl.EventID] {
				continue
			}
			if rl.Role == critmin.RoleInput {
				l.in[epcis.Canonical(rl.Lot)] = true
			} else {
				l.out[epcis.Canonical(rl.Lot)] = true
			}
		}
		out[x] = l
	}
	return out, nil
}

func distinctChildren(edges []critmin.LotEdge) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range edges {
		if !seen[e.Child] {
			seen[e.Child] = true
			out = append(out, e.Child)
		}
	}
	return out
}

// madeAt is when the run produced lot: the earliest of its events that
// links an input to it, else the run's first event.
func (r ledgerRun) madeAt(lot string) time.Time {
	at := time.Time{}
	for _, e := range r.edges {
		if e.Child == lot && (at.IsZero() || e.EventTime.Before(at)) {
			at = e.EventTime
		}
	}
	if at.IsZero() || at.Before(r.at) {
		return r.at
	}
	return at
}

// maker is the event of the run that first put lot out, and its time
// (madeAt's edge); the run's first event when no edge names the lot.
func (r ledgerRun) maker(lot string) (string, time.Time) {
	ev, at := "", time.Time{}
	for _, e := range r.edges {
		if e.Child == lot && (at.IsZero() || e.EventTime.Before(at)) {
			ev, at = e.EventID, e.EventTime
		}
	}
	if ev == "" {
		return r.event, r.at
	}
	return ev, at
}

// children are the run's outputs: the children of its edges and the
// outputs its events name, each once, in order.
func (r ledgerRun) children() []string {
	out := distinctChildren(r.edges)
	seen := map[string]bool{}
	for _, c := range out {
		seen[c] = true
	}
	for _, c := range r.outputs {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// waitGapClaims puts on mc.waiting the claims on lots made by the site's
// runs before periods[i] and after the period before it (before the
// first declared period, or in a span between two that no period
// declares) that are made at or after periods[i]'s start: ISO 22095-2
// books a claim in the period in which it is made (docs/origin.md), so a
// claim dated 2026-12-04 on a lot made 2026-11-15 is judged on
// December's balance even where no period holds November (fix9ay; it was
// refused as if no period held the claim). Such a run's credits earn
// nothing — the account holds only what its declared periods do — and a
// claim made in the span itself stays unbooked: refused, naming its date
// and the periods declared (noPeriodWords).
func (mc *mbCalc) waitGapClaims(periods []critmin.ClaimPeriod, i int) error {
	from, _ := periodSpan(periods[i])
	var start time.Time
	if i > 0 {
		_, start = periodSpan(periods[i-1])
	}
	if !start.Before(from) {
		return nil
	}
	gap, err := mc.runs(start, from)
	if err != nil {
		return err
	}
	for _, r := range gap {
		var lots []*critmin.Lot
		for _, out := range r.children() {
			if l := mc.oc.lots[out]; l != nil && l.OriginClaim != nil {
				lots = append(lots, l)
			}
		}
		ces, err := mc.claimEvents(lots, r)
		if err != nil {
			return err
		}
		for j, l := range lots {
			if !ces[j].At.Before(from) {
				mc.waiting = append(mc.waiting, &pendingClaim{lot: l, run: r, ce: ces[j], made: r.madeAt(l.ID)})
			}
		}
	}
	return nil
}

// runs reads the site's transformations in [from, to), grouped by run
// (transformationID, EPCIS 2.0 §7.4.6; else event) in order of each run's
// first event, with every lot they name loaded. A run's credits and
// claims count once, however many events it is split over; a run counts
// in the period of its first event.
func (mc *mbCalc) runs(from, to time.Time) ([]ledgerRun, error) {
	edges, err := mc.s.EdgesAt(mc.ctx, mc.d.Site, from, to)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*ledgerRun{}
	stored := map[string]bool{}
	var out []*ledgerRun
	var ids []string
	linked, err := mc.linkedWithoutDropped()
	if err != nil {
		return nil, err
	}
	for _, e := range edges {
		if mc.drop[e.EventID] {
			continue // declared in error by the document being captured
		}
		if l, ok := linked[e.Run]; ok && (!l.in[epcis.Canonical(e.Parent)] || !l.out[epcis.Canonical(e.Child)]) {
			// A link the store made to a line of an event the document
			// declares in error (an input-only event of a split run, say):
			// the store drops it with the event (fix9aj).
			continue
		}
		if mc.skip[e.EventID] {
			// A run event an explaining replay leaves out (replayWithout):
			// it is not counted as stored, so that outputOnlyRuns leaves
			// it out too.
			continue
		}
		stored[e.EventID] = true
		r := byKey[e.RunKey()]
		if r == nil {
			// event and at are settled once every edge is in (settleFirst).
			r = &ledgerRun{key: e.RunKey(), event: e.EventID, at: e.EventTime}
			byKey[r.key] = r
			out = append(out, r)
		}
		r.edges = append(r.edges, e)
		ids = append(ids, e.Parent, e.Child)
	}
	// The outputs of live events of a run that has no input (none stated,
	// or its input-only events declared in error): no edge names them,
	// but the site made them, so their claims are judged by the account
	// (and refused for want of credits) rather than left out of it.
	extra, err := mc.outputOnlyRuns(from, to, stored)
	if err != nil {
		return nil, err
	}
	for _, x := range extra {
		if r := byKey[x.key]; r != nil {
			r.outputs = append(r.outputs, x.outputs...)
			continue
		}
		cp := x
		byKey[cp.key] = &cp
		out = append(out, &cp)
		ids = append(ids, x.outputs...)
	}
	if err := mc.oc.loadLots(ids); err != nil {
		return nil, err
	}
	// Events sharing a transformationID are grouped into one run above
	// (EPCIS 2.0 §7.4.6), so each input of a run is credited once, however
	// many events carry the run's outputs (credits dedup by parent).
	for i := range mc.pending {
		p := mc.pending[i]
		if stored[p.event] || p.at.Before(from) || !p.at.Before(to) {
			continue // stored already (a duplicate capture) or another period
		}
		var pids []string
		for _, e := range p.edges {
			pids = append(pids, e.Parent, e.Child)
		}
		if err := mc.oc.loadLots(pids); err != nil {
			return nil, err
		}
		if r := byKey[p.key]; r != nil && p.key != "" {
			// Another event of a stored or pending run: the document's
			// event joins it, its inputs parents of the run's outputs.
			if p.joined {
				r.edges = append(r.edges, p.edges...)
			} else {
				r.edges = append(r.edges, joinEdges(r.edges, p)...)
			}
			r.outputs = append(r.outputs, p.outputs...)
			continue
		}
		cp := p
		if cp.key == "" {
			cp.key = cp.event
		}
		byKey[cp.key] = &cp
		out = append(out, &cp)
	}
	// Each run's event and time are its first event's, whatever the order
	// the store returned its edges in and whether its events are stored or
	// being captured (firstEdge).
	for _, r := range out {
		r.settleFirst()
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].event < out[j].event
	})
	if err := mc.markEarlierInputs(out, from); err != nil {
		return nil, err
	}
	res := make([]ledgerRun, len(out))
	for i, r := range out {
		res[i] = *r
	}
	return res, nil
}

// outputOnlyRuns are the site's live TransformationEvents in [from, to)
// under a transformationID that carry no genealogy edge (stored names
// those that do), as runs with outputs and no edges; none for a store
// that cannot query events.
func (mc *mbCalc) outputOnlyRuns(from, to time.Time, stored map[string]bool) ([]ledgerRun, error) {
	f, ok := mc.s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, BizLocations: []string{mc.d.Site}, GEEventTime: &from, LTEventTime: &to, Limit: 1000}
	var out []ledgerRun
	for {
		page, err := f.FindEvents(mc.ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			if ev.ErrorDeclaration != nil || ev.DeclaredInError != nil || ev.TransformationID == "" || stored[ev.EventID] || mc.drop[ev.EventID] || mc.skip[ev.EventID] {
				continue
			}
			body, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return nil, err
			}
			r := runOfEvent(body, mc.d.Site)
			if len(r.outputs) == 0 || len(r.edges) > 0 {
				continue
			}
			out = append(out, r)
		}
		if page.Next == nil {
			return out, nil
		}
		filter.After = page.Next
	}
}

// markEarlierInputs sets each run's edges dated before from
// (ledgerRun.before; the same transformationID, EPCIS 2.0 §7.4.6): what
// they consumed earned its credits in its own period (consumedByEvent). A run split over two claim periods — X1 in October
// consuming A, X2 in November outputting L1 — links A to L1 with X2's
// date; without this A earned its credits in October and again in
// November.
func (mc *mbCalc) markEarlierInputs(runs []*ledgerRun, from time.Time) error {
	var parents []string
	seen := map[string]bool{}
	for _, r := range runs {
		if !strings.HasPrefix(r.key, "xid:") {
			continue
		}
		for _, e := range r.edges {
			if !seen[e.Parent] {
				seen[e.Parent] = true
				parents = append(parents, e.Parent)
			}
		}
	}
	if len(parents) == 0 {
		return nil
	}
	edges, err := mc.s.LotEdges(mc.ctx, parents, false)
	if err != nil {
		return err
	}
	// A document being captured may tell both events: its runs' edges
	// count as the store will keep them.
	for _, p := range mc.pending {
		edges = append(edges, p.edges...)
	}
	before := map[string][]critmin.LotEdge{}
	for _, e := range edges {
		if e.Kind != ledger.LinkTransformation || !e.EventTime.Before(from) || mc.drop[e.EventID] {
			continue
		}
		if !mc.skip[e.EventID] {
			before[e.RunKey()] = append(before[e.RunKey()], e)
		}
	}
	for _, r := range runs {
		r.before = before[r.key]
	}
	return nil
}

// runCredits are one run's credits in one category, by origin, event and input lot,
// and the conversion factor they were earned at.
type runCredits struct {
	byC map[[3]string]float64 // by origin, event and input lot: Σ of byEl over the category's elements
	// byEl is, by element of the category, the credits of each origin,
	// event and input lot in that element (contained element × factor):
	// the product bound cuts each element by its own factor, so the
	// origin split of an element follows that element's feeds
	// (productBound).
	byEl map[string]map[[3]string]float64
	// input is the run's qualifying input by origin: contained
	// qualifying element consumed (capped at what each lot contains:
	// creditCap), before the conversion factor and the product bound —
	// the rolling-average percentage's basis (ISO 22095:2020 rolling
	// average: an origin's share of the qualifying input over the
	// period, fix9p).
	input  map[string]float64
	factor float64
	source string
	// at is, by event, the time of the run's edges from that event: a
	// credit entry is dated at the event that consumed its input (fix9u).
	at map[string]time.Time
	// notes say, by the same key, why a credit is less than the run's
	// consumption would give (creditCap, productBound).
	notes map[[3]string]string
}

// creditFactor is the conversion factor of a category's credits earned by
// a run at time at: the factor the conversion source gives for the
// calendar month holding at (the refinery closes months: AMIRA P754; the
// claim period itself where it is that month), else the declared factor.
// A claim period longer than a month so takes each closed month's
// reconciled recovery for the runs in it, and the declared factor for
// runs in months not closed (issue 12).
func (mc *mbCalc) creditFactor(a *account, p critmin.ClaimPeriod, at time.Time) (float64, string, error) {
	m := time.Date(at.UTC().Year(), at.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	month := critmin.ClaimPeriod{ID: m.Format("2006-01"), From: m.Format(time.DateOnly), To: m.AddDate(0, 1, 0).Format(time.DateOnly)}
	if p.From == month.From && p.To == month.To {
		return a.factor, a.source, nil // the period is that month
	}
	k := [2]string{a.cat.ID, month.ID}
	if x, ok := mc.monthly[k]; ok {
		return x.f, x.src, nil
	}
	f, src, ok, err := mc.conv.ConversionFactor(mc.ctx, mc.d.Site, a.cat, month)
	if err != nil {
		return 0, "", err
	}
	if !ok || !(f > 0 && f <= 1) {
		f, src = a.cat.ConversionFactor, "declared"
	}
	if mc.monthly == nil {
		mc.monthly = map[[2]string]runFactor{}
	}
	mc.monthly[k] = runFactor{f, src}
	return f, src, nil
}

// credits of one run in claim period p: for each distinct input whose
// commodity is an input of a category, contained qualifying element (dry
// tonnes × the grade of what the run took: the parts it took at their own
// assays, ledger.RunInputScopes via partTakenComp) by its physical origin, × the category's conversion
// factor in the month the run ran (creditFactor). A container fed to the
// run (an SSCC in inputEPCList) is the lots it held when the run read it
// (originCalc.contents): each earns credits like a lot named directly,
// by its commodity, the dry tonnes of it inside and its grade.
func (mc *mbCalc) credits(r ledgerRun, p critmin.ClaimPeriod) (map[string]*runCredits, error) {
	out := map[string]*runCredits{}
	// A container's contents as each edge's event read them, before the
	// run's input masses are weighed (runInputMass).
	for _, e := range r.edges {
		if in := mc.oc.lots[e.Parent]; in != nil && in.OriginCountry == "" && in.Commodity == "" {
			if _, err := mc.oc.upstreamAt(e.Parent, e.EventTime); err != nil {
				return nil, err
			}
		}
	}
	// Each event that consumed an input is its own credit, named by the
	// event and dated at it (fix9u): what it consumed beyond the run's
	// earlier events, those of earlier periods included, which earned
	// their credits then (an input is linked to the run's outputs only
	// from the event that lists it on).
	cons, err := mc.consumedByEvent(r)
	if err != nil {
		return nil, err
	}
	for _, cu := range cons {
		ev := cu.edge
		in := mc.oc.lots[ev.Parent]
		if in == nil || UnmadeIn(mc.gone, in.ID) != nil {
			continue
		}
		type feed struct {
			lot  *critmin.Lot
			c    *comp // nil: computed when the lot earns credits
			mass float64
		}
		// What the lot held for this run (overConsumption): a run that
		// took more than was left of it earns on what was left, as its
		// element balance and its outputs' origin count it.
		if err := mc.oc.overConsumption(in.ID); err != nil {
			return nil, err
		}
		run := ev.RunKey()
		overNote := mc.oc.overNotes[[2]string{in.ID, run}]
		feeds := []feed{{lot: in, mass: cu.mass}}
		if overNote != "" {
			// Beyond the consumption tolerance; within it creditCap
			// counts the same figure and says so.
			feeds[0].mass *= mc.oc.heldFraction(in.ID, run)
		}
		if c := mc.oc.edgeComp(ev); c != nil && len(c.parts) > 0 && c.contentT > 0 {
			feeds = feeds[:0]
			for _, pt := range c.parts {
				l := mc.oc.lots[pt.id]
				if l == nil || UnmadeIn(mc.gone, l.ID) != nil {
					continue
				}
				feeds = append(feeds, feed{lot: l, c: pt.c, mass: pt.mass * cu.mass / c.contentT})
			}
		}
		for id, a := range mc.acc {
			if !mc.active[id] {
				continue
			}
			// A category input earns credit only in a run that makes
			// the category's product: the conversion factor is the
			// ratio of product to input of that process (ISO 22095).
			if ok, err := mc.makesProduct(r.key, a.cat); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
			for _, f := range feeds {
				if !inputOfCategory(a.cat, f.lot.Commodity) {
					continue
				}
				// Qualifying material earns credit once, where it enters
				// the site's account: an intermediate the site made from
				// its own qualifying inputs is not credited again when it
				// is fed to a later run (ISO 22095:2020 §11: inputs to
				// the system, not material recirculating within it).
				if re, err := mc.recirculated(f.lot.ID, a.cat, r.at); err != nil {
					return nil, err
				} else if re {
					continue
				}
				// An input that left another mass-balance site's account
				// earns credit only for the claim that account allocated
				// to it (mbattr).
				al, err := mc.allocatedAt(f.lot.ID, ev.EventTime)
				if err != nil {
					return nil, err
				}
				c := f.c
				if c == nil {
					var err error
					if c, err = mc.oc.upstreamOf(f.lot.ID); err != nil {
						return nil, err
					}
					// At the grade of what the run took (partTakenComp,
					// ledger.RunInputScopes): a part received at the site
					// and assayed there, never the lot's blended grade
					// (issue 9, fix9y; docs/origin.md "An assay is of what
					// stood where it was taken"), as the run's element
					// balance reads it.
					c = partTakenComp(f.lot, ev, c)
				}
				mass, note := mc.creditCap(id, a.cat, f.lot, f.mass)
				if f.lot == in {
					note = joinNotes(overNote, note)
				}
				if al != nil {
					note = joinNotes(allocatedNote(f.lot, al), note)
				}
				for _, el := range a.cat.Elements {
					// The lot's capped figure, as its origin reads it.
					g, ok := c.grade(el, f.lot.DryTonnes)
					if !ok {
						continue
					}
					shares := c.elem[el][dimCountry]
					if al != nil {
						// Each physical origin at 0 (so the statement
						// shows the reason on its line), and a lot made
						// there carries its accepted claimed shares.
						alloc := map[string]float64{}
						for k := range shares {
							alloc[k] = 0
						}
						if al.direct {
							for k, sh := range f.lot.OriginClaim {
								alloc[k] += sh
							}
						}
						shares = alloc
					}
					for k, sh := range shares {
						if out[id] == nil {
							cf, src, err := mc.creditFactor(a, p, r.at)
							if err != nil {
								return nil, err
							}
							out[id] = &runCredits{byC: map[[3]string]float64{}, byEl: map[string]map[[3]string]float64{}, factor: cf, source: src, at: map[string]time.Time{}}
						}
						key := [3]string{k, ev.EventID, f.lot.ID}
						if t, ok := out[id].at[ev.EventID]; !ok || ev.EventTime.Before(t) {
							out[id].at[ev.EventID] = ev.EventTime
						}
						v := mass * g * sh * out[id].factor
						out[id].byC[key] += v
						if out[id].byEl[el] == nil {
							out[id].byEl[el] = map[[3]string]float64{}
						}
						out[id].byEl[el][key] += v
						if out[id].input == nil {
							out[id].input = map[string]float64{}
						}
						out[id].input[k] += mass * g * sh
						if note != "" {
							if out[id].notes == nil {
								out[id].notes = map[[3]string]string{}
							}
							out[id].notes[key] = note
						}
					}
				}
			}
		}
	}
	for _, id := range sortedKeys(out) {
		if err := mc.productBound(r, id, mc.acc[id].cat, out[id]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attrAlloc is where a lot fed to a run at this site had its physical
// origin attributed already (allocatedAt): the mass-balance site, the lot
// its run there made and the run's event; direct when that lot is the fed
// lot itself.
type attrAlloc struct {
	site, lot, event string
	direct           bool
}

// allocatedAt finds whether lot id, fed to a run at this site at time at,
// left another mass-balance site's account (mbattr): it, or a lot it was
// made from, is the output of a run at another site whose declaration
// credits that run — a category of the site lists the run's input's
// commodity as an input and its output's as the product. That site's
// account took the physical origin's attribute (ISO 22095:2020 mass
// balance: a characteristic is attributed once; what leaves a
// mass-balance system carries only what its account allocated to it by
// a claim). The nearest such run is returned; nil when there is none.
func (mc *mbCalc) allocatedAt(id string, at time.Time) (*attrAlloc, error) {
	here := siteKey(mc.d.Site)
	seen := map[string]bool{id: true}
	frontier := []string{id}
	for depth := 0; depth < MaxDepth && len(frontier) > 0 && len(seen) <= MaxNodes; depth++ {
		edges, err := mc.makersOf(frontier)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, e := range edges {
			if e.Kind == ledger.LinkTransformation && !e.EventTime.After(at) {
				if t := siteKey(e.BizLocation); t != "" && t != here {
					ok, err := mc.creditedRun(e)
					if err != nil {
						return nil, err
					}
					if ok {
						return &attrAlloc{site: t, lot: e.Child, event: e.EventID, direct: e.Child == id}, nil
					}
				}
			}
			if !seen[e.Parent] {
				seen[e.Parent] = true
				next = append(next, e.Parent)
			}
		}
		frontier = next
	}
	return nil, nil
}

// creditedRun reports whether transformation edge e, at another site, is
// of a run that site's mass-balance account credits: the site runs the
// mass-balance model (where its master data is known) and one of its
// declarations has a category with e's input commodity among its inputs
// and e's output commodity as its product (makesProduct, credits).
func (mc *mbCalc) creditedRun(e critmin.LotEdge) (bool, error) {
	t := siteKey(e.BizLocation)
	if st := mc.oc.sites[t]; st != nil && st.CustodyModel != MassBalance {
		return false, nil
	}
	if mc.mbDecl == nil {
		mc.mbDecl = map[string][]*critmin.MassBalanceDeclaration{}
	}
	vs, ok := mc.mbDecl[t]
	if !ok {
		var err error
		if vs, err = mc.s.MassBalanceVersions(mc.ctx, t); err != nil {
			return false, err
		}
		mc.mbDecl[t] = vs
	}
	if len(vs) == 0 {
		return false, nil
	}
	if err := mc.oc.loadLots([]string{e.Parent, e.Child}); err != nil {
		return false, err
	}
	in, out := mc.oc.lots[e.Parent], mc.oc.lots[e.Child]
	if in == nil || out == nil {
		return false, nil
	}
	for _, v := range vs {
		for _, c := range v.Categories {
			if inputOfCategory(c, in.Commodity) && ledger.CanonicalCommodity(c.Product) == ledger.CanonicalCommodity(out.Commodity) {
				return true, nil
			}
		}
	}
	return false, nil
}

// allocatedNote is the statement's reason for the credit of a lot whose
// physical origin another mass-balance site's account took (mbattr).
func allocatedNote(f *critmin.Lot, al *attrAlloc) string {
	if al.direct && len(f.OriginClaim) > 0 {
		return fmt.Sprintf("attribute allocated at site %s: lot %s, made there by event %s, carries only its accepted claim (%s), credited at its claimed share × contained element; its physical origin earned its credit in that site's account (ISO 22095:2020 mass balance: a characteristic is attributed once)", al.site, f.ID, al.event, claimWords(f.OriginClaim))
	}
	if al.direct {
		return fmt.Sprintf("attribute allocated at site %s: lot %s, made there by event %s without a claim, carries no origin credit — its physical origin earned its credit in that site's account (ISO 22095:2020 mass balance: a characteristic is attributed once)", al.site, f.ID, al.event)
	}
	return fmt.Sprintf("attribute allocated at site %s: lot %s is made from lot %s, output of that site's event %s, whose physical origin earned its credit in that site's account, so it carries no origin credit (ISO 22095:2020 mass balance: a characteristic is attributed once)", al.site, f.ID, al.lot, al.event)
}

// claimWords words a lot's claimed shares: "Pakistan 100 %".
func claimWords(m map[string]float64) string {
	var w []string
	for _, c := range sortedKeys(m) {
		w = append(w, country.Name(c)+" "+Percent(m[c]))
	}
	return strings.Join(w, ", ")
}

// creditCap is the dry tonnes of lot l a run that consumed mass of it
// earns credits on in category cat, and a note when that is less: credits
// in from one lot, summed over every run that consumes it, never exceed
// the qualifying element it contains × the conversion factor (ISO
// 22095-2 counts the qualifying characteristic of the input; a lot cannot
// be credited with more than it holds). Runs may consume up to
// ConsumptionTolerance (0.5 %) beyond a lot's mass — a weighbridge's
// error, accepted so that a lot fed in parts is not refused for it — but
// that allowance is no metal: 20 t at 5 % Nd+Pr, factor 0.9, consumed
// as 10 t and 10.1 t earns 0.45 + 0.45 = 0.9 t, not 0.9045 t. A lot
// whose dry mass is not known is not capped.
func (mc *mbCalc) creditCap(catID string, cat critmin.MaterialCategory, l *critmin.Lot, mass float64) (float64, string) {
	if l.DryTonnes <= 0 || mass <= 0 {
		return mass, ""
	}
	if mc.creditedDry == nil {
		mc.creditedDry = map[[2]string]float64{}
	}
	k := [2]string{catID, l.ID}
	before := mc.creditedDry[k]
	left := max(0, l.DryTonnes-before)
	if mass <= left+massTolerance {
		mc.creditedDry[k] = before + mass
		return mass, ""
	}
	mc.creditedDry[k] = before + left
	earlier := ""
	if before > 0 {
		earlier = fmt.Sprintf(", %s dmt of it already credited to earlier runs", Figure(before))
	}
	return left, fmt.Sprintf("capped at what lot %s contains: the run consumed %s dmt of a lot of %s dmt%s, so credits in count %s dmt × grade × factor — credits in from a lot never exceed its contained %s × the conversion factor (runs may consume up to %s %% beyond a lot's mass, a weighing tolerance, not metal)",
		l.ID, Figure(mass), Figure(l.DryTonnes), earlier, Figure(left), strings.Join(cat.Elements, "+"), units.Fixed(ConsumptionTolerance*100, 1))
}

// makesProduct reports whether the site's run key (a transformationID,
// all its events over every period, or one event) has an output of cat's
// product commodity. Only such a run earns credit on its category inputs
// (ISO 22095 mass balance: the conversion factor is the ratio of product
// to input of the process that makes the product); a run that only
// re-runs concentrate or makes a residue earns nothing, and its output
// earns its credit when fed to a run that makes the product, if the
// category lists its commodity as an input. Runs of the document being
// captured count as the store will keep them; events declared in error
// do not count.
func (mc *mbCalc) makesProduct(key string, cat critmin.MaterialCategory) (bool, error) {
	if err := mc.loadRunMade(); err != nil {
		return false, err
	}
	return mc.runMade[key][cat.Product], nil
}

// loadRunMade fills runMade and runOuts from every live run at the site
// over all time, the document being captured included.
func (mc *mbCalc) loadRunMade() error {
	if mc.runMade != nil {
		return nil
	}
	runs, err := mc.runs(time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	mc.runMade = map[string]map[string]bool{}
	mc.runOuts = map[string][]runOutput{}
	mc.runEdges = map[string][]critmin.LotEdge{}
	for _, r := range runs {
		mc.runEdges[r.key] = append(mc.runEdges[r.key], r.edges...)
		m := mc.runMade[r.key]
		if m == nil {
			m = map[string]bool{}
			mc.runMade[r.key] = m
		}
		for _, c := range r.children() {
			l := mc.oc.lots[c]
			if l == nil {
				continue
			}
			if l.Commodity != "" {
				m[l.Commodity] = true
			}
			// What every event of the run produced of it, as the run made
			// it (runmade.go): a run's output named by several of its
			// events adds up (fix9f), at the moisture the run stated (fix9h).
			dry := mc.asMadeDry(r, c, l)
			if !slices.ContainsFunc(mc.runOuts[r.key], func(o runOutput) bool { return o.lot == c }) {
				mc.runOuts[r.key] = append(mc.runOuts[r.key], runOutput{lot: c, dry: dry})
			}
		}
	}
	return nil
}

// productBound bounds the credits rc that run r earns in category catID
// by what the run's outputs of the category's product contain, element
// by element (ISO 22095-2 mass balance: credits in are the qualifying
// characteristic × the conversion factor, and a run cannot credit more
// of an element than its products hold of it): 10 t of concentrate at
// Nd 4 % + Pr 1 %, factor 0.9, turned into 1 kg of oxide at Nd 60 % + Pr
// 20 % credits Nd min(0.36, 0.0006) + Pr min(0.09, 0.0002) = 0.0008 t,
// not 0.45 t.
//
// For each element el of the category, the bound is B_el = the products'
// content of el — Σ over the run's outputs of the product commodity,
// over every event of the run (transformationID, EPCIS 2.0 §7.4.6), of
// dry tonnes produced × the output's own dry grade of el (GradesOf:
// assayed figures, as element accounting reads them) — capped at what
// the run's inputs held of el (runInputCaps: the run's own element
// balance over its stored edges and, at capture, the document's alike —
// a gain never earns credit, fix9m, fix9aa); outputs of another
// commodity (residue, tailings) count nothing. The run's credits in el
// are C_el = Σ over its feeds of contained el × factor; less the credits
// in el the run earned in earlier periods (E_el: a run split over
// periods counts together against the bound), the credits kept are
// min(C_el, max(0, B_el − E_el)), so each credit line's share in el is
// scaled by f_el = min(1, max(0, B_el − E_el) ÷ C_el) and an origin's
// credit is Σ over elements of its credit in el × f_el. One element's
// loss so never cuts another element's credit, and the origin split
// within an element follows that element's feeds (issue 9, fix9ad):
// Pakistani feed carrying the Nd and Chinese feed the Pr, into a product
// holding all the Nd but a part of the Pr, keeps the Pakistani Nd credit
// whole and cuts the Chinese Pr credit alone. (Before fix9ad one factor
// Σ B ÷ Σ C scaled every credit of the run.) An output without its own
// assay of an element counts none of it, so a run whose products are not
// assayed earns no credit until they are (a product without an assay is
// "grade not measured", docs/origin.md): the statement is computed from
// the record, so a later assay of the product gives the credit on the
// next read. Each credit line with a share in an element cut carries a
// note naming, per element, what the products hold, what inputs × factor
// would credit and what was kept.
func (mc *mbCalc) productBound(r ledgerRun, catID string, cat critmin.MaterialCategory, rc *runCredits) error {
	if err := mc.loadRunMade(); err != nil {
		return err
	}
	credit := map[string]float64{} // C_el
	total := 0.0
	for _, el := range cat.Elements {
		for _, t := range rc.byEl[el] {
			credit[el] += t
			total += t
		}
	}
	if total <= 0 {
		return nil
	}
	var dry float64
	var lots, unassayed []string
	prod := map[string]float64{}
	for _, o := range mc.runOuts[r.key] {
		l := mc.oc.lots[o.lot]
		if l == nil || l.Commodity != cat.Product {
			continue
		}
		lots = append(lots, o.lot)
		dry += o.dry
		g := GradesOf(l)
		var missing []string
		for _, el := range cat.Elements {
			if v, ok := g[el]; ok {
				prod[el] += o.dry * v
			} else {
				missing = append(missing, el)
			}
		}
		if len(missing) > 0 {
			unassayed = append(unassayed, fmt.Sprintf("%s lot %s has no assay of %s", cat.Product, o.lot, strings.Join(missing, ", ")))
		}
	}
	// Each element capped at what the run's inputs held of it (fix9m: a
	// gain earns no credit; fix9aa: per element, whatever the tolerance,
	// and at capture as when stored).
	caps, err := mc.runInputCaps(r)
	if err != nil {
		return err
	}
	bound := map[string]float64{} // B_el
	var held float64
	var holds, capped, noise []string
	for _, el := range cat.Elements {
		t := prod[el]
		if c, ok := caps[el]; ok && t > c.in {
			// Worded by the run's own gain test (gained, its tolerance):
			// an element_gain; a figure above the inputs within the
			// tolerance is measurement noise, counted as the inputs all
			// the same (fix9aa); within rounding, nothing to say (fixQj).
			switch {
			case gained(t, c.in, c.tol):
				capped = append(capped, fmt.Sprintf("%s %s t counted as %s t", el, Figure(t), Figure(c.in)))
			case t > c.in+massTolerance:
				noise = append(noise, fmt.Sprintf("%s %s t counted as %s t", el, Figure(t), Figure(c.in)))
			}
			t = c.in
		}
		bound[el] = t
		held += t
		holds = append(holds, fmt.Sprintf("%s %s t", el, Figure(t)))
	}
	if mc.runCredited == nil {
		mc.runCredited = map[[3]string]float64{}
	}
	scale := map[string]float64{} // f_el of the elements cut
	var cuts, kept, earlier, would []string
	for _, el := range cat.Elements {
		c := credit[el]
		if c <= 0 {
			continue
		}
		would = append(would, fmt.Sprintf("%s %s t", el, Figure(c)))
		k := [3]string{catID, r.key, el}
		before := mc.runCredited[k]
		left := max(0, bound[el]-before)
		if before > 0 {
			earlier = append(earlier, fmt.Sprintf("%s %s t", el, Figure(before)))
		}
		if c <= left+massTolerance {
			mc.runCredited[k] = before + c
			kept = append(kept, fmt.Sprintf("%s %s t kept", el, Figure(c)))
			continue
		}
		mc.runCredited[k] = before + left
		scale[el] = left / c
		cuts = append(cuts, fmt.Sprintf("%s %s t cut to %s t", el, Figure(c), Figure(left)))
	}
	if len(scale) == 0 {
		return nil
	}
	els := strings.Join(cat.Elements, "+")
	run := runWords(r.xid(), r.event, r.at.UTC().Format("2006-01-02"))
	wouldS := fmt.Sprintf("inputs × factor %g would credit %s t (%s)", rc.factor, Figure(total), strings.Join(would, ", "))
	var note string
	switch {
	case held <= 0 && len(unassayed) > 0:
		note = fmt.Sprintf("no credit from %s until its products are assayed: %s (grade not measured, counted as holding none); %s", run, strings.Join(unassayed, "; "), wouldS)
	case len(lots) == 0:
		note = fmt.Sprintf("no credit from %s: it made no %s lot, so its products hold no %s; %s", run, cat.Product, els, wouldS)
	default:
		note = fmt.Sprintf("bounded by what %s's products contain, element by element: %s in %s t of %s (lot %s)", run, strings.Join(holds, ", "), Figure(dry), cat.Product, strings.Join(lots, ", "))
		if len(capped) > 0 {
			note += ", capped at what its inputs held (element_gain: " + strings.Join(capped, "; ") + "; a gain earns no credit)"
		}
		if len(noise) > 0 {
			note += fmt.Sprintf(", capped at what its inputs held (%s: more than its inputs held but within the run's %s %% tolerance — measurement noise, not metal, so no credit)", strings.Join(noise, "; "), units.Fixed(tolOf(caps)*100, 2))
		}
		if len(unassayed) > 0 {
			note += "; " + strings.Join(unassayed, "; ") + " (not counted until assayed)"
		}
		if len(earlier) > 0 {
			note += "; credited already in an earlier period: " + strings.Join(earlier, ", ")
		}
		note += "; " + strings.Join(append(cuts, kept...), ", ") + "; " + wouldS
	}
	if rc.notes == nil {
		rc.notes = map[[3]string]string{}
	}
	for key := range rc.byC {
		sum, cut := 0.0, false
		for _, el := range cat.Elements {
			t := rc.byEl[el][key]
			if f, ok := scale[el]; ok && t > 0 {
				t *= f
				rc.byEl[el][key] = t
				cut = true
			}
			sum += t
		}
		if !cut {
			continue
		}
		rc.byC[key] = sum
		rc.notes[key] = joinNotes(rc.notes[key], note)
	}
	return nil
}

// runInputCaps is, per element, what run r's inputs held of it, where
// every input's grade of it is measured: the products' figure of an
// element counts no more than this in the credit bound (productBound), so
// each element's bound is min(products, inputs) — PK 10 t at Nd 4 % + Pr
// 1 % into 1 t of oxide at Nd 30 % + Pr 30 % bounds the Nd credits at
// min(0.3, 0.4) = 0.3 t and the Pr credits at min(0.3, 0.1) = 0.1 t
// (fix9m: a gain is never counted as credit in; fix9aa: one rule however
// the run reaches the account; fix9ad: per element). The balance is the run's element balance (runBalance,
// the same weighing the physical origin reads: parts at their own
// grades, over-consumption, containers as read) over every live edge of
// the run over all time (runEdges): its stored events and, at capture,
// the document's — so a claim made in the run's own TransformationEvent
// is checked against the bound a later ObjectEvent claim, the statement,
// the claim check and the retraction replay read. Elements whose input
// grade is not measured are absent (not capped).
func (mc *mbCalc) runInputCaps(r ledgerRun) (map[string]inputCap, error) {
	if err := mc.loadRunMade(); err != nil {
		return nil, err
	}
	edges := mc.runEdges[r.key]
	if len(edges) == 0 {
		return map[string]inputCap{}, nil
	}
	var ids []string
	for _, e := range edges {
		ids = append(ids, e.Parent, e.Child)
	}
	if err := mc.oc.loadLots(ids); err != nil {
		return nil, err
	}
	for _, e := range edges {
		if mc.oc.edgeComp(e) == nil {
			if in := mc.oc.lots[e.Parent]; in != nil && in.OriginCountry == "" && in.Commodity == "" {
				// A container as the run read it (computeAt).
				if _, err := mc.oc.upstreamAt(e.Parent, e.EventTime); err != nil {
					return nil, err
				}
			}
		}
		if err := mc.oc.overConsumption(e.Parent); err != nil {
			return nil, err
		}
	}
	caps := map[string]inputCap{}
	for _, l := range mc.oc.runBalance(r.event, edges).Elements {
		if l.InMeasured {
			caps[l.Element] = inputCap{in: l.In, tol: l.Tolerance}
		}
	}
	return caps, nil
}

// inputCap is what a run's inputs held of an element (ElementLine.In)
// and the run's element tolerance (ElementLine.Tolerance): the figures
// its gain test (gained) reads.
type inputCap struct{ in, tol float64 }

// tolOf is the run's element tolerance as caps hold it (one per run).
func tolOf(caps map[string]inputCap) float64 {
	for _, c := range caps {
		return c.tol
	}
	return DefaultElementTolerance
}

// recirculated reports whether lot id holds material that already entered
// the site's account in category cat: somewhere upstream of it (through
// runs at any site, containers and packings, up to MaxDepth links), a live
// run at this site, dated before at, consumed an input of the category
// (or a container holding one). Its qualifying element earned its credit
// with that run's inputs, so feeding it again — directly, packed in a
// container, or after a toll run elsewhere — earns nothing again. A lot
// whose ancestry never passed such a run (ore refined to the category's
// input commodity at the site) is not recirculated: its element enters the
// account when it is first fed as the category's input. Runs of the
// document being captured count as the store will keep them.
func (mc *mbCalc) recirculated(id string, cat critmin.MaterialCategory, at time.Time) (bool, error) {
	site := siteKey(mc.d.Site)
	into := mc.makersOf
	// The element earned its credit in any category that qualifies one
	// of cat's elements, not only in cat: a declaration stored before
	// chained categories were refused (ore → trioxide → metal on Sb)
	// would otherwise credit the trioxide made here from credited ore
	// again as the metal category's input (fix9t).
	var related []critmin.MaterialCategory
	for _, c := range mc.d.Categories {
		if c.ID == cat.ID || sharedElement(c.Elements, cat.Elements) != "" {
			related = append(related, c)
		}
	}
	// holds reports whether lot x is an input of category cat, or a
	// container or instance (no commodity) whose packed contents include
	// one.
	var holds func(x string, cat critmin.MaterialCategory, depth int) (bool, error)
	holds = func(x string, cat critmin.MaterialCategory, depth int) (bool, error) {
		if err := mc.oc.loadLots([]string{x}); err != nil {
			return false, err
		}
		l := mc.oc.lots[x]
		if l == nil {
			return false, nil
		}
		if inputOfCategory(cat, l.Commodity) {
			return true, nil
		}
		if l.Commodity != "" || depth >= MaxDepth {
			return false, nil
		}
		es, err := into([]string{x})
		if err != nil {
			return false, err
		}
		for _, e := range es {
			if e.Kind == ledger.LinkAggregation {
				if ok, err := holds(e.Parent, cat, depth+1); err != nil || ok {
					return ok, err
				}
			}
		}
		return false, nil
	}
	seen := map[string]bool{id: true}
	frontier := []string{id}
	for depth := 0; depth < MaxDepth && len(frontier) > 0 && len(seen) <= MaxNodes; depth++ {
		edges, err := into(frontier)
		if err != nil {
			return false, err
		}
		frontier = frontier[:0]
		for _, e := range edges {
			if e.Kind == ledger.LinkTransformation && siteKey(e.BizLocation) == site && !e.EventTime.After(at) {
				// Only a run that made the product earned credit on its
				// inputs (makesProduct); what a run that made none put
				// out is not credited material recirculating.
				for _, rc := range related {
					made, err := mc.makesProduct(e.RunKey(), rc)
					if err != nil {
						return false, err
					}
					if !made {
						continue
					}
					if ok, err := holds(e.Parent, rc, 0); err != nil || ok {
						return ok, err
					}
				}
			}
			if !seen[e.Parent] {
				seen[e.Parent] = true
				frontier = append(frontier, e.Parent)
			}
		}
	}
	return false, nil
}

// makersOf are the live edges into lots ids (stored, and those of the
// document being captured), remembered in mc.made: the genealogy one step
// up.
func (mc *mbCalc) makersOf(ids []string) ([]critmin.LotEdge, error) {
	var ask []string
	var edges []critmin.LotEdge
	if mc.made == nil {
		mc.made = map[string][]critmin.LotEdge{}
	}
	for _, id := range ids {
		if es, ok := mc.made[id]; ok {
			edges = append(edges, es...)
		} else {
			ask = append(ask, id)
		}
	}
	if len(ask) > 0 {
		stored, err := mc.s.LotEdges(mc.ctx, ask, true)
		if err != nil {
			return nil, err
		}
		for _, p := range mc.pending {
			for _, e := range p.edges {
				if slices.Contains(ask, e.Child) {
					stored = append(stored, e)
				}
			}
		}
		for _, id := range ask {
			mc.made[id] = []critmin.LotEdge{}
		}
		// A Replay edge (an earlier event's input of the run to a
		// later event's output) counts no consumption but is the
		// genealogy: events sharing a transformationID are one run
		// (EPCIS 2.0 §7.4.6), so an output of the run's input-less
		// event was made from the run's inputs.
		for _, e := range stored {
			if mc.drop[e.EventID] {
				continue
			}
			mc.made[e.Child] = append(mc.made[e.Child], e)
			edges = append(edges, e)
		}
	}
	return edges, nil
}

// asClaimed is the claimed lot as it stood when its claim was made: the
// replay (ledger.Replay) of its live events — stored, and those of the
// document being captured (mbCalc.doc) — dated at or before the claim
// event. An accepted claim is a record of the tonnes debited when it was
// made (ISO 22095-2): a moisture report or a weighing of the lot dated
// after the claim changes the lot's figures from then on, never the
// tonnes the claim took, so it is never refused for the claim's sake,
// whatever else was recorded before it (docs/origin.md, "A claim is a
// record"). An event dated at or before the claim changes what the lot
// was when claimed, and is held to the claim. A claim made by the
// document being captured (its event not yet stored), or a store that
// cannot give a lot's events, reads the lot as given.
func (mc *mbCalc) asClaimed(l *critmin.Lot, ce critmin.ClaimEvent) (*critmin.Lot, error) {
	f, ok := mc.s.(liveEventsFinder)
	if !ok || ce.Event == "" {
		return l, nil
	}
	evs, err := f.LiveEventsOfLots(mc.ctx, []string{l.ID})
	if err != nil {
		return nil, err
	}
	for _, ev := range mc.doc {
		for _, id := range canonicalLots(ev).LotIDs() {
			if id == l.ID {
				evs = append(evs, ev)
				break
			}
		}
	}
	var upTo []*critmin.Event
	found, later := false, false
	var claimRecorded time.Time
	for _, ev := range evs {
		if mc.skip[ev.EventID] {
			continue
		}
		ev = canonicalLots(ev)
		if ev.EventID == ce.Event {
			found = true
			claimRecorded = ev.RecordTime
		}
		if ev.EventTime.After(ce.At) {
			later = true
			continue
		}
		upTo = append(upTo, ev)
	}
	if !found {
		return l, nil
	}
	// An assay of the lot dated at or before its claim but recorded after
	// the claim was accepted (a laboratory's result for a sample taken at
	// the run) is a true fact: it is taken, and the claim is judged on it
	// (fix9y). The lot as it stood without such assays is kept, so that a
	// claim they push above the balance says so and names them.
	var late []string
	var before []*critmin.Event
	if !claimRecorded.IsZero() {
		for _, ev := range upTo {
			if ev.EventID != ce.Event && ev.RecordTime.After(claimRecorded) && assaysLot(ev, l.ID) {
				late = append(late, ev.EventID)
				continue
			}
			before = append(before, ev)
		}
	}
	figures := func(events []*critmin.Event) *critmin.Lot {
		r, _ := ledger.Replay([]string{l.ID}, events)
		at := r[l.ID]
		if at == nil || at.EventCount == 0 {
			return l
		}
		// Identity and the claim itself are the lot's; the figures are
		// the claim's time — the whole lot then, its body and each part
		// at their own assays (ledger.AssayScopes), as the run's element
		// balance reads the lot: a part shipped and assayed after the
		// claim is not the lot the claim took (issue 9, fix9z; it read
		// the body's assays then with the parts now: 0.6 t at 80 % and a
		// later 0.4 t part at 70 %, 0.76 t, for 1 t at 80 %, 0.8 t).
		cp := *l
		cp.Quantity, cp.UOM, cp.WetTonnes, cp.DryTonnes, cp.Moisture, cp.Assays, cp.Parts = at.Quantity, at.UOM, at.WetTonnes, at.DryTonnes, at.Moisture, at.Assays, at.Parts
		return &cp
	}
	if len(late) > 0 {
		if mc.lateAssays == nil {
			mc.lateAssays = map[string]lateAssay{}
		}
		mc.lateAssays[l.ID] = lateAssay{events: late, was: figures(before)}
	}
	if !claimRecorded.IsZero() && mc.recordedClaim(ce) {
		gone, err := mc.goneAssays(l.ID, ce, upTo)
		if err != nil {
			return nil, err
		}
		if len(gone) > 0 {
			withGone := append(slices.Clone(upTo), goneEvents(gone)...)
			if mc.goneAssay == nil {
				mc.goneAssay = map[string]goneAssay{}
			}
			mc.goneAssay[l.ID] = goneAssay{facts: gone, was: figures(withGone)}
		}
		// The run that made the lot when the claim was accepted, declared
		// in error since while a run dated after the claim makes it now
		// (re-captured later, fix9ar): the lot as it stood with it.
		if later {
			makers, err := mc.goneMakers(l.ID, ce, upTo)
			if err != nil {
				return nil, err
			}
			if len(makers) > 0 {
				with := append(slices.Clone(upTo), goneEvents(makers)...)
				for _, g := range gone {
					if !slices.ContainsFunc(makers, func(m goneFact) bool { return m.ev.EventID == g.ev.EventID }) {
						with = append(with, g.ev)
					}
				}
				if mc.remade == nil {
					mc.remade = map[string]goneAssay{}
				}
				mc.remade[l.ID] = goneAssay{facts: makers, was: figures(with)}
			}
		}
	}
	if !later {
		return l, nil
	}
	return figures(upTo), nil
}

// lateAssay is what asClaimed found of the assays recorded after a
// lot's claim: their events, and the lot as it stood without them.
type lateAssay struct {
	events []string
	was    *critmin.Lot
}

// assaysLot reports whether ev, not a transformation, reports an assay of
// lot (its ILMD cm:assay or a MassConcentration sensor report).
func assaysLot(ev *critmin.Event, lot string) bool {
	if ev.Type == critmin.TransformationEvent || ev.ErrorDeclaration != nil {
		return false
	}
	if ev.Mineral == nil {
		full, err := ledger.DecodeStored(ev.Raw, ev.Context)
		if err != nil {
			return false
		}
		ev = canonicalLots(full)
	}
	if ev.Mineral == nil || len(ev.Mineral.Assays) == 0 {
		return false
	}
	for _, id := range ev.LotIDs() {
		if id == lot {
			return true
		}
	}
	return false
}

// uncoveredByAssay rewords a claim refused with a shortfall that it was
// accepted without the assays recorded after it (mc.lateAssays): the
// claim was covered as accepted, and a correct later assay of its lot
// makes it exceed the balance — so it is no longer covered, naming the
// assays (fix9y). The assays stand (facts win); the claim's figures are
// the lot's with them.
func (mc *mbCalc) uncoveredByAssay(l *critmin.Lot, cl *Claim, ref []RefusedClaim) {
	la, ok := mc.lateAssays[l.ID]
	if !ok || len(ref) == 0 || ref[0].Shortfall <= 0 || cl.Category == "" {
		return
	}
	g := GradesOf(la.was)
	var was float64
	for _, el := range cl.Elements {
		x, ok := g[el]
		if !ok {
			return
		}
		was += la.was.DryTonnes * x
	}
	if was > ref[0].Available*(1+claimTolerance)+claimTolerance {
		return // short without the assays too: not theirs
	}
	els := strings.Join(cl.Elements, "+")
	cl.AssayedBy = append([]string(nil), la.events...)
	cl.Error = fmt.Sprintf("claim on lot %s not covered: accepted at %s t %s, it is no longer covered since assay %s, recorded after the claim, puts the lot at %s t %s when claimed; %s",
		l.ID, Figure(was), els, strings.Join(la.events, ", "), Figure(ref[0].Claimed), els, cl.Error)
	for i := range ref {
		ref[i].Error, ref[i].AssayedBy = cl.Error, cl.AssayedBy
	}
}

// claim checks one output's claim against its category's account and, if
// it is covered, takes it from the oldest credits first. The tonnes
// claimed are the lot's qualifying element as assayed — its dry tonnes ×
// grade as the claim found it — at capture and when read alike (fix9y):
// a claim out consumes credit for the metal the claimed lot is said to
// contain, so a run whose outputs hold more than its inputs (element_gain)
// is never a way to claim less than the lot is sold as holding. The cap
// of a gained run limits its physical origin and its credits in (a gain
// never earns credit: creditCap), never the claim (ISO 22095-2: claims
// out ≤ credits in, both in the qualifying characteristic) — except that
// a claim on a lot whose run's inputs held none of the category's
// elements, capped at 0 t, is refused at capture (holdsNone). The
// category is the product's (byOut), decided here once. A claim accepted
// at capture that a later fact leaves short is booked in full in that
// category (book), never judged against another category's balance
// (fix9ae). The claim's basis is that run r, which made l, consumed one
// of the category's inputs (categoryBasis): a claim judged at capture on
// a run that consumed none is refused (fix9ae), and so is one whose run's
// inputs events declared in error took out (basisFacts: no live input
// left, input lots no longer on record); a claim accepted at capture
// whose basis a later fact broke — the same events declared in error
// since — is not covered, naming them, and stays booked in full: the
// credit it retired stays retired whatever later facts say, so no credit
// is released to back a second claim (fix9aj, docs/origin.md "Not
// covered is not refused"). A stored claim on a run outside the category
// that no later fact explains (one stored before fix9ae's rule) was
// booked when stored: it is not covered, short of its category's system,
// and stays booked in full (fix9al, outsideClause). A stored claim whose
// lot an event declared in error since left without an assay of the
// category's elements (grade not measured) keeps the figure it was
// accepted at (asClaimed, acceptedContent): not covered, booked in full
// (fix9al, ShortOfGrade). Only a claim judged at capture is refused; a
// stored claim leaves the account only with its own event (claimgrade.go).
// Errors are the store's.
func (mc *mbCalc) claim(l *critmin.Lot, ce critmin.ClaimEvent, p critmin.ClaimPeriod, r ledgerRun) (*Claim, []RefusedClaim, error) {
	cl := &Claim{Site: mc.d.Site, Period: p.ID, Method: mc.cur.Method, Event: ce.Event, ByCountry: []Share{}, Status: ClaimAccepted, Elements: []string{}}
	var ref []RefusedClaim
	refuse := func(cat, c string, claimed, avail float64, msg string) []RefusedClaim {
		cl.Status, cl.Error, cl.Shortfall = ClaimRefused, msg, claimed-avail
		return []RefusedClaim{{Lot: l.ID, Event: ce.Event, Category: cat, Country: c, Claimed: claimed, Available: avail, Shortfall: math.Max(0, claimed-avail), Error: msg}}
	}
	// (A site not yet in stored master data may be arriving with the
	// document being captured; claimOf refuses claims at unknown sites.)
	if st := mc.oc.sites[siteKey(mc.d.Site)]; st != nil && st.CustodyModel != MassBalance {
		return cl, refuse("", "", 0, 0, fmt.Sprintf("claim on lot %s refused: site %s does not run the mass-balance model, so only physical origin applies", l.ID, epcis.Canonical(mc.d.Site))), nil
	}
	catID, ok := mc.byOut[ledger.CanonicalCommodity(l.Commodity)]
	if !ok {
		return cl, refuse("", "", 0, 0, fmt.Sprintf("claim on lot %s refused: site %s declares no material category for product %q in period %s (field cm:originClaim)", l.ID, epcis.Canonical(mc.d.Site), l.Commodity, p.ID)), nil
	}
	a := mc.acc[catID]
	cl.Category, cl.Elements = catID, a.cat.Elements
	stated := func() {
		for _, c := range sortedKeys(l.OriginClaim) {
			cl.ByCountry = append(cl.ByCountry, Share{Key: c, Name: country.Name(c), Share: l.OriginClaim[c]})
		}
	}
	// The category is the product's, decided here once; the product is
	// in its mass-balance system only if the run that made it consumed
	// one of the category's inputs (fix9ae). broken are the facts that
	// took it out of the system since a claim accepted at capture was
	// made (fix9aj).
	var broken []basisFact
	// outside: a stored claim on a run that consumed none of the
	// category's inputs, which no later fact explains (stored before
	// fix9ae's capture rule): booked, not covered (fix9al).
	outside := false
	basis, err := mc.categoryBasis(r, a.cat)
	if err != nil {
		return nil, nil, err
	}
	if !basis.fed {
		facts, err := mc.basisFacts(r, a.cat, basis, ce)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case len(facts) > 0 && mc.recordedClaim(ce):
			broken = facts
		case len(facts) > 0:
			stated()
			return cl, refuse(catID, "", 0, 0, basisRefusal(l.ID, mc.d.Site, catID, a.cat, p.ID, r, basis, facts)), nil
		case basis.outside() && mc.recordedClaim(ce):
			outside = true
		case basis.outside():
			stated()
			return cl, refuse(catID, "", 0, 0, notInCategory(l.ID, mc.d.Site, catID, a.cat, p.ID, r, basis.took)), nil
		}
		// Otherwise what the run consumed is not known (an input lot
		// or container never known, no input stated): the claim is left
		// to the balance, which credits nothing for it.
	}
	// A stored claim dated before its lot exists now, the run that made
	// the lot when it was accepted declared in error and the lot made
	// again by a run dated after it (fix9ar), is on the lot as it stood
	// then: booked in full at that figure, not covered.
	remade, isRemade := mc.remade[l.ID]
	isRemade = isRemade && mc.recordedClaim(ce) && ce.At.Before(r.madeAt(l.ID))
	src := l
	if isRemade {
		src = remade.was
	}
	// A stored claim whose lot no standing event makes (the only event
	// that made it declared in error after the claim, fix9as): l is the
	// lot as that event made it (period), booked in full, not covered.
	unmadeBy, isUnmade := mc.unmade[l.ID]
	isUnmade = isUnmade && r.unmade && mc.recordedClaim(ce)
	g := GradesOf(src)
	var q float64
	var missing []string
	for _, el := range a.cat.Elements {
		if x, ok := g[el]; ok {
			q += src.DryTonnes * x
		} else {
			missing = append(missing, el)
		}
	}
	// A stored claim whose lot an event declared in error since left
	// without an assay of the category's elements keeps the figure it
	// was accepted at (fix9al): it is booked in full, not covered.
	var gone []goneFact
	var goneMissing []string
	if len(missing) > 0 && mc.recordedClaim(ce) && !isRemade && !isUnmade {
		if was, facts, ok := mc.acceptedContent(l, a.cat.Elements); ok {
			q, gone, goneMissing, missing = was, facts, missing, nil
		}
	}
	// A claim accepted at capture is booked in full when a later fact
	// left it short (book), took its run out of the category's system
	// (broken) or its lot's grade away (gone), or when it was stored on a
	// run outside its category (outside).
	booked := mc.book[l.ID] || len(broken) > 0 || len(gone) > 0 || outside || isRemade || isUnmade
	if len(missing) > 0 {
		// A claim is on the category's qualifying content, every element
		// of it: with Pr not assayed, an NdPr oxide's Nd+Pr is unknown,
		// and counting Nd alone would under-state the claim.
		// The claim as stated (shares, tonnes unknown), so that the lot
		// page and the certificate show what was claimed and refused.
		stated()
		return cl, refuse(catID, "", 0, 0, fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s: the lot has no assay of %s, so the claim on %s cannot be measured", l.ID, epcis.Canonical(mc.d.Site), catID, p.ID, strings.Join(missing, "+"), strings.Join(a.cat.Elements, "+"))), nil
	}
	// A claim keeps what it took at capture (fix9g): an assay of the
	// claimed lot recorded after the claim (mc.lateAssays) that puts its
	// content below the figure the claim was accepted at never shrinks
	// the debit — the claim was stated to a buyer at that figure, and a
	// lower figure would free credits for a new claim (ISO 22095-2: the
	// claim out is booked when it is made). The claim names the assay
	// (ReassayedBy, ReassayNote). A HIGHER reassay is held to the claim
	// at the new figure (fix9y, uncoveredByAssay): the lot is sold as
	// holding that metal, so the claim is checked on it and may be left
	// not covered — the debit is the larger of the two figures.
	if la, ok := mc.lateAssays[l.ID]; ok {
		wg := GradesOf(la.was)
		was, all := 0.0, true
		for _, el := range a.cat.Elements {
			x, ok := wg[el]
			if !ok {
				all = false
				break
			}
			was += la.was.DryTonnes * x
		}
		if all && was > q*(1+claimTolerance)+claimTolerance {
			cl.ReassayedBy = append([]string(nil), la.events...)
			cl.ReassayNote = reassayNote(la.events, q, was, a.cat.Elements)
			q = was
		}
	}
	cl.Tonnes = q
	// A claim must attribute something (mbattr): a new claim on a lot
	// whose qualifying content is 0 t (assayed at 0 %, or so little that
	// it reads 0 t at FigureDecimals), or a share of it that reads 0 t,
	// states an origin for no metal. ISO 22095-2 mass balance allocates a
	// characteristic to a quantity of output; a claim on none would put
	// "100 % Pakistan" on a product the account debited nothing for.
	// Refused like a claim whose content cannot be measured (EINVALID).
	if !mc.recordedClaim(ce) {
		els := strings.Join(a.cat.Elements, "+")
		if Figure(q) == "0" {
			stated()
			return cl, refuse(catID, "", 0, 0, fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s: the lot holds 0 t %s (%s t dry at its assay), so the claim attributes no %s: a claim must attribute something", l.ID, epcis.Canonical(mc.d.Site), catID, p.ID, els, Figure(src.DryTonnes), els)), nil
		}
		for _, c := range sortedKeys(l.OriginClaim) {
			if want := q * l.OriginClaim[c]; Figure(want) == "0" {
				stated()
				return cl, refuse(catID, c, 0, 0, fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s: the lot holds %s t %s, and its %s share of %s origin is 0 t %s of %s origin (below %s t): a claim must attribute something", l.ID, epcis.Canonical(mc.d.Site), catID, p.ID, Figure(q), els, Percent(l.OriginClaim[c]), country.Name(c), els, country.Name(c), ShortfallFigure(1e-12)[2:])), nil
			}
		}
	}
	// A lot its run's inputs put none of the category's elements into
	// holds none, whatever its assay says (element_gain caps it at 0):
	// any share claimed of it exceeds what it holds (fix9ae). Judged at
	// capture: a stored claim whose lot a later fact leaves holding less
	// is read against what it holds now (coveredNow).
	if none, err := mc.holdsNone(r, a.cat); err != nil {
		return nil, nil, err
	} else if none && q > claimTolerance && !mc.recordedClaim(ce) {
		for _, c := range sortedKeys(l.OriginClaim) {
			cl.ByCountry = append(cl.ByCountry, Share{Key: c, Name: country.Name(c), Share: l.OriginClaim[c], Tonnes: q * l.OriginClaim[c]})
		}
		return cl, refuse(catID, "", 0, 0, holdsNoneClause(l.ID, mc.d.Site, catID, a.cat, p.ID, r, q, cl.ByCountry)), nil
	}
	pct := a.percentages(mc.cur.CarryForward)
	var shorts, rolling []overClaim
	for _, c := range sortedKeys(l.OriginClaim) {
		share := l.OriginClaim[c]
		want := q * share
		cl.ByCountry = append(cl.ByCountry, Share{Key: c, Name: country.Name(c), Tonnes: want, Share: share})
		if mc.cur.Method == critmin.MassBalanceRollingAverage && share > pct[c]+1e-9 {
			// Every origin above its share of the window is named with
			// its own shortfall (fix9q), as an over-claim's are (fix9o).
			avail := q * pct[c]
			rolling = append(rolling, overClaim{country: c, claimed: want, avail: avail,
				clause: fmt.Sprintf("%s %s claimed but only %s of the qualifying input over the rolling window is of that origin (shortfall %s t %s)",
					Percent(share), country.Name(c), Percent(pct[c]), ShortfallFigure(want-avail), strings.Join(a.cat.Elements, "+"))})
		}
	}
	if len(rolling) > 0 {
		msg := fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s: %s", l.ID, mc.d.Site, catID, p.ID, rolling[0].clause)
		for _, s := range rolling[1:] {
			msg += "; " + s.clause
		}
		if len(rolling) > 1 {
			msg += fmt.Sprintf("; %s: each origin is checked against its own share of the qualifying input over the window, and the claim, one statement, is refused as a whole", shortfallInAll(rolling))
		}
		if !booked || !mc.recordedClaim(ce) {
			return cl, mc.refuseAll(l, ce, cl, catID, rolling, msg), nil
		}
		// Accepted at capture, its window since changed by a later
		// fact: not covered, yet booked in full like an over-claim
		// below (docs/origin.md "Not covered is not refused", fix9r),
		// so no later claim takes the credits it rests on.
		msg = strings.Replace(msg, " refused:", " not covered:", 1)
		msg = strings.Replace(msg, "is refused as a whole", "is not covered as a whole", 1)
		// Every short origin carries its own shortfall, and the claim
		// their total, as a refusal's do (refuseAll, fix9s): one booked
		// row per short origin, against the window's share (the
		// statement's rows are apartRows, from noteWindowShort).
		ref = mc.refuseAll(l, ce, cl, catID, rolling, msg)
		for i := range ref {
			ref[i].Booked, ref[i].ShortOf = true, ShortOfWindowShare
		}
		cl.booked, cl.bookedLot, cl.bookedOrigin = true, l.ID, rolling[0].country
	}
	for _, sh := range cl.ByCountry {
		c, want := sh.Key, sh.Tonnes
		// Both methods: the claims out of a category may not exceed its
		// balance (ISO 22095 §11: outputs claimed ≤ qualifying input
		// credited, net of expiry).
		if avail := a.available(c); want > avail*(1+claimTolerance)+claimTolerance {
			if !booked || !mc.recordedClaim(ce) {
				// The claim crosses categories only when its own
				// category never earned credit of that origin and
				// another holds some; a category that earned some and
				// is short is over-claimed. Either way it is refused
				// on its own category's balance: the other category
				// only words why. A claim booked in full (below) is
				// never judged so: its category is its product's,
				// decided when it was made, and whatever other
				// categories the site declares or a retraction leaves
				// them holding, it stays in its own category's account
				// as a deficit (fix9ae, nu9f: a booked NdPr claim read
				// "against another material category" and left the
				// account once a retraction emptied its category's
				// Pakistani credit while the Sb category held some).
				if other := mc.otherCategoryCredit(catID, c); other != "" && !a.earned[c] {
					// Every origin that crosses categories is named
					// with its own shortfall (fix9q).
					shorts = append(shorts, overClaim{country: c, claimed: want, avail: avail, cross: true,
						clause: fmt.Sprintf("claims %s t %s of %s origin but category %s's %s balance is %s t (shortfall %s t); %s",
							Figure(want), strings.Join(a.cat.Elements, "+"), country.Name(c), catID, country.Name(c), Figure(avail), ShortfallFigure(want-avail), other)})
					continue
				}
				// Refused: every short origin is named with its own
				// shortfall (fix9o), not only the first.
				shorts = append(shorts, overClaim{country: c, claimed: want, avail: avail,
					clause: overClaimClause(c, want, avail, strings.Join(a.cat.Elements, "+")) + a.expiryNote(c) + a.deficitNote(c)})
				continue
			}
			msg := fmt.Sprintf("over-claim refused: site %s, category %s, period %s: lot %s claims %s t %s of %s origin but the balance holds %s t (shortfall %s t)%s%s",
				mc.d.Site, catID, p.ID, l.ID, Figure(want), strings.Join(a.cat.Elements, "+"), country.Name(c), Figure(avail), ShortfallFigure(want-avail), a.expiryNote(c), a.deficitNote(c))
			// A claim accepted at capture (its event stored) that a
			// later fact leaves short is not covered, yet stays booked
			// in full: it was stated to a buyer, and no later claim may
			// take the credits it rests on (docs/origin.md "At
			// capture"). The first short origin names the shortfall.
			if ref == nil {
				// Accepted at capture: not covered, never "refused"
				// (fix9h).
				msg = strings.Replace(msg, "over-claim refused:", "over-claim not covered:", 1)
				ref = refuse(catID, c, want, avail, msg)
				cl.booked, ref[0].Booked, cl.bookedLot, cl.bookedOrigin = true, true, l.ID, c
			}
		}
	}
	for _, s := range shorts {
		if s.cross {
			return cl, mc.refuseCrossCategory(l, ce, cl, catID, a.cat, p.ID, shorts), nil
		}
	}
	if len(shorts) > 0 {
		return cl, mc.refuseOverClaim(l, ce, cl, catID, p.ID, shorts), nil
	}
	var debit float64
	for _, sh := range cl.ByCountry {
		debit += sh.Tonnes
	}
	if len(broken) > 0 {
		mc.outOfSystem(l, cl, ref, r, a, p.ID, basis, broken)
	}
	if outside {
		cl.storedOutside = true
		mc.bookApart(l, cl, ref, a, p.ID, ShortOfCategorySystem, systemReason, outsideClause(r, a.cat, basis.took, debit), nil)
	}
	if isRemade {
		var ids []string
		for _, f := range remade.facts {
			ids = append(ids, f.ev.EventID)
		}
		ev, at := r.maker(l.ID)
		cl.RunChangedBy = append(cl.RunChangedBy, ev)
		mc.bookApart(l, cl, ref, a, p.ID, ShortOfRemade, remadeReason, remadeClause(l.ID, strings.Join(a.cat.Elements, "+"), remade.facts, r.xid(), ev, at, ce, debit), ids)
	}
	if isUnmade {
		var ids []string
		for _, f := range unmadeBy.facts {
			ids = append(ids, f.ev.EventID)
		}
		mc.bookApart(l, cl, ref, a, p.ID, ShortOfUnmade, unmadeReason, unmadeClause(unmadeBy.facts, ce, debit, strings.Join(a.cat.Elements, "+")), ids)
	}
	if len(gone) > 0 {
		var ids []string
		for _, f := range gone {
			ids = append(ids, f.ev.EventID)
		}
		after := mc.gradedAfter(l.ID, goneMissing, ce.At)
		reason := "grade not measured"
		if len(after) > 0 {
			reason = gradedAfterWords(after)
			cl.GradedAfter = reason
		}
		mc.bookApart(l, cl, ref, a, p.ID, ShortOfGrade, reason, gradeClause(strings.Join(a.cat.Elements, "+"), gone, goneMissing, debit, after), ids)
	}
	sortShares(cl.ByCountry)
	for _, sh := range cl.ByCountry {
		need := sh.Tonnes
		for _, b := range a.buckets[sh.Key] {
			take := math.Min(need, b.tonnes)
			b.tonnes -= take
			need -= take
			if need <= 0 {
				break
			}
		}
		if need > claimTolerance && cl.booked {
			if a.deficit == nil {
				a.deficit = map[string]float64{}
			}
			if a.booked == nil {
				a.booked = map[string][]*bookedShare{}
			}
			a.deficit[sh.Key] += need
			a.booked[sh.Key] = append(a.booked[sh.Key], &bookedShare{lot: l.ID, cl: cl, event: ce.Event, tonnes: sh.Tonnes})
			a.allocate(sh.Key, "")
		}
	}
	return cl, ref, nil
}

// notInCategory is the refusal of a claim on lot, of category catID at
// site, period, whose run r consumed none of the category's inputs (it
// consumed took): "claim on lot L refused: site S, category sb
// (antimony_ore → antimony_trioxide on Sb), period P: the run of event E
// (…), which made it, consumed none of the category's inputs
// (antimony_ore) — it consumed ree_concentrate — so …".
func notInCategory(lot, site, catID string, cat critmin.MaterialCategory, period string, r ledgerRun, took []string) string {
	consumed := "it consumed no input"
	if len(took) > 0 {
		consumed = "it consumed " + strings.Join(took, ", ")
	}
	return fmt.Sprintf("claim on lot %s refused: site %s, category %s (%s), period %s: %s, which made it, consumed none of the category's inputs (%s) — %s — so the lot is not in the category's mass-balance system and the category's balance cannot back a claim on it (ISO 22095-2: a claim draws on the balance of its material category, whose credits in are the qualifying inputs to that system)",
		lot, epcis.Canonical(site), catID, categoryFlow(cat), period, runWords(r.xid(), r.event, r.at.UTC().Format(time.DateOnly)), strings.Join(cat.Inputs, ", "), consumed)
}

// holdsNone reports whether run r's inputs held none of any of cat's
// elements, every one measured (runInputCaps: 0 t of each in): each of
// its outputs then holds none of them, its assay capped at 0 t
// (element_gain, the physical origin's figure).
func (mc *mbCalc) holdsNone(r ledgerRun, cat critmin.MaterialCategory) (bool, error) {
	caps, err := mc.runInputCaps(r)
	if err != nil {
		return false, err
	}
	for _, el := range cat.Elements {
		if c, ok := caps[el]; !ok || c.in > claimTolerance {
			return false, nil
		}
	}
	return true, nil
}

// holdsNoneClause is the refusal of a claim of q t (assayed) on lot,
// whose run r's inputs held none of cat's elements: "claim on lot L
// refused: site S, category C (…), period P: lot L holds 0 t Sb — the
// inputs of the run of event E (…), which made it, held none, so its
// assayed 0.3 t Sb is capped at 0 t (element_gain) — and the claim
// states Pakistan 50.0 % (0.15 t Sb) of it: claimed tonnes can never
// exceed what the lot holds".
func holdsNoneClause(lot, site, catID string, cat critmin.MaterialCategory, period string, r ledgerRun, q float64, by []Share) string {
	els := strings.Join(cat.Elements, "+")
	var parts []string
	for _, sh := range by {
		parts = append(parts, fmt.Sprintf("%s %s (%s t %s)", sh.Name, Percent(sh.Share), Figure(sh.Tonnes), els))
	}
	return fmt.Sprintf("claim on lot %s refused: site %s, category %s (%s), period %s: lot %s holds 0 t %s — the inputs of %s, which made it, held none, so its assayed %s t %s is capped at 0 t (element_gain) — and the claim states %s of it: the tonnes claimed can never exceed what the lot holds (ISO 22095-2: a claim is on the qualifying characteristic the product contains)",
		lot, epcis.Canonical(site), catID, categoryFlow(cat), period, lot, els, runWords(r.xid(), r.event, r.at.UTC().Format(time.DateOnly)), Figure(q), els, strings.Join(parts, ", "))
}

// overClaim is one origin of a claim that its own balance cannot cover:
// the tonnes of element claimed of it, what the balance holds (negative
// when the origin is in deficit) and its words.
type overClaim struct {
	country        string
	claimed, avail float64
	clause         string
	// cross: the origin's own category never earned credit of it and
	// another holds some (a claim against another material category).
	cross bool
}

// shortfallInAll words the total of several short origins: "shortfall
// T t in all (S1 + S2)", T = ΣSi, Si = claimed − available of each.
func shortfallInAll(shorts []overClaim) string {
	var total float64
	var figs []string
	for _, s := range shorts {
		total += s.claimed - s.avail
		figs = append(figs, Figure(s.claimed-s.avail))
	}
	return fmt.Sprintf("shortfall %s t in all (%s)", Figure(total), strings.Join(figs, " + "))
}

// refuseCrossCategory refuses claim cl on lot l, at least one of whose
// origins (shorts) its own category cat never earned while another
// category holds some: a claim against another material category (ISO
// 22095-2 keeps material categories apart). Every short origin is named
// with its own shortfall — crossing or over-claimed — and, for several,
// the total (fix9q), as refuseOverClaim does (fix9o).
func (mc *mbCalc) refuseCrossCategory(l *critmin.Lot, ce critmin.ClaimEvent, cl *Claim, catID string, cat critmin.MaterialCategory, period string, shorts []overClaim) []RefusedClaim {
	msg := fmt.Sprintf("claim against another material category refused: site %s, category %s (%s), period %s: lot %s %s", mc.d.Site, catID, categoryFlow(cat), period, l.ID, shorts[0].clause)
	for _, s := range shorts[1:] {
		msg += "; it " + s.clause
	}
	if len(shorts) > 1 {
		msg += fmt.Sprintf("; %s: each origin is checked against its own category's balance, and the claim, one statement, is refused as a whole", shortfallInAll(shorts))
	}
	msg = critmin.Sentence(msg) + " ISO 22095-2 keeps material categories apart: the credits in of one category count another qualifying characteristic in another material, so its balance can never back a claim on another category's product"
	return mc.refuseAll(l, ce, cl, catID, shorts, msg)
}

// overClaimClause words one short origin of an over-claim: "claims W t
// E of X origin but the balance holds A t (shortfall W − A t)". When the
// origin is in deficit (avail < 0: claims accepted at capture and no
// longer covered stay booked in full, fix9g) the balance holds nothing
// of it, and the clause says so instead of printing a negative holding:
// "… but the balance holds none of it (shortfall W + D t: the whole
// W t claimed plus the D t by which the balance is in deficit, which
// later credits repay first)" — still shortfall = claimed − holds, the
// holding being −D (docs/origin.md "Refused at capture", fix9o).
func overClaimClause(c string, want, avail float64, els string) string {
	if avail < -claimTolerance {
		return fmt.Sprintf("claims %s t %s of %s origin but the balance holds none of it (shortfall %s t: the whole %s t claimed plus the %s t by which the %s balance is in deficit, which later credits repay first)",
			Figure(want), els, country.Name(c), Figure(want-avail), Figure(want), Figure(-avail), country.Name(c))
	}
	return fmt.Sprintf("claims %s t %s of %s origin but the balance holds %s t (shortfall %s t)", Figure(want), els, country.Name(c), Figure(math.Max(0, avail)), ShortfallFigure(want-avail))
}

// refuseOverClaim refuses claim cl on lot l, refused at capture because
// the balance of one or more of its origins cannot cover it (shorts, in
// the claim's origin order), naming every short origin with its own
// shortfall (fix9o): cl.Shortfall is their sum and, for a claim of
// several origins, cl.ShortfallByCountry each one's; the statement gets
// one refused row per short origin. A claim is one statement: it is
// refused as a whole and attributes nothing in any origin, even one its
// own balance covers (ISO 22095-2: a claim is supported or it is not).
func (mc *mbCalc) refuseOverClaim(l *critmin.Lot, ce critmin.ClaimEvent, cl *Claim, catID, period string, shorts []overClaim) []RefusedClaim {
	msg := fmt.Sprintf("over-claim refused: site %s, category %s, period %s: lot %s %s", mc.d.Site, catID, period, l.ID, shorts[0].clause)
	for _, s := range shorts[1:] {
		msg += "; it " + s.clause
	}
	if len(shorts) > 1 {
		msg += fmt.Sprintf("; %s: each origin is checked against its own balance, and the claim, one statement, is refused as a whole", shortfallInAll(shorts))
	}
	return mc.refuseAll(l, ce, cl, catID, shorts, msg)
}

// refuseAll refuses claim cl on lot l as a whole with message msg, its
// short origins being shorts: cl.Shortfall is the sum of their
// shortfalls (claimed − available, tonnes of element), and, for a claim
// of several origins, cl.ShortfallByCountry each one's; a claim of
// several origins some of which are covered says it attributes nothing
// in them either. The statement gets one refused row per short origin.
func (mc *mbCalc) refuseAll(l *critmin.Lot, ce critmin.ClaimEvent, cl *Claim, catID string, shorts []overClaim, msg string) []RefusedClaim {
	var total float64
	byC := map[string]float64{}
	for _, s := range shorts {
		total += s.claimed - s.avail
		byC[s.country] += s.claimed - s.avail
	}
	if len(cl.ByCountry) > 1 {
		if len(shorts) < len(cl.ByCountry) {
			msg += fmt.Sprintf("; the claim attributes nothing, not even in the origin(s) its balance covers (%s)", cl.coveredOrigins(byC))
		}
		cl.ShortfallByCountry = byC
	}
	cl.Status, cl.Error, cl.Shortfall = ClaimRefused, msg, total
	out := make([]RefusedClaim, 0, len(shorts))
	for _, s := range shorts {
		out = append(out, RefusedClaim{Lot: l.ID, Event: ce.Event, Category: catID, Country: s.country, Claimed: s.claimed, Available: s.avail, Shortfall: s.claimed - s.avail, Error: msg})
	}
	return out
}

// coveredOrigins names the origins of c not in short, in claim order:
// "China".
func (c *Claim) coveredOrigins(short map[string]float64) string {
	var names []string
	for _, sh := range c.ByCountry {
		if short[sh.Key] <= claimTolerance {
			names = append(names, sh.Name)
		}
	}
	return strings.Join(names, ", ")
}

// settleBooked replays mc over periods[0..upto] (its statements in
// mc.stmts) and, while a stored claim refused there proves to have been
// accepted at capture and left not covered by a later fact
// (acceptedAtCapture), replays the account afresh with those claims
// booked in full, so that no later claim takes the credits they rest on
// (fix9e). It returns the account of the last replay.
func settleBooked(mc *mbCalc, periods []critmin.ClaimPeriod, upto int) (*mbCalc, error) {
	run := func(x *mbCalc) error {
		for i := 0; i <= upto; i++ {
			st, err := x.period(periods, i)
			if err != nil {
				return err
			}
			x.stmts = append(x.stmts, st)
		}
		return nil
	}
	if err := run(mc); err != nil {
		return nil, err
	}
	for round := 0; round < 8; round++ {
		add, err := mc.acceptedAtCapture(periods, upto)
		if err != nil || len(add) == 0 {
			return mc, err
		}
		n, err := newMB(mc.ctx, mc.s, mc.versions, mc.conv)
		if err != nil {
			return nil, err
		}
		n.doc, n.drop, n.claimAt, n.pending, n.given, n.skip = mc.doc, mc.drop, mc.claimAt, mc.pending, mc.given, mc.skip
		n.book = map[string]bool{}
		for k := range mc.book {
			n.book[k] = true
		}
		for _, k := range add {
			n.book[k] = true
		}
		for id, l := range n.given {
			n.oc.lots[id] = l
		}
		if err := run(n); err != nil {
			return nil, err
		}
		mc = n
	}
	return mc, nil
}

// acceptedAtCapture returns the lots, not yet booked, whose stored
// claims the account refuses with a shortfall that a later fact explains
// — a retraction (explainRetractions), an assay or a weighing recorded
// after the claim (uncoveredByAssay, explainLateFacts): covered when
// accepted at capture, they are not covered now. The claims are left as
// they were.
func (mc *mbCalc) acceptedAtCapture(periods []critmin.ClaimPeriod, upto int) ([]string, error) {
	var cands []string
	for _, lot := range sortedKeys(mc.claims) {
		cl := mc.claims[lot]
		if cl.Status == ClaimRefused && cl.Shortfall > claimTolerance && !cl.booked && !mc.book[lot] && cl.Category != "" &&
			mc.recordedClaim(critmin.ClaimEvent{Event: cl.Event, Seq: mc.claimAt[lot].Seq}) {
			cands = append(cands, lot)
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	saved := map[string]Claim{}
	for lot, cl := range mc.claims {
		saved[lot] = *cl
	}
	defer func() {
		for lot, c := range saved {
			*mc.claims[lot] = c
		}
	}()
	if err := mc.explainRetractions(periods, upto, nil); err != nil {
		return nil, err
	}
	if err := mc.explainLateFacts(periods, upto, nil); err != nil {
		return nil, err
	}
	var out []string
	memo := map[time.Time][]lateFact{}
	for _, lot := range cands {
		if cl := mc.claims[lot]; len(cl.RetractedBy)+len(cl.AssayedBy)+len(cl.WeighedBy)+len(cl.RunChangedBy) > 0 {
			out = append(out, lot)
			continue
		}
		// Left short by facts of both kinds together (fix9an).
		ok, err := mc.coveredAtCapture(periods, upto, lot, memo)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, lot)
		}
	}
	return out, nil
}

// recordedClaim reports whether ce is a stored claim — one accepted at
// capture, as capture refuses a claim the balance cannot cover — rather
// than one of a document being captured (claimAt's Seq ≥ docClaimSeq, or
// an event of mc.doc).
func (mc *mbCalc) recordedClaim(ce critmin.ClaimEvent) bool {
	if ce.Event == "" || ce.Seq >= docClaimSeq {
		return false
	}
	for _, ev := range mc.doc {
		if ev.EventID == ce.Event {
			return false
		}
	}
	return true
}

// docClaimSeq is the lowest ClaimEvent.Seq of a claim made by a document
// being captured: after every stored claim (checkSite).
const docClaimSeq = math.MaxInt64 / 2

// earlyClaim refuses a claim dated before its lot existed (an ObjectEvent
// ADD dated before the run that made the lot): ISO 22095-2 books a claim
// when it is made, on material that exists, against the balance of that
// moment — a claim on material not yet produced can draw on no balance.
// The claim keeps its own event, time and period (the declared period
// holding its time, else the period of the run); it is listed among the
// refused claims of the period of the run, where the lot first exists.
func (mc *mbCalc) earlyClaim(l *critmin.Lot, pc *pendingClaim, periods []critmin.ClaimPeriod, p critmin.ClaimPeriod) (*Claim, []RefusedClaim) {
	own := p
	for _, q := range periods {
		if f, t := periodSpan(q); !pc.ce.At.Before(f) && pc.ce.At.Before(t) {
			own = q
		}
	}
	// The method of the version in force for the claim's own period,
	// not of the period of the run (fix9ay).
	cl := &Claim{Site: mc.d.Site, Period: own.ID, Method: versionFor(mc.versions, own).Method, Event: pc.ce.Event, ByCountry: []Share{}, Status: ClaimRefused, Elements: []string{}, early: true}
	if catID, ok := mc.byOut[ledger.CanonicalCommodity(l.Commodity)]; ok {
		cl.Category, cl.Elements = catID, mc.acc[catID].cat.Elements
	}
	for _, c := range sortedKeys(l.OriginClaim) {
		cl.ByCountry = append(cl.ByCountry, Share{Key: c, Name: country.Name(c), Share: l.OriginClaim[c]})
	}
	cl.Error = fmt.Sprintf("claim on lot %s refused: site %s, period %s: the claim event %s is dated %s, before the lot existed: %s made it; a claim is booked when it is made and can draw only on the balance of that moment (ISO 22095-2), so a claim on material not yet produced is refused: make it with an event dated on or after the run",
		l.ID, mc.d.Site, own.ID, pc.ce.Event, pc.ce.At.UTC().Format(time.RFC3339), runWords(pc.run.xid(), pc.run.event, pc.made.UTC().Format(time.RFC3339)))
	return cl, []RefusedClaim{{Lot: l.ID, Event: pc.ce.Event, Category: cl.Category, Error: cl.Error}}
}

// categoryFlow is a category's inputs → product on its elements, for
// messages: "ree_concentrate → ndpr_oxide on Nd+Pr".
func categoryFlow(c critmin.MaterialCategory) string {
	return strings.Join(c.Inputs, ", ") + " → " + c.Product + " on " + strings.Join(c.Elements, "+")
}

// otherCategoryCredit says which other categories of the site hold a
// balance of an origin the claimed category lacks ("" if none): the case
// of a claim that could only be met by crossing material categories. It
// words the figure in the statement's terms — the balance (opening +
// credits in − claims − expired) at the claim's time — not "credits",
// which the statement uses for one line, the credits in of the period.
func (mc *mbCalc) otherCategoryCredit(catID, c string) string {
	var parts []string
	for _, id := range sortedKeys(mc.acc) {
		if id == catID {
			continue
		}
		if t := mc.acc[id].available(c); t > claimTolerance {
			parts = append(parts, fmt.Sprintf("the site's %s balance (%s t %s: opening + credits in − claims − expired, at the claim's time) is in category %s (%s)", country.Name(c), Figure(t), strings.Join(mc.acc[id].cat.Elements, "+"), id, categoryFlow(mc.acc[id].cat)))
		}
	}
	return strings.Join(parts, "; ")
}

// CheckClaimShares re-derives the claim on lot's own shortfall from its origins
// (fix9k): a claim not covered that states shortfalls by origin
// (ShortfallByCountry, tonnes of element) states as its Shortfall their
// sum, each > 0 and at most the tonnes it claims of that origin
// (ByCountry); an accepted claim states neither. Whatever fact changed
// the shortfall — a retraction, a later assay or weighing, a credit that
// repaid part of the deficit — the claim, its origins' figures, the lot
// API and the certificate then read one figure. Errors: EINTERNAL naming
// the lot and the figures that disagree.
func CheckClaimShares(lot string, cl *Claim) error {
	if cl == nil {
		return nil
	}
	const tol = 1e-6
	if cl.Status == ClaimAccepted {
		if cl.Shortfall > tol || len(cl.ShortfallByCountry) > 0 {
			return critmin.Errorf(critmin.EINTERNAL, "claim on lot %s is accepted but states shortfall %.6f t (by origin %v)", lot, cl.Shortfall, cl.ShortfallByCountry)
		}
		return nil
	}
	if len(cl.ShortfallByCountry) == 0 {
		return nil
	}
	claimed := map[string]float64{}
	for _, sh := range cl.ByCountry {
		claimed[sh.Key] += sh.Tonnes
	}
	var sum float64
	for _, c := range sortedKeys(cl.ShortfallByCountry) {
		v := cl.ShortfallByCountry[c]
		t, ok := claimed[c]
		if !ok || v <= 0 || v > t+tol {
			return critmin.Errorf(critmin.EINTERNAL, "claim on lot %s: its %s shortfall %.6f t is not within the %.6f t it claims of that origin", lot, c, v, t)
		}
		sum += v
	}
	if math.Abs(sum-cl.Shortfall) > tol {
		return critmin.Errorf(critmin.EINTERNAL, "claim on lot %s: shortfall %.6f t but its origins' shortfalls add up to %.6f t (%v)", lot, cl.Shortfall, sum, cl.ShortfallByCountry)
	}
	return nil
}

// CheckStatement re-derives the invariants of a statement from its lines
// and entries alone: closing = opening + credits − claims − expired; each
// line's credits, claims and expired equal the sum of its entries; no
// closing balance is negative but by claims booked in full (DeficitBy);
// each booked claim's shortfall ≤ its claim, and the period's booked
// claims' shortfalls plus the deficit carried from earlier periods
// (CarriedDeficit, at most the opening deficit) add up to each line's
// deficit (fix9g, fix9ah); a refused claim's rows, one per short origin,
// each read claimed − available = shortfall (fix9o).
func CheckStatement(st *Statement) error {
	const tol = 1e-6
	for _, c := range st.Categories {
		sum := map[string]map[string]float64{}
		for _, e := range c.Entries {
			if sum[e.Kind] == nil {
				sum[e.Kind] = map[string]float64{}
			}
			sum[e.Kind][e.Country] += e.Tonnes
		}
		for _, l := range c.Lines {
			if math.Abs(l.Opening+l.Credits-l.Claims-l.Expired-l.Closing) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: %s closing %.6f ≠ opening + credits − claims − expired", st.Site, c.Category.ID, st.Period.ID, l.Country, l.Closing)
			}
			if l.Closing < -tol && len(l.DeficitBy) == 0 {
				// Only claims accepted at capture and left not covered
				// by a later fact, booked in full, may leave a deficit.
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: %s closes negative (%.6f t) with no booked claim no longer covered to explain it", st.Site, c.Category.ID, st.Period.ID, l.Country, l.Closing)
			}
			for kind, v := range map[string]float64{"credit": l.Credits, "claim": l.Claims, "expired": l.Expired} {
				if math.Abs(sum[kind][l.Country]-v) > tol {
					return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: %s %s line %.6f ≠ its entries %.6f", st.Site, c.Category.ID, st.Period.ID, l.Country, kind, v, sum[kind][l.Country])
				}
			}
		}
		// Every claim is ONE row per origin (fix9ap): its one status and
		// all its reasons, whether refused at capture or booked in full
		// and short of the balance, of its rolling window's share, of its
		// category's system or of its grade, or several of these.
		// Before, a claim short of the balance and of its grade was two
		// rows, and a check that summed only the deficit rows could not
		// see the shortfalls add up to more than the statement holds.
		seen := map[[2]string]bool{}
		for _, r := range st.Refused {
			if r.Category != c.Category.ID || r.Country == "" {
				continue
			}
			k := [2]string{r.Lot, r.Country}
			if seen[k] {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's claim is listed twice among the claims not backed for %s", st.Site, c.Category.ID, st.Period.ID, r.Lot, r.Country)
			}
			seen[k] = true
		}
		// The deficit of each line is shared among the claims booked in
		// full from the last back (account.allocate, fix9g): each booked
		// row's share of it (DeficitShare) is at most its shortfall, which
		// is at most what it claimed of that origin, and the shares plus
		// the deficit carried from earlier periods add up exactly to the
		// line's deficit, −(opening + credits − claims − expired) when
		// negative, so no tonne of deficit is counted twice and none is
		// left unexplained (ISO 22095-2: claims out ≤ credits in; what
		// exceeds it is named, claim by claim). A row's shortfall beyond
		// its share is what it is short apart from the balance (ShortOf:
		// all it claims for its category's system or its grade; the
		// excess over its window share): the rows' shortfalls add up to
		// the deficit plus those excesses, never more (fix9ap).
		short := map[string]float64{}
		// Each claim entry carries its own origin's shortfall (fix9j):
		// at most the tonnes it claimed of that origin, and the same as
		// the booked claim's one row of that lot and origin — never
		// another origin's share.
		rows := map[[2]string]float64{}
		for _, r := range st.Refused {
			if !r.Booked || r.Category != c.Category.ID {
				continue
			}
			k := [2]string{r.Lot, r.Country}
			if r.Shortfall <= tol || r.Shortfall > r.Claimed+tol || math.Abs(r.Shortfall-(r.Claimed-r.Available)) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's %s row: shortfall %.6f t ≠ claimed %.6f − available %.6f", st.Site, c.Category.ID, st.Period.ID, r.Lot, r.Country, r.Shortfall, r.Claimed, r.Available)
			}
			if r.DeficitShare < -tol || r.DeficitShare > r.Shortfall+tol || (r.ShortOf == "" && math.Abs(r.DeficitShare-r.Shortfall) > tol) ||
				(apartKind(r.ShortOf) && math.Abs(r.Shortfall-r.Claimed) > tol) {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's %s row: shortfall %.6f t of its %.6f t claim, share of the deficit %.6f t, short of %q: its shortfall is neither its share of the deficit nor the larger of that and what it is short apart", st.Site, c.Category.ID, st.Period.ID, r.Lot, r.Country, r.Shortfall, r.Claimed, r.DeficitShare, r.ShortOf)
			}
			rows[k] = r.Shortfall
			short[r.Country] += r.DeficitShare
		}
		entry := map[[2]string]bool{}
		for _, e := range c.Entries {
			if e.Kind != "claim" {
				continue
			}
			if e.Shortfall < -tol || e.Shortfall > e.Tonnes+tol || (e.Shortfall > tol && e.Status != ClaimNotCovered) {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's %s claim entry reads %s with shortfall %.6f t of its %.6f t", st.Site, c.Category.ID, st.Period.ID, e.Lot, e.Country, e.Status, e.Shortfall, e.Tonnes)
			}
			if e.Status == ClaimAccepted {
				continue
			}
			k := [2]string{e.Lot, e.Country}
			entry[k] = true
			if v := rows[k]; math.Abs(v-e.Shortfall) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's %s claim entry has shortfall %.6f t but its not-covered row reads %.6f t", st.Site, c.Category.ID, st.Period.ID, e.Lot, e.Country, e.Shortfall, v)
			}
		}
		// A claim refused (never booked) is listed once per short origin
		// (fix9o), each row claimed − available = shortfall; available
		// is negative when the origin is in deficit.
		for _, r := range st.Refused {
			if r.Booked || r.Category != c.Category.ID || r.Country == "" {
				continue
			}
			if math.Abs(r.Shortfall-math.Max(0, r.Claimed-r.Available)) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's refused %s row: shortfall %.6f t ≠ claimed %.6f − available %.6f", st.Site, c.Category.ID, st.Period.ID, r.Lot, r.Country, r.Shortfall, r.Claimed, r.Available)
			}
		}
		for _, l := range c.Lines {
			// This period's booked claims are its rows; the deficit
			// owed by earlier periods' claims is carried in the opening
			// (CarriedDeficit, fix9ah): never more than the line opened
			// in deficit by, since a later claim takes its share of a
			// deficit first (allocate) and credits only repay.
			if l.CarriedDeficit < -tol || l.CarriedDeficit > math.Max(0, -l.Opening)+tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: %s carries a deficit of %.6f t from earlier periods but opened at %.6f t", st.Site, c.Category.ID, st.Period.ID, l.Country, l.CarriedDeficit, l.Opening)
			}
			if d := math.Max(0, -(l.Opening + l.Credits - l.Claims - l.Expired)); math.Abs(short[l.Country]+l.CarriedDeficit-d) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: %s booked claims' shares of the deficit %.6f t + deficit carried from earlier periods %.6f t ≠ the line's deficit %.6f t (opening + credits − claims − expired)", st.Site, c.Category.ID, st.Period.ID, l.Country, short[l.Country], l.CarriedDeficit, d)
			}
			delete(short, l.Country)
		}
		for k, v := range short {
			if v > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: booked claims' shares of the deficit %.6f t of %s with no line in deficit", st.Site, c.Category.ID, st.Period.ID, v, k)
			}
		}
		// Every booked row is a claim of this period with its entry,
		// not covered: no row stands for a claim the entries do not list.
		for _, r := range st.Refused {
			if r.Booked && r.Category == c.Category.ID && !entry[[2]string{r.Lot, r.Country}] {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: lot %s's %s row is not covered but the period lists no such claim entry not covered", st.Site, c.Category.ID, st.Period.ID, r.Lot, r.Country)
			}
		}
		// The total is the lines' sum and balances like each line.
		want, tl := totalLine(c.Lines), c.Total
		if math.Abs(want.Opening-tl.Opening) > tol || math.Abs(want.Credits-tl.Credits) > tol || math.Abs(want.Claims-tl.Claims) > tol ||
			math.Abs(want.Expired-tl.Expired) > tol || math.Abs(want.Closing-tl.Closing) > tol ||
			math.Abs(tl.Opening+tl.Credits-tl.Claims-tl.Expired-tl.Closing) > tol {
			return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s %s: the total line %+v is not the sum of its %d lines", st.Site, c.Category.ID, st.Period.ID, tl, len(c.Lines))
		}
	}
	// A restated period's figures as at close balance too (fix9aq).
	return checkRestatement(st)
}

// CheckCarry re-derives, from two consecutive periods' statements of one
// site, that the later opens where the earlier closed (ISO 22095-2: the
// balance carried into a period is the previous period's closing): each
// line's opening equals the earlier statement's closing of the same
// category and origin (0 where it had none), and every origin the earlier
// statement closed away from zero — a credit carried, or a deficit, which
// never expires — has a line in the later one (fix9ai). A period still
// open closes with what expires at its end (openPeriod): its carried
// figure is Closing − ExpiresAtPeriodEnd. Figures are tonnes of element;
// an error is EINTERNAL, naming site, category, origin and periods.
func CheckCarry(prev, next *Statement) error {
	const tol = 1e-6
	closing := map[[2]string]float64{}
	for _, c := range prev.Categories {
		for _, l := range c.Lines {
			closing[[2]string{c.Category.ID, l.Country}] = l.Closing - l.ExpiresAtPeriodEnd
		}
	}
	seen := map[[2]string]bool{}
	for _, c := range next.Categories {
		for _, l := range c.Lines {
			k := [2]string{c.Category.ID, l.Country}
			seen[k] = true
			if math.Abs(l.Opening-closing[k]) > tol {
				return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s: %s opens period %s at %.6f t, but period %s closed at %.6f t", next.Site, k[0], k[1], next.Period.ID, l.Opening, prev.Period.ID, closing[k])
			}
		}
	}
	for _, k := range sortedKeys2(closing) {
		if v := closing[k]; !seen[k] && math.Abs(v) > tol {
			return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s: %s closed period %s at %.6f t and has no line in period %s", next.Site, k[0], k[1], prev.Period.ID, v, next.Period.ID)
		}
	}
	return nil
}

// sortedKeys2 are m's keys in order, for messages that do not depend on
// map order.
func sortedKeys2[V any](m map[[2]string]V) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// claimOf returns a lot's claimed origin: it finds the run that made the
// lot, and replays the mass-balance account of that site up to the run's
// period. A claim at a site that does not run mass balance, or without a
// declared material category or claim period, is refused. phys is the
// lot's physical origin: an accepted claim is stated against what it
// holds now by that figure (coveredNow).
func claimOf(ctx context.Context, s Store, l *critmin.Lot, sites map[string]*critmin.Site, phys *Composition) (*Claim, error) {
	edges, err := s.LotEdges(ctx, []string{l.ID}, true)
	if err != nil {
		return nil, err
	}
	var run *critmin.LotEdge
	for i, e := range edges {
		if e.Kind == ledger.LinkTransformation && (run == nil || e.EventTime.After(run.EventTime)) {
			run = &edges[i]
		}
	}
	refused := func(site, msg string) *Claim {
		cl := &Claim{Site: site, Status: ClaimRefused, Error: msg, ByCountry: []Share{}, Elements: []string{}}
		for _, c := range sortedKeys(l.OriginClaim) {
			cl.ByCountry = append(cl.ByCountry, Share{Key: c, Name: country.Name(c), Share: l.OriginClaim[c]})
		}
		return cl
	}
	if run == nil {
		// A live event of a run without inputs (its input-only events
		// declared in error, say) still made the lot at its site.
		if e, err := outputOnlyMaker(ctx, s, l.ID); err != nil {
			return nil, err
		} else if e != nil {
			run = e
		}
	}
	var unmadeBy *critmin.Event
	if run == nil {
		// The run that made it declared in error (EPCIS 2.0 §7.4.1.2):
		// named, not read as if no run ever had (fix9v).
		ev, err := newCalc(ctx, s, sites).retractedMaker(l.ID)
		if err != nil {
			return nil, err
		}
		if ev != nil {
			// Declared after the claim was accepted, the claim stays
			// booked in its site's account (unmadeRuns, fix9as): read
			// there, at the declared run's site and time.
			unmadeBy = ev
			run = &critmin.LotEdge{Kind: ledger.LinkTransformation, EventID: ev.EventID, EventTime: ev.EventTime, BizLocation: ev.BizLocation, Run: ev.TransformationID}
		}
	}
	unmadeRefused := func() *Claim {
		cl := refused("", noMaker(l.ID, unmadeBy))
		if unmadeBy != nil {
			cl.RetractedBy = []string{unmadeBy.EventID}
		}
		return cl
	}
	if run == nil {
		ev := unmadeBy
		cl := refused("", noMaker(l.ID, ev))
		if ev != nil {
			cl.RetractedBy = []string{ev.EventID}
		}
		return cl, nil
	}
	site := run.BizLocation
	model := ""
	if st, ok := sites[siteKey(site)]; ok {
		model = st.CustodyModel
	}
	if model != MassBalance && unmadeBy != nil {
		return unmadeRefused(), nil
	}
	if model != MassBalance {
		return refused(site, noDeclaration(l.ID, l.Commodity, site, model)), nil
	}
	vs, err := s.MassBalanceVersions(ctx, site)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND && unmadeBy != nil {
		return unmadeRefused(), nil
	}
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return refused(site, noDeclaration(l.ID, l.Commodity, site, model)), nil
	}
	if err != nil {
		return nil, err
	}
	periods := sortedPeriods(vs[len(vs)-1])
	// The claim is booked in the period of the event that made it (a
	// later ObjectEvent ADD may claim a lot made earlier).
	at := run.EventTime
	claimEv, claimAt := "", time.Time{}
	if f, ok := s.(claimEventFinder); ok {
		ces, err := f.ClaimEvents(ctx, []string{l.ID})
		if err != nil {
			return nil, err
		}
		if ce, ok := ces[l.ID]; ok {
			claimEv, claimAt = ce.Event, ce.At
			if ce.At.After(at) {
				at = ce.At
			}
		}
	}
	idx := -1
	for i, p := range periods {
		f, t := periodSpan(p)
		if !at.Before(f) && at.Before(t) {
			idx = i
		}
	}
	made := runWords(run.Run, run.EventID, run.EventTime.UTC().Format(time.RFC3339))
	if idx < 0 {
		return refused(site, noPeriodWords(l.ID, epcis.Canonical(site), claimEv, claimAt, made, run.EventTime, vs[len(vs)-1].Periods)), nil
	}
	mc, err := newMB(ctx, s, vs, nil)
	if err != nil {
		return nil, err
	}
	if mc, err = settleBooked(mc, periods, idx); err != nil {
		return nil, err
	}
	// A claim booked in full although no longer covered reads its share
	// of the deficit now (fix9g): the deficit carries into the next
	// periods and their credits repay it, so the account is replayed
	// through every declared period (no event dated in a period to come
	// changes it) and the claim reads covered again once repaid, naming
	// the credits. The statement of its own period keeps the deficit that
	// period closed with.
	if cl, ok := mc.claims[l.ID]; ok && cl.booked && cl.Status == ClaimRefused && idx < len(periods)-1 {
		all, err := newMB(ctx, s, vs, nil)
		if err != nil {
			return nil, err
		}
		if all, err = settleBooked(all, periods, len(periods)-1); err != nil {
			return nil, err
		}
		if _, ok := all.claims[l.ID]; ok {
			mc, idx = all, len(periods)-1
		}
	}
	if cl, ok := mc.claims[l.ID]; ok {
		if cl.Status == ClaimRefused {
			if err := mc.explainRetractions(periods, idx, nil); err != nil {
				return nil, err
			}
			if err := mc.explainLateFacts(periods, idx, nil); err != nil {
				return nil, err
			}
		} else if err := mc.explainCoveredAgain(periods, idx, nil); err != nil {
			return nil, err
		}
		if err := CheckClaimShares(l.ID, cl); err != nil {
			return nil, err
		}
		if cl.Status == ClaimRefused && cl.booked {
			// Accepted at capture, booked, and left short by a later
			// fact: not covered, never refused (fix9h).
			cp := *cl
			cp.Status = ClaimNotCovered
			return &cp, nil
		}
		return coveredNow(cl, phys, l), nil
	}
	if unmadeBy != nil {
		// Declared before the claim was accepted (judged at its
		// capture) or its claim not stored: refused, naming the run.
		return unmadeRefused(), nil
	}
	return refused(site, noPeriodWords(l.ID, epcis.Canonical(site), claimEv, claimAt, made, run.EventTime, vs[len(vs)-1].Periods)), nil
}

// noPeriodWords is the refusal of a claim on lot that no claim period of
// site books, naming the date that chose the period and why, and the
// periods the site declares (fix9ay). ISO 22095-2 books a claim in the
// period in which it is made: the date is that of claimEvent (claimAt);
// with no claim event known, or one dated before the lot existed, that
// of made (madeAt), the run that made the lot. A date some period does
// hold is never said to be held by none: the claim then was not booked
// for another reason, named with the run.
func noPeriodWords(lot, site, claimEvent string, claimAt time.Time, made string, madeAt time.Time, periods []critmin.ClaimPeriod) string {
	at, why := claimAt, "the date of its claim event "+claimEvent
	switch {
	case claimEvent == "" && made != "":
		at, why = madeAt, "the date of "+made+", which made the lot and its claim"
	case claimEvent != "" && made != "" && claimAt.Before(madeAt):
		at, why = madeAt, fmt.Sprintf("the date of %s, which made the lot (its claim event %s is dated %s, before the lot existed)", made, claimEvent, claimAt.UTC().Format(time.RFC3339))
	}
	var declared []string
	holding := ""
	for _, p := range sortedPeriods(&critmin.MassBalanceDeclaration{Periods: periods}) {
		declared = append(declared, fmt.Sprintf("%s (%s to %s)", p.ID, p.From, p.To))
		if f, t := periodSpan(p); !at.Before(f) && at.Before(t) {
			holding = fmt.Sprintf("%s (%s to %s)", p.ID, p.From, p.To)
		}
	}
	list := "none"
	if len(declared) > 0 {
		list = strings.Join(declared, ", ")
	}
	if holding != "" {
		msg := fmt.Sprintf("claim on lot %s refused: its claim is booked in the period holding %s, %s, which is site %s's period %s, but the account did not book it there", lot, at.UTC().Format(time.RFC3339), why, site, holding)
		if made != "" {
			msg += ": " + made + ", which made the lot, is not in the site's account"
		}
		return msg + " (periods declared: " + list + ")"
	}
	msg := fmt.Sprintf("claim on lot %s refused: a claim is booked in the claim period in which it is made (ISO 22095-2), here the period holding %s, %s; site %s declares no claim period holding that date (periods declared: %s)", lot, at.UTC().Format(time.RFC3339), why, site, list)
	if made != "" && !strings.Contains(why, made) {
		msg += "; the lot was made by " + made
	}
	return msg
}

// noMaker is the refusal of a claim on lot that no live transformation
// produced, at capture and when read alike: when ev, the run that made it,
// was declared in error (EPCIS 2.0 §7.4.1.2), it names that run, when and
// why, rather than reading as if no run ever had (fix9v, fix9x).
func noMaker(lot string, ev *critmin.Event) string {
	msg := fmt.Sprintf("claim on lot %s refused: a claim is made by the mass-balance site that produced the lot, and no transformation produced it", lot)
	if ev == nil || ev.ErrorDeclaration == nil {
		return msg
	}
	d := ev.ErrorDeclaration
	when := d.DeclarationTime
	if when.IsZero() {
		when = d.RecordTime
	}
	reason := d.Reason
	if reason == "" {
		reason = "no reason given"
	}
	return fmt.Sprintf("%s that stands: the run that made it, %s, was declared in error on %s (reason %s)", msg,
		runWords(ev.TransformationID, ev.EventID, ev.EventTime.UTC().Format(time.DateOnly)), when.UTC().Format(time.RFC3339), reason)
}

// noDeclaration is the refusal of a claim (field cm:originClaim) on lot
// made at a site that has no mass-balance declaration, at capture and when
// read alike. It names the site, says why it has none — it is not a
// mass-balance site (its cm:custodyModel, or none stated), or it is one
// that has not declared — and what to declare: the custody model where it
// is not mass_balance, then the declaration with a material category for
// the lot's commodity and claim periods (ISO 22095-2).
func noDeclaration(lot, commodity, site, model string) string {
	site = epcis.Canonical(site)
	product := "the claimed product"
	if commodity != "" {
		product = commodity
	}
	declare := fmt.Sprintf("a mass-balance declaration for site %s (PUT /api/v1/sites/{site}/mass-balance, or critmin massbalance declare --site %s) with a material category whose product is %s — its input commodities, qualifying elements and conversion factor — and the claim periods", site, site, product)
	if model == MassBalance {
		return fmt.Sprintf("claim on lot %s refused: site %s has no mass-balance declaration, so it declares no material category and no claim period for the claim to draw on; declare %s", lot, site, declare)
	}
	runs := fmt.Sprintf("its master data states cm:custodyModel %s", model)
	if model == "" {
		runs = "its master data states no cm:custodyModel"
	}
	return fmt.Sprintf("claim on lot %s refused: site %s is not a mass-balance site and has no mass-balance declaration (%s), so only physical origin applies to what it makes; to make claims there, first declare the site's cm:custodyModel mass_balance in its master data (an EPCIS BusinessLocation attribute), then declare %s", lot, site, runs, declare)
}

// coveredNow states an accepted claim against the lot as it is now
// (Claim.Contains, Claim.NotCovered, Claim.Retired). What the lot
// contains now is its physical origin's figure (phys, Composition.held):
// its dry tonnes × its own assay, each element capped at what the runs
// that made it put in where a run gains it (element_gain; comp.grade,
// capsFor) — the claimed view never counts as held the metal the
// physical view refuses to count (issue 9, fix9ab). A lot whose grade of
// a qualifying element is not measured now is left as claimed.
//
// The reading follows ISO 22095-2 (mass balance): a claim is a share of
// the output it is made on, and the credit it retires when it is made
// stays retired. So, with now the tonnes of qualifying element the lot
// holds now and, for each origin c, share_c its stated share and
// debit_c = Tonnes × share_c the credit it retired (the statement's
// claim entry):
//
//	attributed_c = min(debit_c, share_c × now)   (ByCountry[c].Tonnes)
//	shown share  = attributed_c ÷ now            (ByCountry[c].Share)
//	not covered  = max(0, 1 − Tonnes ÷ now)      (NotCovered)
//
// A lot holding more than the claim was made on (a later weighing) shows
// the claim as the smaller share it covers and the rest not covered
// (1 t claimed of 1.5 t: 66.7 %, 33.3 % not covered). A lot holding less
// (its own lower reassay, fix9g; a sibling output's higher reassay that
// caps it, fix9ac) keeps its stated shares of what it holds: 0.8 of a lot
// holding 0.166667 t attributes 0.133333 t, never the 0.2 t it retired
// when the lot held 0.25 t — a claim never attributes more metal to an
// origin than the lot holds. The credit it retired beyond what it
// attributes is listed (Retired, RetiredNote) and is not freed: the
// account keeps the debit, so a later figure that lowers the lot frees no
// credit for another claim, and one that restores it (the sibling's
// reassay declared in error) finds the credit still there — never a
// wrong pass. Per origin attributed_c ≤ share_c × now and Σ shares + not
// covered ≤ 1 hold in every case: for now ≥ Tonnes the shares are
// Tonnes × share_c ÷ now, whose sum is at most Tonnes ÷ now; for
// now < Tonnes they are the stated shares (sum ≤ 1) and nothing is not
// covered. A lot holding nothing now (now ≤ 0) attributes 0 t at its
// stated shares.
func coveredNow(cl *Claim, phys *Composition, l *critmin.Lot) *Claim {
	if cl.Status != ClaimAccepted || len(cl.Elements) == 0 || phys == nil {
		return cl
	}
	now, ok := phys.held(cl.Elements)
	if !ok {
		return cl
	}
	out := *cl
	out.Contains = now
	out.ByCountry = make([]Share, len(cl.ByCountry))
	var retired []Share
	for i, sh := range cl.ByCountry {
		debit := sh.Tonnes
		sh.Tonnes = math.Min(debit, sh.Share*math.Max(0, now))
		if now > 0 {
			sh.Share = math.Min(sh.Share, sh.Tonnes/now)
		}
		if debit > sh.Tonnes+claimTolerance {
			retired = append(retired, Share{Key: sh.Key, Name: sh.Name, Tonnes: debit, Share: cl.ByCountry[i].Share})
		}
		out.ByCountry[i] = sh
	}
	if now > 0 && cl.Tonnes < now*(1-1e-9) {
		out.NotCovered = math.Max(0, 1-cl.Tonnes/now)
	}
	if len(retired) > 0 {
		out.Retired = retired
		by, ok := assayed(l, cl.Elements)
		out.RetiredNote = retiredNote(&out, now, by, ok && by > now+massTolerance)
	}
	return &out
}

// assayed is what lot l holds of els by its own assays now (dry tonnes
// × GradesOf, uncapped), summed; ok is false where an element's grade
// is not measured. It is never a claimed figure (coveredNow reads the
// physical origin's capped one): only the words of why a lot holds less
// than its assay gives (retiredNote).
func assayed(l *critmin.Lot, els []string) (float64, bool) {
	g := GradesOf(l)
	var t float64
	for _, el := range els {
		x, ok := g[el]
		if !ok {
			return 0, false
		}
		t += l.DryTonnes * x
	}
	return t, true
}

// retiredNote words Claim.Retired: what the claim retired when it was
// made, on what the lot held then, and what it attributes of what the lot
// holds now ("the claim retired 0.2 t Nd+Pr of Pakistan credit when it
// was made, on the 0.25 t Nd+Pr the lot held then; the lot holds
// 0.166667 t Nd+Pr now by its physical origin (0.25 t by its assays,
// capped …), so the claim, a share of what the lot holds, attributes
// 0.133333 t Nd+Pr to Pakistan (80 %); the 0.066667 t beyond stays
// retired …"). capped says the lot holds less than byAssay, its own
// assays' figure, because a run that made it gains.
func retiredNote(cl *Claim, now, byAssay float64, capped bool) string {
	els := strings.Join(cl.Elements, "+")
	var took, gives []string
	var extra float64
	for _, r := range cl.Retired {
		took = append(took, Figure(r.Tonnes)+" t "+els+" of "+r.Name+" credit")
		for _, sh := range cl.ByCountry {
			if sh.Key == r.Key {
				gives = append(gives, Figure(sh.Tonnes)+" t "+els+" to "+r.Name+" ("+Percent(sh.Share)+")")
				extra += r.Tonnes - sh.Tonnes
			}
		}
	}
	why := ""
	if capped {
		why = " by its physical origin (" + Figure(byAssay) + " t by its assays, capped where a run that made it holds more in its outputs than its inputs put in: element_capped)"
	}
	return fmt.Sprintf("the claim retired %s when it was made, on the %s t %s the lot held then; the lot holds %s t %s now%s, so the claim, a share of what the lot holds, attributes %s; the %s t %s beyond stays retired (ISO 22095-2 mass balance: a claim never attributes more than the lot holds, and credit a claim retired is never freed for another claim)",
		andList(took), Figure(cl.Tonnes), els, Figure(now), els, why, andList(gives), Figure(extra), els)
}

// held is what the lot contains now of each of els, summed, as its
// recorded inputs supply it (fillElements: capped per element where a run
// that made it gains it — the excess, of no recorded input, is of
// unknown origin and never held for a claim); ok is false where an
// element's grade is not measured.
func (c *Composition) held(els []string) (float64, bool) {
	var t float64
	for _, el := range els {
		b, ok := c.Elements[el]
		if !ok {
			return 0, false
		}
		t += b.recorded
	}
	return t, true
}

// NotCoveredTonnes is the qualifying element the lot holds now that the
// claim does not cover: Contains − Tonnes, tonnes; 0 when NotCovered is.
func (c *Claim) NotCoveredTonnes() float64 {
	if c.NotCovered <= 0 {
		return 0
	}
	return c.Contains - c.Tonnes
}

// CheckClaim returns the refusal of a lot's claim as an EINVALID error
// naming site, category, period and shortfall; nil if the lot has no
// claim or its claim is covered.
func CheckClaim(ctx context.Context, s Store, id string) error {
	c, err := OriginOf(ctx, s, id, false)
	if err != nil {
		return err
	}
	if c.Claimed.Unbacked() {
		return &critmin.Error{Code: critmin.EINVALID, Message: c.Claimed.Error, Fields: []critmin.FieldError{{Pointer: "/ilmd/cm:originClaim", Reason: c.Claimed.Error}}}
	}
	return nil
}

// joinEdges are the edges a document's event adds to a run it joins, as
// capture stores them (sqldb transformationLinks): its own, its inputs to
// the run's earlier outputs and the run's earlier inputs to its outputs,
// each under the event's ID, so that ledger.RunConsumption counts its inputs
// beside the run's earlier ones (run U4: ua 10 t of K4 stored, ub 90 t in
// the document: K4 puts 100 t into U4).
func joinEdges(run []critmin.LotEdge, p ledgerRun) []critmin.LotEdge {
	out := append([]critmin.LotEdge(nil), p.edges...)
	if len(p.edges) == 0 {
		return out
	}
	tmpl := p.edges[0]
	parents := map[string]critmin.LotEdge{} // an earlier input, with its quantity
	children := map[string]critmin.LotEdge{}
	for _, e := range run {
		if _, ok := parents[e.Parent]; !ok {
			parents[e.Parent] = e
		}
		if _, ok := children[e.Child]; !ok {
			children[e.Child] = e
		}
	}
	newIn := map[string]critmin.LotEdge{}
	newOut := map[string]critmin.LotEdge{}
	for _, e := range p.edges {
		newIn[e.Parent], newOut[e.Child] = e, e
	}
	for _, pid := range sortedKeys(newIn) {
		in := newIn[pid]
		for _, cid := range sortedKeys(children) {
			c := children[cid]
			// This event's input line to an earlier output: consumption,
			// carrying the earlier output line again (Carried).
			out = append(out, critmin.LotEdge{Parent: in.Parent, Child: c.Child, EventID: tmpl.EventID, Kind: tmpl.Kind, ParentQty: in.ParentQty, ParentUOM: in.ParentUOM,
				ChildQty: c.ChildQty, ChildUOM: c.ChildUOM, EventTime: tmpl.EventTime, BizLocation: tmpl.BizLocation, Run: tmpl.Run, Carried: true})
		}
	}
	for _, pid := range sortedKeys(parents) {
		in := parents[pid]
		for _, cid := range sortedKeys(newOut) {
			c := newOut[cid]
			// An earlier input line to this event's output: genealogy
			// only, its consumption already counted (ledger.RunLinks).
			out = append(out, critmin.LotEdge{Parent: in.Parent, Child: c.Child, EventID: tmpl.EventID, Kind: tmpl.Kind, ParentQty: in.ParentQty, ParentUOM: in.ParentUOM,
				ChildQty: c.ChildQty, ChildUOM: c.ChildUOM, EventTime: tmpl.EventTime, BizLocation: tmpl.BizLocation, Run: tmpl.Run, Replay: true})
		}
	}
	return out
}

// inputOfCategory says a commodity earns credits in a category, comparing
// commodities in one spelling (ledger.CanonicalCommodity).
func inputOfCategory(c critmin.MaterialCategory, commodity string) bool {
	commodity = ledger.CanonicalCommodity(commodity)
	for _, in := range c.Inputs {
		if ledger.CanonicalCommodity(in) == commodity {
			return true
		}
	}
	return false
}

// outputOnlyMaker is the latest live TransformationEvent under a
// transformationID that names lot as an output, as an edge without a
// parent (its site and time), for a lot no genealogy edge makes; nil if
// none or the store cannot query events.
func outputOnlyMaker(ctx context.Context, s Store, lot string) (*critmin.LotEdge, error) {
	f, ok := s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	page, err := f.FindEvents(ctx, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleOutput}, Patterns: []string{lot}, Exact: true}}, Limit: 100})
	if err != nil {
		return nil, err
	}
	var out *critmin.LotEdge
	for _, ev := range page.Events {
		if ev.ErrorDeclaration != nil || ev.DeclaredInError != nil || ev.TransformationID == "" || ev.BizLocation == "" {
			continue
		}
		if out == nil || ev.EventTime.After(out.EventTime) {
			out = &critmin.LotEdge{Child: lot, EventID: ev.EventID, Kind: ledger.LinkTransformation, EventTime: ev.EventTime, BizLocation: ev.BizLocation, Run: ev.TransformationID}
		}
	}
	return out, nil
}

// unmadeRuns are the site's runs in [from, to) declared in error after a
// claim on one of their outputs was accepted, whose outputs so claimed no
// live event makes any more (fix9as): each kept, without edges (it earns
// no credit), only so that the account books those claims in full at the
// figure they were accepted at (mc.unmade: the lot as the run made it),
// not covered (ShortOfUnmade). A run live in runs (put back by an
// explaining replay) is not among them. A store that cannot query events
// has none.
func (mc *mbCalc) unmadeRuns(from, to time.Time, live []ledgerRun) ([]ledgerRun, error) {
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	f, ok := mc.s.(liveEventsFinder)
	if !ok {
		return nil, nil
	}
	isLive := map[string]bool{}
	for _, r := range live {
		isLive[r.event] = true
		for _, e := range r.edges {
			isLive[e.EventID] = true
		}
	}
	var out []ledgerRun
	for _, r := range rs {
		if r.run.at.Before(from) || !r.run.at.Before(to) || isLive[r.ev.EventID] || mc.skip[r.ev.EventID] {
			continue
		}
		var lots []string
		for _, q := range r.ev.Quantities {
			lot := epcis.Canonical(q.EPCClass)
			if q.Role != critmin.RoleOutput || slices.Contains(lots, lot) {
				continue
			}
			if err := mc.oc.loadLots([]string{lot}); err != nil {
				return nil, err
			}
			l := mc.oc.lots[lot]
			if l == nil || l.OriginClaim == nil {
				continue
			}
			edges, err := mc.s.LotEdges(mc.ctx, []string{lot}, true)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(edges, func(e critmin.LotEdge) bool { return e.Kind == ledger.LinkTransformation && !mc.drop[e.EventID] }) {
				continue // a live run makes it: its account judges the claim
			}
			if e, err := outputOnlyMaker(mc.ctx, mc.s, lot); err != nil {
				return nil, err
			} else if e != nil {
				continue
			}
			ces, err := mc.claimEvents([]*critmin.Lot{l}, r.run)
			if err != nil {
				return nil, err
			}
			ce := ces[0]
			if !mc.recordedClaim(ce) || ce.Event == r.ev.EventID {
				// A claim in the declared run's own ILMD is withdrawn with
				// it: only the claim's own event releases its debit.
				continue
			}
			evs, err := f.LiveEventsOfLots(mc.ctx, []string{lot})
			if err != nil {
				return nil, err
			}
			var upTo []*critmin.Event
			for _, ev := range evs {
				if !mc.skip[ev.EventID] && !ev.EventTime.After(ce.At) {
					upTo = append(upTo, canonicalLots(ev))
				}
			}
			makers, err := mc.goneMakers(lot, ce, upTo)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(makers, func(g goneFact) bool { return g.ev.EventID == r.ev.EventID }) {
				continue // declared before the claim: refused at its capture
			}
			with := slices.Clone(upTo)
			for _, g := range makers {
				ev := *g.ev
				ev.ErrorDeclaration = nil
				with = append(with, canonicalLots(&ev))
			}
			sort.SliceStable(with, func(i, j int) bool { return with[i].EventTime.Before(with[j].EventTime) })
			rp, _ := ledger.Replay([]string{lot}, with)
			at := rp[lot]
			if at == nil || at.EventCount == 0 {
				continue
			}
			// Identity and the claim are the lot's; the figures, grade
			// and product as the declared event made it.
			was := *l
			was.Quantity, was.UOM, was.WetTonnes, was.DryTonnes, was.Moisture, was.Assays, was.Parts = at.Quantity, at.UOM, at.WetTonnes, at.DryTonnes, at.Moisture, at.Assays, at.Parts
			if at.Commodity != "" {
				was.Commodity = at.Commodity
			}
			if mc.unmade == nil {
				mc.unmade = map[string]goneAssay{}
			}
			mc.unmade[lot] = goneAssay{facts: makers, was: &was}
			lots = append(lots, lot)
		}
		if len(lots) > 0 {
			out = append(out, ledgerRun{key: "unmade:" + r.ev.EventID, event: r.ev.EventID, at: r.run.at, outputs: lots, unmade: true})
		}
	}
	return out, nil
}

// orphanedClaims lists in st.Refused the claims broken because the run
// that made their lot was declared in error: the lot still carries the
// claim (made by another event, an ObjectEvent on it), but no live
// transformation made it any more, so the lot shows the claim refused
// (claimOf) while the account, which books only the claims of lots its
// runs made, would not list it. docs/origin.md: every broken claim is
// listed, in the period its claim event falls in, naming the retracted
// run.
func orphanedClaims(ctx context.Context, s Store, site string, p critmin.ClaimPeriod, st *Statement) error {
	rs, err := retractedRuns(ctx, s, site)
	if err != nil || len(rs) == 0 {
		return err
	}
	listed := map[string]bool{}
	for _, r := range st.Refused {
		listed[r.Lot] = true
	}
	from, to := periodSpan(p)
	for _, r := range rs {
		for _, q := range r.ev.Quantities {
			lot := epcis.Canonical(q.EPCClass)
			if q.Role != critmin.RoleOutput || listed[lot] {
				continue
			}
			l, err := s.FindLot(ctx, lot)
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			if l.OriginClaim == nil {
				continue
			}
			edges, err := s.LotEdges(ctx, []string{l.ID}, true)
			if err != nil {
				return err
			}
			made := false
			for _, e := range edges {
				made = made || e.Kind == ledger.LinkTransformation
			}
			if !made {
				if e, err := outputOnlyMaker(ctx, s, l.ID); err != nil {
					return err
				} else if e != nil {
					made = true
				}
			}
			if made {
				continue // another live run made it: its account judges the claim
			}
			ce := critmin.ClaimEvent{At: r.run.at}
			if f, ok := s.(claimEventFinder); ok {
				ces, err := f.ClaimEvents(ctx, []string{l.ID})
				if err != nil {
					return err
				}
				if c, ok := ces[l.ID]; ok {
					ce = c
				}
			}
			if ce.At.Before(from) || !ce.At.Before(to) {
				continue
			}
			when := r.decl.DeclarationTime
			if when.IsZero() {
				when = r.decl.RecordTime
			}
			name := "run " + r.run.event
			if r.ev.TransformationID != "" {
				name = "run " + r.ev.TransformationID + " (event " + r.run.event + ")"
			}
			listed[lot] = true
			st.Refused = append(st.Refused, RefusedClaim{Lot: l.ID, Event: ce.Event, RetractedBy: []string{r.run.event},
				Error: fmt.Sprintf("claim on lot %s refused: %s, which made the lot at site %s, was declared in error on %s: no live transformation made the lot, so the claim rests on nothing",
					l.ID, name, epcis.Canonical(site), when.UTC().Format(time.RFC3339))})
		}
	}
	return nil
}
