package epcis

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// queryName is what a named query may be called: it is a path segment of
// /queries/{queryName}, so URL-safe characters only.
var queryName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$`)

// CheckQueryName returns an EINVALID error naming "/name" when name
// cannot name a query.
func CheckQueryName(name string) error {
	if !queryName.MatchString(name) {
		return critmin.FieldErrorf("/name", "%q: 1 to 128 letters, digits, '.', '_', '~' or '-', starting with a letter or digit", name)
	}
	return nil
}

// pagingParams belong to one request for results, not to a query.
var pagingParams = map[string]bool{"perPage": true, "nextPageToken": true}

// NamedQueryParams turns the query object of a named query (REST binding
// QueryDefinition, values as query-schema.json types them: lists as
// arrays, EXISTS_ as null or an integer, numbers, date-times, booleans)
// into the parameters of GET /events (lists pipe-delimited), so that a
// named query and the same query in a URL mean the same. Each bad value
// is an error at its JSON pointer under /query.
func NamedQueryParams(raw json.RawMessage) (url.Values, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, critmin.FieldErrorf("/query", "must be a JSON object of query parameters")
	}
	out := url.Values{}
	var errs []critmin.FieldError
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ptr := "/query/" + escape(k)
		if k == "@context" {
			continue // the binding allows it; prefixes resolve through captures
		}
		if pagingParams[k] {
			errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: "paging is given when reading /queries/{name}/events, not in the query"})
			continue
		}
		switch v := obj[k].(type) {
		case nil:
			out.Set(k, "")
		case string:
			out.Set(k, v)
		case json.Number:
			out.Set(k, v.String())
		case bool:
			if strings.HasPrefix(k, "EXISTS_") {
				if v {
					out.Set(k, "")
				}
				continue
			}
			if v {
				out.Set(k, "true")
			} else {
				out.Set(k, "false")
			}
		case []any:
			parts := make([]string, 0, len(v))
			for i, e := range v {
				switch x := e.(type) {
				case string:
					if strings.Contains(x, "|") {
						errs = append(errs, critmin.FieldError{Pointer: ptr + "/" + strconv.Itoa(i), Reason: "a value may not contain |"})
					}
					parts = append(parts, x)
				case json.Number:
					parts = append(parts, x.String())
				default:
					errs = append(errs, critmin.FieldError{Pointer: ptr + "/" + strconv.Itoa(i), Reason: "must be a string or a number"})
				}
			}
			if len(parts) == 0 {
				errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: "an empty list selects nothing; leave the parameter out"})
				continue
			}
			out.Set(k, strings.Join(parts, "|"))
		default:
			errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: "must be a string, number, boolean, null or a list"})
		}
	}
	if len(errs) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	return out, nil
}
