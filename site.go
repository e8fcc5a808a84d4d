package critmin

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin/country"
)

// siteCountryAttrs are the local names of the master-data attributes that
// each give a location's country: the mineral extension's cm:country (an
// ISO 3166-1 code in any form), CBV 2.0 §10's countryCode (alpha-2) and
// the country part of its UN/LOCODE (cm:unLocode: the first two letters
// are the ISO 3166-1 alpha-2 code, UNECE Recommendation 16).
var siteCountryAttrs = []string{"country", "countryCode", "unLocode"}

// SiteCountry reads the country a location's master data gives it, in
// alpha-3, from every country attribute it carries (siteCountryAttrs, in
// any namespace, each value of a repeated attribute). Where they agree —
// or one alone is given — country is that country and conflict is "".
// Where two disagree — cm:country PAK beside countryCode CN — neither can
// be taken: country is "" and conflict names each attribute and value
// ("cm:country PAK, countryCode CN (CHN)"), so that no reader takes the
// friendlier one (issue 9 §5, fixBb). A value that is no ISO 3166-1 code
// is returned as written when it stands alone (capture refuses it; a
// store from before may hold one).
func SiteCountry(attrs map[string]string, values map[string][]string) (alpha3, conflict string) {
	type seen = siteCountrySeen
	var all []seen
	var raw string
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		local := k[strings.LastIndexAny(k, "#:/")+1:]
		known := false
		for _, c := range siteCountryAttrs {
			known = known || local == c
		}
		if !known {
			continue
		}
		for _, v := range attrValues(attrs[k], values[k]) {
			code := v
			if local == "unLocode" {
				if len(strings.TrimSpace(v)) < 2 {
					continue
				}
				code = strings.TrimSpace(v)[:2]
			}
			a3, ok := country.Normalize(code)
			if !ok {
				if local != "unLocode" {
					raw = v
				}
				continue
			}
			all = append(all, seen{siteAttrWords(local), v, a3})
		}
	}
	if len(all) == 0 {
		return raw, ""
	}
	for _, s := range all[1:] {
		if s.a3 != all[0].a3 {
			return "", siteCountryList(all)
		}
	}
	return all[0].a3, ""
}

// SiteCountryWords names the country attributes of a location's master
// data with their values, "countryCode CN (CHN)", as SiteCountry's
// conflict does; "no country" when none is given.
func SiteCountryWords(attrs map[string]string) string {
	var all []siteCountrySeen
	for k, v := range attrs {
		local := k[strings.LastIndexAny(k, "#:/")+1:]
		if !slices.Contains(siteCountryAttrs, local) {
			continue
		}
		code := strings.TrimSpace(v)
		if local == "unLocode" && len(code) >= 2 {
			code = code[:2]
		}
		a3, _ := country.Normalize(code)
		all = append(all, siteCountrySeen{siteAttrWords(local), v, a3})
	}
	if len(all) == 0 {
		return "no country"
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	return siteCountryList(all)
}

type siteCountrySeen struct{ name, val, a3 string }

func siteCountryList(all []siteCountrySeen) string {
	out := make([]string, 0, len(all))
	for _, s := range all {
		w := s.name + " " + s.val
		if s.a3 != "" && strings.ToUpper(strings.TrimSpace(s.val)) != s.a3 {
			w += " (" + s.a3 + ")"
		}
		out = append(out, w)
	}
	return strings.Join(dedupeStrings(out), ", ")
}

// SiteCountryConflict is the reason capture gives for master data of
// element id whose country attributes disagree (SiteCountry's conflict).
func SiteCountryConflict(id, conflict string) string {
	return fmt.Sprintf("the country attributes of %s disagree (%s): a site is in one country — correct the attribute that is wrong, or leave one out", id, conflict)
}

// siteAttrWords is how a country attribute is named to people.
func siteAttrWords(local string) string {
	if local == "countryCode" {
		return local
	}
	return "cm:" + local
}

// attrValues are the values of one attribute: those the capture listed
// (MasterDataElement.AttributeValues), else the elements of a value that
// reads as a JSON array (how a repeated attribute is stored), else the
// value itself.
func attrValues(val string, listed []string) []string {
	if len(listed) > 0 {
		return listed
	}
	if strings.HasPrefix(strings.TrimSpace(val), "[") {
		var list []any
		if json.Unmarshal([]byte(val), &list) == nil {
			out := make([]string, 0, len(list))
			for _, x := range list {
				out = append(out, fmt.Sprint(x))
			}
			return out
		}
	}
	return []string{val}
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
