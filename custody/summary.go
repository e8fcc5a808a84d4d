package custody

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/ledger"
)

// Origins computes the origin of each lot with OriginOf — the one origin
// function — reading kept mixes where capture keeps them. The lot list,
// lots CSV, identity card, risk ledger sourcing and planner supplies read
// it, so that they agree with the lot page and the certificate.
func Origins(ctx context.Context, s Store, lots []*critmin.Lot) (map[string]*Composition, error) {
	out := make(map[string]*Composition, len(lots))
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	sm := siteMap(sites)
	pm, err := partyNames(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, l := range lots {
		c, err := originWith(ctx, s, l, sm, pm, false)
		if err != nil {
			return nil, fmt.Errorf("custody: origin of %s: %w", l.ID, err)
		}
		out[l.ID] = c
	}
	return out, nil
}

// Headline is the one-line physical origin every view shows: the overall
// origin by contained payable element where an element is measured;
// unknown, "grade not measured", for a lot whose feed carried elements its
// own assays do not measure (with the dry-mass countries beside it);
// else — a lot that carries no element at all — the dry-mass view,
// labelled with its basis.
type Headline struct {
	Basis     string         `json:"basis"` // contained_value, contained_element, grade_not_measured or dry_mass
	ByCountry []OverallShare `json:"byCountry"`
	Text      string         `json:"text"`
	// Covers and Unpriced are set when a value-weighted headline leaves
	// measured elements out for want of a price (Overall).
	Covers   []string `json:"covers,omitempty"`
	Unpriced []string `json:"unpriced,omitempty"`
	// GradeNotMeasured is true for a lot without an assay of its own of
	// the elements its feed carried (NotMeasured lists them): its
	// contained value is not measured, so the headline states no share
	// at all — ByCountry is empty, never "unknown 100 %".
	GradeNotMeasured bool     `json:"gradeNotMeasured,omitempty"`
	NotMeasured      []string `json:"notMeasured,omitempty"`
	// OriginNotMeasured is the part of the lot's contained value (or
	// contained element tonnes) whose origin is unknown because a feed's
	// assay is missing (Overall.OriginNotMeasured): ByCountry's shares
	// are of the whole, this part beside them (fixKk, fixqt).
	OriginNotMeasured *NotMeasuredPart `json:"originNotMeasured,omitempty"`
	// OriginUnknown is the part of the lot's contained value (or
	// contained element tonnes) that came from no recorded input
	// (Overall.OriginUnknown): ByCountry's shares are of the whole, this
	// part beside them, summing to 1 with it (nu37a, fixqt).
	OriginUnknown *NotMeasuredPart `json:"originUnknown,omitempty"`
	// OfWhole is, where OriginUnknown or OriginNotMeasured is set beside
	// country shares, the shares Text gives: of the lot's whole contained
	// value, the parts of unknown origin first (keys origin_unknown,
	// origin_not_measured), then the countries (Overall.OfWhole; nu38b-6).
	OfWhole []OverallShare `json:"ofWhole,omitempty"`
	// Flags are the kinds of the origin's anomalies that say master data
	// contradicts where material came from — origin_conflict (that
	// material counts as unknown) and commissioning_country_differs (read
	// as stated, first recorded in another country, CommissionedIn) —
	// which Text words too: every view that prints the headline (lot
	// list, lots CSV, identity card, certificate) flags the lot as the
	// lot page's anomalies do (issue 9 §5, fixBb).
	Flags []string `json:"flags,omitempty"`
}

// Headline returns the lot's physical origin headline (never a claim),
// flagged where master data contradicts where its material came from
// (Headline.Flags).
func (c *Composition) Headline() Headline {
	h := c.headline()
	if h.Basis != "dry_mass" && len(h.ByCountry) > 0 && (h.OriginUnknown != nil || h.OriginNotMeasured != nil) {
		h.OfWhole = c.Overall.OfWhole()
	}
	conflict := false
	for _, a := range c.Anomalies {
		conflict = conflict || a.Kind == "origin_conflict"
	}
	if conflict {
		h.Flags = append(h.Flags, "origin_conflict")
		h.Text += "; origin conflict: master data contradicts where material of it was mined or first recorded, so that material counts as unknown and no covered-country rule passes on it"
	}
	if len(c.CommissionedIn) > 0 {
		names := make([]string, len(c.CommissionedIn))
		for i, k := range c.CommissionedIn {
			names[i] = country.Name(k)
		}
		h.Flags = append(h.Flags, "commissioning_country_differs")
		h.Text += fmt.Sprintf("; commissioning country differs: material stated to come from elsewhere was first recorded in %s, so it is not shown to lie outside %s", strings.Join(names, ", "), strings.Join(names, ", "))
	}
	return h
}

// Country is the one origin country every view of the lot's physical
// origin gives — the dry-mass view and the headline each name that one
// country, or Unknown — which the lot list's and the lots CSV's origin
// country read (issue 9 §5: the stored, stated country is never shown
// where the origin function says otherwise); "" where the views name
// more than one (a blend: the headline gives its shares).
func (c *Composition) Country() string {
	if c.Overall.OriginUnknown != nil {
		// Metal of no recorded input is of unknown origin: not one
		// country, whatever the recorded feeds were (nu37a).
		return ""
	}
	one := ""
	for _, list := range [][]string{shareKeys(c.Mass.ByCountry), overallKeys(c.headline().ByCountry)} {
		for _, k := range list {
			if one != "" && k != one {
				return ""
			}
			one = k
		}
	}
	return one
}

// PhysicalCountries is the physical origin a covered-country rule reads
// (excluded_countries, its mining stage) and the planner classes a lot's
// supplies by (issue 9 §5: one origin function): countries, sorted, are
// every country of the dry-mass view (every feed, by mass), every
// country holding a share of a measured analyte (an element or an
// aggregate such as TREO) and every country an origin lot stating
// another origin was first recorded in (CommissionedIn); unknown says
// some of the lot's material is of no known country — a feed of unknown
// country in the dry-mass view (no origin recorded, or master data
// contradicting it: origin_conflict), no feed traced at all, or metal of
// no recorded input (element_gain).
//
// An analyte whose origin shares are unknown because a grade on the way
// was not measured — a feed's, or an aggregate such as TREO assayed only
// on the lot, after a move — does not make the lot's country unknown:
// its material came only from the feeds the dry-mass view names, so it
// holds no country that view does not (the rule's "every feed's country
// is known … none is listed"; n9a-3: the planner read such a TREO as
// unknown origin and barred a Pakistani–Myanmar blend from every buyer
// that excludes covered countries).
func (c *Composition) PhysicalCountries() (countries []string, unknown bool) {
	set := map[string]bool{}
	for _, sh := range c.Mass.ByCountry {
		if sh.Key == Unknown {
			unknown = true
			continue
		}
		set[sh.Key] = true
	}
	if len(c.Mass.ByCountry) == 0 {
		unknown = true // no feed traced at all
	}
	for _, a := range c.Analytes() {
		if a.UnknownOrigin > 0 {
			unknown = true
		}
		for _, sh := range a.ByCountry {
			if sh.Key != Unknown && sh.Share > 0 {
				set[sh.Key] = true
			}
		}
	}
	for _, k := range c.CommissionedIn {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set)), unknown
}

func shareKeys(list []Share) []string {
	var out []string
	for _, s := range list {
		if s.Share > 0 || s.Tonnes > 0 {
			out = append(out, s.Key)
		}
	}
	return out
}

func overallKeys(list []OverallShare) []string {
	var out []string
	for _, s := range list {
		if s.Share > 0 || s.Tonnes > 0 {
			out = append(out, s.Key)
		}
	}
	return out
}

// headline is the lot's physical origin headline without its flags.
//
// "Grade not measured" names only the elements GradeNotMeasured returns
// (fix9ah): every element its feed carried for a lot with no assay of its
// own, else those of them its commodity is valued on
// (ledger.PayableElements). A lot that has an assay of its own is never
// said to have none: its headline names what its own assays measure.
func (c *Composition) headline() Headline {
	h := Headline{Basis: c.Overall.Basis, ByCountry: c.Overall.ByCountry}
	notMeasured := c.GradeNotMeasured()
	if (h.Basis == "none" || h.Basis == "grade_not_measured" || len(h.ByCountry) == 0) && len(notMeasured) == 0 && len(c.SharesNotMeasured) > 0 {
		// The lot's own assay measures its elements, but a feed's grade
		// of them was never measured: where they came from is unknown, so
		// no share and no value is stated ("unknown 100 %, US$…" would
		// read as a measured figure).
		h.Basis, h.GradeNotMeasured, h.NotMeasured = "grade_not_measured", true, c.SharesNotMeasured
		h.ByCountry = []OverallShare{}
		h.Text = fmt.Sprintf("contained value by origin not measured (grade not measured): a feed's grade of %s is not measured, so the origin shares of its %s are unknown", strings.Join(c.SharesNotMeasured, ", "), strings.Join(c.SharesNotMeasured, ", "))
		if p := c.Overall.OriginNotMeasured; p != nil {
			// All of its measured metal: the unknown part is stated, 100 %.
			h.OriginNotMeasured = p
			h.Text += fmt.Sprintf(" (%s t, %s of its contained %s)", Figure(p.Tonnes), Percent(p.Share), notMeasuredWeight(c.Overall.Basis, p))
		}
		if known := c.massText(); known != "" {
			h.Text += "; physical countries by dry mass: " + known
		}
		return h
	}
	if (h.Basis == "none" || len(h.ByCountry) == 0) && len(notMeasured) > 0 {
		// A product without an assay of its own of the elements it is
		// valued on: their shares are unknown, not inherited (the lot
		// page's "grade not measured"). The dry-mass view is no stand-in
		// for them; the countries it proves go beside, labelled, so that
		// no covered country hides. Its contained value is not measured:
		// no share is stated (a share of "unknown 100 %" would read as a
		// measured figure).
		h.Basis, h.GradeNotMeasured, h.NotMeasured = "grade_not_measured", true, notMeasured
		h.ByCountry = []OverallShare{}
		if own := c.ownAnalytes(); len(own) == 0 {
			h.Text = fmt.Sprintf("contained value not measured (grade not measured): no assay of its own, so its %s and their origin shares are unknown (not inherited from its feed)", strings.Join(notMeasured, ", "))
		} else {
			// Its own assays measure other analytes (fix9ah): said so,
			// never "no assay of its own".
			h.Text = fmt.Sprintf("contained value not measured (grade not measured): its own assays measure %s but not %s, which its feed carried, so the grade and origin shares of its %s are unknown (not inherited from its feed)",
				strings.Join(own, ", "), strings.Join(notMeasured, ", "), strings.Join(notMeasured, ", "))
			if len(c.SharesNotMeasured) > 0 {
				h.Text += fmt.Sprintf("; a feed's grade of %s is not measured, so the origin shares of its %s are unknown", strings.Join(c.SharesNotMeasured, ", "), strings.Join(c.SharesNotMeasured, ", "))
			}
		}
		if known := c.massText(); known != "" {
			h.Text += "; physical countries by dry mass: " + known
		}
		return h
	}
	if p := c.Overall.OriginUnknown; p != nil && len(h.ByCountry) == 0 {
		// All of its measured metal came from no recorded input: no
		// country is stated for it; the countries its recorded feeds
		// prove, by dry mass, go beside, labelled.
		h.ByCountry, h.OriginUnknown = []OverallShare{}, p
		h.Text = "origin unknown: " + unknownOriginText(p, h.Basis)
		if known := c.massText(); known != "" {
			h.Text += "; physical countries of its recorded feeds by dry mass: " + known
		}
		return h
	}
	if h.Basis == "none" || len(h.ByCountry) == 0 {
		h.Basis, h.ByCountry = "dry_mass", []OverallShare{}
		for _, sh := range c.Mass.ByCountry {
			h.ByCountry = append(h.ByCountry, OverallShare{Key: sh.Key, Name: sh.Name, Tonnes: sh.Tonnes, Share: sh.Share})
		}
	}
	// Shares of the whole: a part of unknown origin leads, and the
	// countries' shares are of the lot's whole contained value, never of
	// the rest alone (nu38b-6: "Pakistan 100.0 %" before "origin
	// unknown").
	whole := h.ByCountry
	if h.Basis != "dry_mass" {
		whole = c.Overall.OfWhole()
	}
	var parts []string
	for _, sh := range whole {
		parts = append(parts, sh.Name+" "+Percent(sh.Share))
	}
	label := map[string]string{"contained_value": "by contained value", "contained_element": "by contained element", "dry_mass": "by dry mass"}[h.Basis]
	if h.Basis == "contained_value" && len(c.Overall.Unpriced) > 0 {
		// Value covers the priced elements only: say which, and which are
		// left out, so that the line is not read as the lot's origin.
		h.Covers, h.Unpriced = c.Overall.Covers, c.Overall.Unpriced
		label = fmt.Sprintf("by contained value of priced elements: %s; %s unpriced (%s of contained element tonnes), not counted — not the lot's whole origin",
			strings.Join(c.Overall.Covers, ", "), strings.Join(c.Overall.Unpriced, ", "), Percent(c.Overall.UnpricedShare))
	}
	h.Text = strings.Join(parts, ", ") + " (" + label + ")"
	if h.Basis != "dry_mass" && len(h.ByCountry) > 0 && h.ByCountry[0].Key == Unknown {
		// Unknown leads the contained-element headline (a feed's assay
		// withdrawn, a grade not measured): the countries the genealogy
		// does prove, by dry mass, go beside it, so that the line never
		// hides a covered country behind "unknown".
		if known := c.massText(); known != "" {
			h.Text += "; physical countries by dry mass: " + known
		}
	}
	if h.Basis != "dry_mass" && len(c.SharesNotMeasured) > 0 {
		h.Text += fmt.Sprintf("; grade not measured: a feed's grade of %s (origin shares unknown, no share or value stated)", strings.Join(c.SharesNotMeasured, ", "))
		if p := c.Overall.OriginNotMeasured; p != nil {
			// The measured metal of unknown origin is a stated part of
			// the lot, never silently dropped: it leads the shares of
			// the whole above, and is said here (fixKk, nu38b-6).
			h.OriginNotMeasured = p
			h.Text += fmt.Sprintf("; origin not measured: %s t of %s, %s of the lot's contained %s",
				Figure(p.Tonnes), strings.Join(p.Elements, ", "), Percent(p.Share), notMeasuredWeight(h.Basis, p))
		}
	}
	if p := c.Overall.OriginUnknown; p != nil && h.Basis != "dry_mass" {
		// Metal of no recorded input is a stated part of the lot, never
		// dropped and never counted to a country (nu37a).
		h.OriginUnknown = p
		h.Text += "; origin unknown: " + unknownOriginText(p, h.Basis)
	}
	if h.Basis != "dry_mass" && len(notMeasured) > 0 {
		// Measured elements give the line; those the feed carried, the
		// lot's assays leave out and its commodity is valued on are
		// named, as on the lot page. Their tonnes are not measured, so
		// the part of the lot the shares leave out cannot be stated: the
		// line says whose shares they are (fixKk).
		h.Text += fmt.Sprintf("; grade not measured: %s (shares unknown, not inherited from its feed; the part of the lot's contained %s they hold is not measured, so the shares above are of %s only)",
			strings.Join(notMeasured, ", "), notMeasuredWeight(h.Basis, nil), strings.Join(c.Overall.Covers, ", "))
	}
	return h
}

// unknownOriginText words a part of metal of no recorded input
// (Overall.OriginUnknown): "0.1 t of Pr, 25.9 % of the lot's contained
// value, came from no recorded input (a run's products held more than its
// inputs put in: element_gain)".
func unknownOriginText(p *NotMeasuredPart, basis string) string {
	return fmt.Sprintf("%s t of %s, %s of the lot's contained %s, came from no recorded input (a run's products held more than its inputs put in: element_gain)",
		Figure(p.Tonnes), strings.Join(p.Elements, ", "), Percent(p.Share), notMeasuredWeight(basis, p))
}

// GradeNotMeasured are the elements of NotMeasured that make the lot's
// origin read "grade not measured" (fix9ah): all of them when the lot has
// no assay of its own (ownAnalytes), else those its commodity is valued
// on (ledger.Payable: every element for a commodity without a list).
// NdPr oxide assayed for Nd and Pr whose feed carried La and Ce: none —
// La and Ce are by-products not assayed (UnassayedByProducts).
func (c *Composition) GradeNotMeasured() []string {
	if len(c.ownAnalytes()) == 0 {
		return c.NotMeasured
	}
	out := []string{}
	for _, e := range c.NotMeasured {
		if ledger.Payable(c.Commodity, e) {
			out = append(out, e)
		}
	}
	return out
}

// UnassayedByProducts are the elements of NotMeasured that
// GradeNotMeasured leaves out: carried by the lot's feed, not measured by
// its own assays and not paid for in its commodity (La and Ce in an NdPr
// oxide). Their shares in the lot are unknown; they do not make its
// origin read "grade not measured" (fix9ah).
func (c *Composition) UnassayedByProducts() []string {
	flagged := c.GradeNotMeasured()
	var out []string
	for _, e := range c.NotMeasured {
		if !slices.Contains(flagged, e) {
			out = append(out, e)
		}
	}
	return out
}

// ownAnalytes are the analytes the lot's own assays measure, sorted:
// its measured elements (Elements, an element assayed at 0 % included)
// and aggregates (TREO).
func (c *Composition) ownAnalytes() []string {
	out := append(sortedKeys(c.Elements), sortedKeys(c.Aggregates)...)
	return out
}

// SharesText words a claim's countries as the physical origin line words
// its own — by name, with custody.Percent: "Pakistan 100.0 %" — and the
// part of the lot no claim covers: "Pakistan 66.7 %; unclaimed 33.3 %".
// That part is "unclaimed", never "not covered", the status of a claim
// that attributes nothing (ClaimNotCovered, fix9ah). The CLI's lot show
// and the lots CSV print it, so that the claimed origin never reads in
// codes beside a physical origin in names.
func (c *Claim) SharesText() string {
	var parts []string
	for _, sh := range c.ByCountry {
		name := sh.Name
		if name == "" {
			name = country.Name(sh.Key)
		}
		parts = append(parts, name+" "+Percent(sh.Share))
	}
	t := strings.Join(parts, ", ")
	if c.NotCovered > 0 {
		t += "; " + Unclaimed + " " + Percent(c.NotCovered)
	}
	if sl := c.ShareOfLotText(); sl != "" {
		t += "; " + sl
	}
	return t
}

// ShareOfLotText words an accepted claim whose stated shares add up to
// less than the whole lot (fix9am; nu9h 7): "claims 75.0 % of the lot
// (0.3 t of 0.4 t Nd+Pr); 25.0 % unclaimed" — a claim at share 0.75 on
// a lot holding 0.4 t Nd+Pr claims 0.75 × 0.4 = 0.3 t, and 0.1 t (25 %)
// no claim covers. Claim.Tonnes is the lot's qualifying content the claim
// was made on, ByCountry's Tonnes what it claims of each origin; this
// says so in words beside the shares. "" for a claim of the whole lot, a
// claim not accepted, or one whose lot now holds more than it debited
// (NotCovered already words the unclaimed part).
func (c *Claim) ShareOfLotText() string {
	if c == nil || c.Status != ClaimAccepted || c.NotCovered > 0 || c.Tonnes <= 0 {
		return ""
	}
	var share, claimed float64
	for _, sh := range c.ByCountry {
		share += sh.Share
		claimed += sh.Tonnes
	}
	if share <= 0 || share >= 1-1e-9 {
		return ""
	}
	// The lot's content the shares are of: claimed ÷ share. It is
	// c.Tonnes unless the claimed view is capped at what the lot holds
	// now (fix9ac: a sibling's reassay left 0.166667 t, claimed 0.8 ×
	// 0.166667 = 0.133333 t), where c.Tonnes (0.25 t, the content the
	// claim was made on) would word 0.133333 t as 80 % of 0.25 t.
	return fmt.Sprintf("claims %s of the lot (%s t of %s t %s); %s %s", Percent(share), Figure(claimed), Figure(claimed/share), strings.Join(c.Elements, "+"), Percent(1-share), Unclaimed)
}

// Unclaimed labels the part of a lot an accepted claim does not cover
// (Claim.NotCovered: the lot now holds more of the qualifying element
// than the claim debited when it was made). The status word "not
// covered" is kept for a claim that attributes nothing
// (ClaimNotCovered): the two never share a word (fix9ah).
const Unclaimed = "unclaimed"

// StatusText is a claim's status in words, the same on every view (lot
// page and list, lots CSV, lot show and origin, origin CSV, certificate;
// the JSON's statusText), so that an accepted claim covering part of the
// lot never reads beside a claim not covered as if it were one (fix9ah):
//
//   - "accepted" — the claim covers what the lot holds of its
//     qualifying elements;
//   - "accepted — covers 93.8 %" — accepted, and the lot now holds more
//     than the claim debited: it covers 1 − NotCovered of it (1.5 t of
//     1.6 t: 93.75 %), the rest is Unclaimed;
//   - "not covered" — accepted at capture, left above the balance by a
//     later fact: it attributes nothing (ClaimNotCovered);
//   - "refused".
func (c *Claim) StatusText() string {
	switch {
	case c == nil:
		return ""
	case c.Status == ClaimAccepted && c.NotCovered > 0:
		return "accepted — covers " + Percent(1-c.NotCovered)
	case c.Status == ClaimNotCovered:
		return "not covered"
	}
	return c.Status
}

// massText is the dry-mass view in one line: "China 75.0 %, Pakistan
// 25.0 %".
func (c *Composition) massText() string {
	var known []string
	for _, sh := range c.Mass.ByCountry {
		known = append(known, sh.Name+" "+Percent(sh.Share))
	}
	return strings.Join(known, ", ")
}

// Contained gives the contained tonnes of each measured element by
// physical origin country, for views in contained metal.
func (c *Composition) Contained() map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for e, b := range c.Elements {
		m := map[string]float64{}
		for _, sh := range b.ByCountry {
			m[sh.Key] += sh.Tonnes
		}
		out[e] = m
	}
	return out
}

// Analytes are the elements and the aggregates (TREO) together: every
// measured analyte's physical origin, for checks that must see any
// share of a country (covered-country rules, the planner's exclusions).
func (c *Composition) Analytes() map[string]Breakdown {
	out := make(map[string]Breakdown, len(c.Elements)+len(c.Aggregates))
	for e, b := range c.Elements {
		out[e] = b
	}
	for a, b := range c.Aggregates {
		out[a] = b
	}
	return out
}

// notMeasuredWeight names what a part of unknown origin is a share of:
// "value" where the lot is weighed by contained value, else "element
// tonnes".
func notMeasuredWeight(basis string, p *NotMeasuredPart) string {
	if basis == "contained_value" || p != nil && p.ValueUSD > 0 {
		return "value"
	}
	return "element tonnes"
}
