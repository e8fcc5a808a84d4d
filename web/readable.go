package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Messages shown to operators (a form's field errors, a preview's
// warnings, an import's row errors) are worded by the validator and the
// capture checks with raw identifiers — urn:critmin:demo:lot:…,
// urn:epc:id:sgln:…, https://id.gs1.org/01/…/10/… — as the API's
// problem details must name them. On a page each identifier reads as the
// rest of the UI names it: a site or party by its master-data name, a
// lot, container or bill of lading by the informative tail of its
// identifier, an event by the start of its UUID; the identifier itself
// stays in the element's title and data-id.

// refRE finds an identifier in a message: a URN, an http(s) URI or an
// event's hash ID (CBV 2.0 §8.9: ni:///sha-256;hex?ver=CBV2.0).
var refRE = regexp.MustCompile(`\b(?:urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s,;()<>"'\x60]+|https?://[^\s,;()<>"'\x60]+)|(?i:ni:///sha-256;[0-9a-f]+(?:\?ver=cbv[0-9.]*[0-9])?)`)

// refNames maps identifiers (in canonical form, epcis.Canonical) to the
// names master data gives them.
type refNames map[string]string

// namesOf is the names of sites and parties, keyed by canonical
// identifier.
func namesOf(sites []*critmin.Site, parties []*critmin.Party) refNames {
	out := refNames{}
	for _, s := range sites {
		if s.Name != "" {
			out[epcis.Canonical(s.ID)] = s.Name
		}
	}
	for _, p := range parties {
		if p.Name != "" {
			out[epcis.Canonical(p.ID)] = p.Name
		}
	}
	return out
}

// refNames is the names of the stored sites and parties (namesOf).
func (s *site) refNames(r *http.Request) (refNames, error) {
	sites, err := s.Store.FindSites(r.Context())
	if err != nil {
		return nil, err
	}
	parties, err := s.Store.FindParties(r.Context())
	if err != nil {
		return nil, err
	}
	return namesOf(sites, parties), nil
}

// refLabel is how a page names an identifier: its master-data name, an
// event's UUID shortened, or the tail after the last ':' or '/'
// (REE-2025-003 for urn:critmin:demo:lot:REE-2025-003).
func (n refNames) refLabel(id string) string {
	if name, ok := n[epcis.Canonical(id)]; ok {
		return name
	}
	if u, ok := strings.CutPrefix(strings.ToLower(id), "urn:uuid:"); ok && len(u) > 8 {
		return "event " + u[:8] + "…"
	}
	if h, ok := strings.CutPrefix(strings.ToLower(id), "ni:///sha-256;"); ok && len(h) > 8 {
		return "event " + h[:8] + "…"
	}
	// A GS1 batch/lot or instance in its EPC URN form reads as its lot
	// number or serial, as its Digital Link form does (the tail after
	// /10/ or /21/): urn:epc:class:lgtin:4012345.012345.998877 is
	// 998877, not the company prefix and item reference too (fix15x).
	for _, pre := range []string{"urn:epc:class:lgtin:", "urn:epc:id:sgtin:"} {
		// company.item.lot: the lot (or serial) may hold dots itself.
		if rest, ok := strings.CutPrefix(id, pre); ok {
			if parts := strings.SplitN(rest, ".", 3); len(parts) == 3 && parts[2] != "" {
				return parts[2]
			}
		}
	}
	if i := strings.LastIndexAny(id, ":/"); i > 0 && i < len(id)-1 {
		// The kind the URN names before the tail: an event is "event
		// 027", not a bare "027"; a business transaction type (CBV
		// btt:assayCertificate, a document kind) is its name in words.
		switch kind := strings.ToLower(id[strings.LastIndexAny(id[:i], ":/")+1 : i]); {
		case kind == "event" && strings.HasPrefix(strings.ToLower(id), "urn:"):
			return "event " + id[i+1:]
		case kind == "btt":
			return strings.ToLower(humanTerm("btt:" + strings.TrimRight(id[i+1:], "0123456789")))
		}
		return id[i+1:]
	}
	return id
}

// eventLabel is the text of a link to an event (fix13y): refLabel's
// "event 015" (demo URNs with an event segment) and "event 130a6d0a…"
// (UUIDs, hashes) as they are; any other event ID reads "event " and the
// ID — shortened to its last 24 characters after "…" when it is over 40 —
// never its bare last segment ("2" for urn:nu13:ev:2). The link's title
// carries the full ID.
func eventLabel(id string) string {
	if l := refNames(nil).refLabel(id); strings.HasPrefix(l, "event ") {
		return l
	}
	if r := []rune(id); len(r) > 40 {
		return "event …" + string(r[len(r)-24:])
	}
	return "event " + id
}

// readable escapes a message for HTML with each identifier in it
// replaced by its label, the identifier kept in the title:
// <abbr class="ref" title="urn:…:lot:REE-2025-003" data-id="…">REE-2025-003</abbr>.
// A trailing full stop or colon is punctuation, not the identifier's.
func (n refNames) readable(msg string) template.HTML {
	// Escaped as html/template escapes text (a '+' too, as &#43;).
	esc := func(t string) string { return strings.ReplaceAll(template.HTMLEscapeString(t), "+", "&#43;") }
	var b strings.Builder
	last := 0
	inEvents := false // the identifier continues a list of events after "events"
	for _, m := range refSpans(msg) {
		start, end := m[0], m[1]
		id := msg[start:end]
		before := msg[last:start]
		label := n.refLabel(id)
		// "event urn:uuid:…" reads "event 130a6d0a…", not "event event
		// 130a6d0a…": the label's own word is dropped after the same
		// word, and after the plural through the list it opens ("events
		// 130a6d0a…, 2b7c0000… and 7", not "events event 130a6d0a…,
		// event 2b7c0000…"; issue 15, fix15b).
		lower := strings.ToLower(before)
		rest, isEvent := strings.CutPrefix(label, "event ")
		inEvents = isEvent && (strings.HasSuffix(lower, "event ") || strings.HasSuffix(lower, "events ") || inEvents && listSeparator(before))
		if inEvents {
			label = rest
		}
		// An identifier the message suggests writing ("as a URN, such
		// as urn:critmin:bol:TEST-1") is shown whole: its short label
		// would hide the suggestion in the title.
		if suggests(before) {
			label = id
		}
		b.WriteString(esc(unitSymbols(before)))
		b.WriteString(`<abbr class="ref" title="` + esc(id) + `" data-id="` + esc(id) + `">` + esc(label) + `</abbr>`)
		last = end
	}
	b.WriteString(esc(unitSymbols(msg[last:])))
	return template.HTML(b.String())
}

// listSeparator says whether text between two identifiers joins them in
// one list: ", ", " and ", ", and ", " or ".
func listSeparator(between string) bool {
	switch between {
	case ", ", " and ", ", and ", " or ", ", or ":
		return true
	}
	return false
}

// suggests says whether text before an identifier introduces it as an
// example to write: "such as", "e.g." or "for example".
func suggests(before string) bool {
	b := strings.ToLower(strings.TrimRight(before, " "))
	for _, lead := range []string{"such as", "e.g.", "for example", "for example,", "e.g.,"} {
		if strings.HasSuffix(b, lead) {
			return true
		}
	}
	return false
}

// refSpans are the start and end of each identifier in msg, a trailing
// full stop or colon left out as punctuation.
func refSpans(msg string) [][2]int {
	var out [][2]int
	for _, m := range refRE.FindAllStringIndex(msg, -1) {
		start, end := m[0], m[1]
		for end > start && strings.ContainsRune(".:", rune(msg[end-1])) {
			end--
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

// refIDs are the identifiers msg names, each once, in order: the error
// page lists them under its message, secondary to the names readable
// gives them, for a report or a search.
func refIDs(msg string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range refSpans(msg) {
		if id := msg[m[0]:m[1]]; !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// rec20RE finds a figure followed by a UN/CEFACT Rec 20 code ("46.5 P1",
// "30000 KGM").
// A power of ten's superscript digit ("1 × 10³⁰⁰ KGM", units.Plain)
// counts as a figure's end.
var rec20RE = regexp.MustCompile(`([\d⁰¹²³⁴⁵⁶⁷⁸⁹]) (` + strings.Join(units.Rec20Codes(), "|") + `)\b`)

// cmTermRE finds a term of critmin's mineral namespace in a message
// (cm:originMine, cm:siteKind).
var cmTermRE = regexp.MustCompile(`\bcm:([A-Za-z][A-Za-z0-9_]*)`)

// unitSymbols writes the Rec 20 codes after figures in a message as the
// symbols people read: "46.5 P1" → "46.5 %", "30000 KGM" → "30000 kg";
// critmin's terms as words: "cm:originMine" → "origin mine"; and numbers
// in exponent form in plain decimal: "2e+06" → "2000000" (plainNumbers).
func unitSymbols(msg string) string {
	msg = plainNumbers(msg)
	msg = cmTermRE.ReplaceAllStringFunc(msg, func(m string) string {
		return strings.ToLower(humanTerm(m[len("cm:"):]))
	})
	return rec20RE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := rec20RE.FindStringSubmatch(m)
		return sub[1] + " " + units.Symbol(sub[2])
	})
}
