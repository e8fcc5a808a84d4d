package critmin

import (
	"bytes"
	"context"
	"encoding/json"
	"time"
)

// Mass-balance accounting methods of ISO 22095:2020 §11 (mass balance):
// the credit method counts qualifying content in and out per claim period;
// the rolling-average percentage method lets an output carry at most the
// qualifying share of the inputs over a rolling window of periods.
const (
	MassBalanceCredit         = "credit"
	MassBalanceRollingAverage = "rolling_average"
)

// MassBalanceDeclaration is what a mass-balance site declares for its
// accounting: the material categories whose credits and claims it keeps
// apart, its claim periods, and how credits carry forward and expire.
// It is master data of the site's chain-of-custody system (ISO 22095
// §11.2), stored whole. A new declaration is a new version: it takes
// effect from EffectiveFrom (the start of one of its claim periods) and
// never rewrites a period that is closed or holds a claim — those keep the
// version they were judged under (custody.DeclareMassBalance).
type MassBalanceDeclaration struct {
	Site string `json:"site" default:"the site of the path"`
	// Version numbers a site's declarations from 1, set by the store.
	Version int `json:"version" default:"the next version, numbered by the server"`
	// EffectiveFrom is the date (YYYY-MM-DD) from which this version's
	// method, categories, factors and carry-forward govern the claim
	// periods that start on or after it; earlier periods keep the version
	// in effect at their start. Periods themselves are the latest
	// version's list.
	EffectiveFrom string `json:"effectiveFrom,omitempty" default:"the start of the first claim period not closed or claimed"`
	// Method is MassBalanceCredit (the default) or MassBalanceRollingAverage.
	Method     string             `json:"method" default:"credit"`
	Categories []MaterialCategory `json:"categories"`
	// Periods are the claim periods, [From, To) dates, not overlapping.
	Periods []ClaimPeriod `json:"periods"`
	// CarryForward is how many following periods unused credits stay
	// usable; credits older than that expire at the end of the last one
	// (0: credits expire at the end of their own period). For the rolling
	// average it is the number of earlier periods in the window.
	CarryForward int `json:"carryForward"`
	// DeclaredAt is set by the server when it stores the declaration; a
	// request leaves it out (any value, the zero time included, is
	// refused).
	DeclaredAt time.Time `json:"declaredAt" default:"the time the server stores it"`
}

// MaterialCategory is a material category after ISO 22095 §11.2: inputs of
// the listed commodities earn credits in the qualifying elements, which
// only outputs of the Product commodity may claim. One input commodity may
// feed several categories whose Elements are disjoint (REE concentrate →
// NdPr oxide on Nd+Pr and → La/Ce carbonate on La+Ce); each counts only
// its own elements. ConversionFactor is the
// process's conversion factor (element in product per element in feed,
// the process's recovery of the element, not an element-to-compound
// ratio such as Nd → Nd2O3 1.166: claims count the product's contained
// element too), in [MinConversionFactor, 1].
type MaterialCategory struct {
	ID               string   `json:"id"`
	Inputs           []string `json:"inputs"`
	Product          string   `json:"product"`
	Elements         []string `json:"elements"`
	ConversionFactor float64  `json:"conversionFactor"`
	// factorStated records that the declaration's JSON stated
	// conversionFactor (NoteStated), so that an explicit 0 is refused as
	// out of range rather than reported missing: JSON decoding alone
	// cannot tell an absent number from 0.
	factorStated bool
}

// FactorStated reports whether the declaration's JSON stated the
// category's conversionFactor (any value, 0 included). A category built
// in Go, never decoded, states a factor when it is not 0.
func (c MaterialCategory) FactorStated() bool { return c.factorStated || c.ConversionFactor != 0 }

// NoteStated records, from the JSON body the declaration was decoded
// from, which of its fields were stated at all, so that validation tells
// an absent field ("missing (required)") from one stated as 0 (out of
// range). A body that does not decode leaves the declaration as it is.
func (d *MassBalanceDeclaration) NoteStated(body []byte) {
	var probe struct {
		Categories []map[string]json.RawMessage `json:"categories"`
	}
	if json.NewDecoder(bytes.NewReader(body)).Decode(&probe) != nil {
		return
	}
	for i, c := range probe.Categories {
		if i >= len(d.Categories) {
			break
		}
		raw, ok := c["conversionFactor"]
		d.Categories[i].factorStated = ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
	}
}

// MinConversionFactor is the smallest conversion factor a declaration
// may state (0.1 %). The factor is the process's recovery of the
// qualifying element into the product (ISO 22095:2020 §11 mass balance:
// the conversion factor is the ratio of product to input of the process),
// at most 1; no recovery process whose output is claimed under a mass
// balance puts less than a thousandth of its feed's element into the
// product, so a smaller figure — 1e-320, a subnormal; 0.0009, a per-cent
// or ppm figure written as a fraction — is a slip, refused naming the
// field rather than accepted as an account that earns nothing
// (docs/origin.md, "The conversion factor").
const MinConversionFactor = 0.001

// ClaimPeriod is one claim period, dates YYYY-MM-DD, From inclusive and
// To exclusive.
type ClaimPeriod struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
}

// MassBalanceStore keeps the sites' mass-balance declarations.
type MassBalanceStore interface {
	// SaveMassBalance stores a site's declaration as its next version and
	// sets d.Version; earlier versions are kept.
	SaveMassBalance(ctx context.Context, d *MassBalanceDeclaration) error
	// FindMassBalance returns a site's latest declaration; ENOTFOUND if
	// none.
	FindMassBalance(ctx context.Context, site string) (*MassBalanceDeclaration, error)
	// MassBalanceVersions returns every version of a site's declaration,
	// oldest first; ENOTFOUND if none.
	MassBalanceVersions(ctx context.Context, site string) ([]*MassBalanceDeclaration, error)
}
