package web

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
)

// unknownFormFields refuses a form body carrying a field the form does
// not have (a mistyped or forged field is never dropped silently): a
// FieldError naming each, for the readable error page. Every HTML form
// handler calls it once the body is parsed, before it reads a value or
// stores anything.
//
// A known name ending in "*" admits every name with that prefix that
// the form's own check (allowed) accepts: the import's "col_*" and
// "def_*" columns. Uploaded files (a multipart body's file parts) are
// fields like the others.
func unknownFormFields(r *http.Request, known ...string) error {
	return unknownFormFieldsFunc(r, nil, known...)
}

// unknownFormFieldsFunc is unknownFormFields with allowed deciding the
// names a prefix ("col_*") admits; nil admits none.
func unknownFormFieldsFunc(r *http.Request, allowed func(name string) bool, known ...string) error {
	// A body the form parser skipped would lose every field: a
	// multipart body is read here (within the route's body limit) for a
	// form whose handler parsed only a URL-encoded one; any other
	// content type is refused.
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data" && r.MultipartForm == nil:
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return critmin.FieldErrorf("form", "the form cannot be read: %v", err)
		}
	case ct != "multipart/form-data" && ct != "application/x-www-form-urlencoded" && r.ContentLength != 0:
		if ct == "" {
			ct = "none"
		}
		return critmin.FieldErrorf("Content-Type", "%s is not a form: send application/x-www-form-urlencoded or multipart/form-data", ct)
	}
	names := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		names = append(names, k)
	}
	if r.MultipartForm != nil {
		for k := range r.MultipartForm.File {
			names = append(names, k)
		}
	}
	var bad []string
	for _, k := range names {
		if slices.Contains(known, k) {
			continue
		}
		if slices.ContainsFunc(known, func(p string) bool {
			return strings.HasSuffix(p, "*") && strings.HasPrefix(k, strings.TrimSuffix(p, "*"))
		}) && allowed != nil && allowed(k) {
			continue
		}
		if q := fmt.Sprintf("%q", k); !slices.Contains(bad, q) {
			bad = append(bad, q)
		}
	}
	if len(bad) == 0 {
		// One value a field: a second value would be dropped silently
		// (the handlers read the first).
		var twice []string
		for k, v := range r.PostForm {
			if len(v) > 1 {
				twice = append(twice, fmt.Sprintf("%q", k))
			}
		}
		if r.MultipartForm != nil {
			for k, v := range r.MultipartForm.File {
				if len(v) > 1 {
					twice = append(twice, fmt.Sprintf("%q", k))
				}
			}
		}
		if len(twice) == 0 {
			return nil
		}
		sort.Strings(twice)
		return critmin.FieldErrorf("form", "field %s sent more than once; send each field once", strings.Join(twice, ", "))
	}
	sort.Strings(bad)
	has := "no field"
	if len(known) > 0 {
		has = strings.Join(known, ", ")
	}
	return critmin.FieldErrorf("form", "unknown field %s; this form has %s", strings.Join(bad, ", "), has)
}

// oneOf refuses a form value outside its vocabulary (an empty value is
// the form's default and passes), naming the field and the values.
func oneOf(r *http.Request, field string, values ...string) error {
	v := r.PostForm.Get(field)
	if v == "" || slices.Contains(values, v) {
		return nil
	}
	return critmin.FieldErrorf(field, "%q is not one of %s", v, strings.Join(values, ", "))
}
