package scenario

import (
	"fmt"
	"slices"

	"github.com/critmin/critmin"
)

// criticalMinerals are the commodities a risk scenario may name: the U.S.
// Geological Survey's 2022 List of Critical Minerals (87 FR 10381, 24
// February 2022), with the rare-earth elements also as the group "rare
// earths" and "platinum group metals", plus copper (USGS final 2025 List
// of Critical Minerals), lower case as the reference data writes them.
var criticalMinerals = []string{
	"aluminum", "antimony", "arsenic", "barite", "beryllium", "bismuth", "cerium", "cesium", "chromium", "cobalt",
	"copper", "dysprosium", "erbium", "europium", "fluorspar", "gadolinium", "gallium", "germanium", "graphite",
	"hafnium", "holmium", "indium", "iridium", "lanthanum", "lithium", "lutetium", "magnesium", "manganese",
	"neodymium", "nickel", "niobium", "palladium", "platinum", "platinum group metals", "praseodymium",
	"rare earths", "rhodium", "rubidium", "ruthenium", "samarium", "scandium", "tantalum", "tellurium", "terbium",
	"thulium", "tin", "titanium", "tungsten", "vanadium", "ytterbium", "yttrium", "zinc", "zirconium",
}

// CriticalMinerals returns the commodities a risk scenario may name (see
// criticalMinerals), sorted.
func CriticalMinerals() []string {
	out := slices.Clone(criticalMinerals)
	slices.Sort(out)
	return out
}

// KnownCommodity reports whether name is a commodity a risk scenario may
// name (see criticalMinerals).
func KnownCommodity(name string) bool { return slices.Contains(criticalMinerals, name) }

// CheckCommodities refuses, with the pointer of each, every commodity a
// measure names that known does not accept: a misspelt or unknown
// commodity would otherwise match nothing, and the scenario would run as
// if it withheld nothing.
func (s *Scenario) CheckCommodities(known func(string) bool, vocabulary string) error {
	var errs []critmin.FieldError
	for i, m := range s.Measures {
		for j, c := range m.Commodities {
			if !known(c) {
				errs = append(errs, critmin.FieldError{Pointer: fmt.Sprintf("/measures/%d/commodities/%d", i, j), Reason: fmt.Sprintf("%q is not a commodity critmin knows (%s)", c, vocabulary)})
			}
		}
	}
	if len(errs) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("scenario %s: %s: %s", s.ID, errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	return nil
}
