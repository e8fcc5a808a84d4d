package ledger

import (
	"sort"

	"github.com/critmin/critmin/country"
)

// IsCountry reports whether code is an ISO 3166-1 alpha-3 code.
func IsCountry(code string) bool { return country.Valid(code) }

// CountryName returns the English short name of an alpha-3 code, or the
// code itself when unknown.
func CountryName(code string) string { return country.Name(code) }

func sortStrings(s []string) { sort.Strings(s) }
