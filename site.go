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

// ApplySiteParents reads each of sites (keyed by canonical identifier)
// with the locations it lies inside, up(key) giving the canonical
// identifiers of those it lies directly inside (the GLN of a GLN
// sub-location — an SGLN extension identifies a sub-location inside the
// physical location its GLN identifies, GS1 General Specifications
// §3.4.2, Digital Link AI 254 —, and the elements whose master-data
// children list it, EPCIS 2.0 §8), followed to the top. A site does not
// move, nor does what lies inside it:
//
//   - a site of no country of its own (no master data, or none giving a
//     country) has the one country its ancestors give;
//   - a site inside one of another country (master data stored before
//     capture refused that, ledger checkSiteFixed), or of ancestors in
//     more than one, is in no one country: Country "", every country in
//     CountryVersions (its own first), CountryConflict naming the
//     locations and their countries — so a covered-country rule fails if
//     any is covered, and the origin of a lot first recorded there is in
//     conflict (origin_conflict);
//   - a site of its own country inside one whose country is in conflict
//     (or unknown by conflicting attributes) is in conflict too.
//
// Within is set to the first location it lies directly inside, OwnCountry
// to the country its own master data gives. Sites are read as they were
// before any is changed, so the order of the map does not matter.
func ApplySiteParents(sites map[string]*Site, up func(key string) []string) {
	type own struct {
		id        string
		countries []string
		conflict  string
	}
	snap := make(map[string]own, len(sites))
	for k, s := range sites {
		o := own{id: s.ID, conflict: s.CountryConflict}
		switch {
		case len(s.CountryVersions) > 0:
			o.countries = append([]string(nil), s.CountryVersions...)
		case s.Country != "":
			o.countries = []string{s.Country}
		}
		if len(s.CountryVersions) == 0 && s.CountryConflict == "" {
			s.OwnCountry = s.Country
		}
		snap[k] = o
	}
	for k, s := range sites {
		direct := up(k)
		if len(direct) == 0 {
			continue
		}
		if p, ok := snap[direct[0]]; ok {
			s.Within = p.id
		} else {
			s.Within = direct[0]
		}
		// The ancestors, nearest first, each once (a cycle ends).
		seen := map[string]bool{k: true}
		var anc []string
		for queue := direct; len(queue) > 0; queue = queue[1:] {
			a := queue[0]
			if seen[a] {
				continue
			}
			seen[a] = true
			anc = append(anc, a)
			queue = append(queue, up(a)...)
		}
		me := snap[k]
		countries := append([]string(nil), me.countries...)
		var words []string
		conflicted := false
		for _, a := range anc {
			o, ok := snap[a]
			if !ok {
				continue
			}
			switch {
			case o.conflict != "" && len(o.countries) == 0:
				// An ancestor in no known country by conflicting
				// attributes: whatever lies inside it is not shown to lie
				// outside either.
				conflicted = true
				words = append(words, fmt.Sprintf("it lies inside %s, whose country is in conflict (%s)", o.id, o.conflict))
			case len(o.countries) > 0:
				var added []string
				for _, c := range o.countries {
					if !slices.Contains(countries, c) {
						countries = append(countries, c)
						added = append(added, c)
					}
				}
				if o.conflict != "" {
					conflicted = true
					words = append(words, fmt.Sprintf("it lies inside %s (%s), whose country is in conflict (%s)", o.id, strings.Join(o.countries, ", "), o.conflict))
				} else if len(added) > 0 || len(me.countries) > 0 && !slices.Equal(o.countries, me.countries) {
					words = append(words, fmt.Sprintf("it lies inside %s (%s)", o.id, strings.Join(o.countries, ", ")))
				}
			}
		}
		switch {
		case !conflicted && len(countries) == len(me.countries):
			// Nothing an ancestor says differs from the site's own.
		case !conflicted && len(me.countries) == 0 && me.conflict == "" && len(countries) == 1:
			s.Country = countries[0]
		default:
			mine := "it has no country of its own"
			if len(me.countries) > 0 {
				mine = "its own master data gives " + strings.Join(me.countries, ", ")
			}
			if me.conflict != "" {
				mine += " (" + me.conflict + ")"
			}
			s.Country = ""
			s.CountryVersions = countries
			s.CountryConflict = fmt.Sprintf("location %s lies inside another location of another country: %s, and %s — a sub-location is in the country of the location it lies inside (a GLN extension identifies a sub-location of the GLN's location, GS1 General Specifications §3.4.2; master-data children lie inside their parent, EPCIS 2.0 §8), so it is read in every one of them", s.ID, mine, strings.Join(words, "; "))
		}
	}
}

// SubSite is the site of a location no master data or event describes
// (id), lying inside site base (its GLN, for a GLN sub-location): in
// base's country (or its conflict), no other attribute of base's.
func SubSite(base *Site, id string) *Site {
	return &Site{ID: id, Country: base.Country, CountryConflict: base.CountryConflict, CountryVersions: base.CountryVersions, Within: base.ID}
}
