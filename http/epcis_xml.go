package http

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

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

// wantsXML reports whether the request asks for the XML binding of query
// results (EPCIS 2.0 §12 REST binding: content negotiation with Accept):
// application/xml or text/xml preferred, by quality value then order,
// over application/json and application/ld+json. Without an Accept header
// (or with */* only) results are JSON-LD.
func wantsXML(r *http.Request) bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "application/xml", "text/xml", "application/json", "application/ld+json":
			if q > bestQ {
				best, bestQ = mt, q
			}
		}
	}
	return bestQ > 0 && (best == "application/xml" || best == "text/xml")
}
