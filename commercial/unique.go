package commercial

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// listKeys names, by list name, the member that identifies an item of a
// list of objects in a term sheet or an agreement: two items with one key
// would count one thing twice (a refining charge, a basket oxide, a
// splitting limit, a tranche…). Penalties are not keyed (an analyte may
// have several bands, whose overlaps Validate refuses).
var listKeys = map[string]string{
	"payables":   "element",
	"rc":         "element",
	"oxides":     "oxide",
	"limits":     "analyte",
	"tranches":   "id",
	"milestones": "id",
	"parties":    "id",
}

// duplicateItems refuses a document in which a list holds one item twice:
// a list of strings or numbers the same value (analytes, QP options,
// commodities, a tranche's contracts), a keyed list of objects
// (listKeys) the same key, any other list of objects the same object.
// Each repeat is named by its pointer and the index of its first
// occurrence. what names the document ("term sheet", "agreement").
func duplicateItems(b []byte, what string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil // the decoder of the document reports it
	}
	var fe []critmin.FieldError
	var walk func(at, name string, v any)
	walk = func(at, name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), k, e)
			}
		case []any:
			first := map[string]int{}
			for i, e := range x {
				item := fmt.Sprintf("%s/%d", at, i)
				walk(item, "", e)
				id, label := itemIdentity(e, listKeys[name])
				if id == "" {
					continue
				}
				if j, ok := first[id]; ok {
					fe = append(fe, critmin.FieldError{Pointer: item + label.pointer, Reason: fmt.Sprintf("%s repeats item %d of the list (%s): a list holds each item once", label.text, j, at)})
					continue
				}
				first[id] = i
			}
		}
	}
	walk("", "", v)
	if len(fe) == 0 {
		return nil
	}
	sort.Slice(fe, func(i, j int) bool { return fe[i].Pointer < fe[j].Pointer })
	return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%s: %s: %s", what, fe[0].Pointer, fe[0].Reason), Fields: fe}
}

type itemLabel struct{ pointer, text string }

// itemIdentity is what makes a list item the same as another: a scalar's
// value (numbers compared as decimals, so 1 and 1.0 are one; an element
// symbol in any case as its IUPAC spelling, so "Cu" and "cu" are one), a
// keyed object's key, else the object's canonical JSON.
func itemIdentity(e any, key string) (string, itemLabel) {
	switch x := e.(type) {
	case string:
		return "s:" + elementSpelling(strings.TrimSpace(x)), itemLabel{"", fmt.Sprintf("%q", x)}
	case json.Number:
		if d, err := decimal.NewFromString(string(x)); err == nil {
			return "n:" + d.String(), itemLabel{"", string(x)}
		}
		return "n:" + string(x), itemLabel{"", string(x)}
	case map[string]any:
		if key != "" {
			if k, ok := x[key].(string); ok && k != "" {
				return "k:" + elementSpelling(strings.TrimSpace(k)), itemLabel{"/" + key, fmt.Sprintf("%s %q", key, k)}
			}
			return "", itemLabel{}
		}
		c, _ := json.Marshal(x) // map keys marshal sorted: canonical
		return "o:" + string(c), itemLabel{"", "this object"}
	}
	return "", itemLabel{}
}
