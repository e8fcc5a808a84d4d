package http

import (
	"net/http"

	"github.com/critmin/critmin/epcis"
)

// cbvXMLFormat is the GS1-CBV-XML-Format the request asks XML results to
// write CBV values in; negotiate has already refused a malformed one
// (400), so a value that does not parse here means No_Preference.
func cbvXMLFormat(r *http.Request) epcis.CBVXMLFormat {
	f, err := epcis.ParseCBVXMLFormat(r.Header.Get("GS1-CBV-XML-Format"))
	if err != nil {
		return epcis.CBVNoPreference
	}
	return f
}

// resultType is the media type of a query result the request's Accept
// header asks for (negotiateMedia over queryResultTypes: RFC 9110
// §12.5.1 with q-values and the precedence of specific ranges over
// wildcards): application/ld+json without an Accept header or with */*;
// ok is false when none is acceptable (application/xml;q=0,
// application/json;q=0, or text/html alone), which the caller answers
// with 406 NotAcceptableException.
func resultType(r *http.Request) (mt string, ok bool) {
	return negotiateMedia(r.Header.Get("Accept"), queryResultTypes)
}

// isXMLType reports whether a negotiated type is the XML binding.
func isXMLType(mt string) bool { return mt == "application/xml" || mt == "text/xml" }
