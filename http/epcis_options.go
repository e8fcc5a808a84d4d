package http

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin/ledger"
)

// EPCIS and CBV versions this server speaks (EPCIS 2.0 JSON/JSON-LD; CBV
// 2.0), advertised in GS1-EPCIS-Min/Max and GS1-CBV-Min/Max.
const (
	epcisMin, epcisMax = "2.0.0", "2.0.0"
	cbvMin, cbvMax     = "2.0.0", "2.0.0"
)

// epcisOptionsRoutes registers OPTIONS, with public access, on every /epcis
// path registered so far that has none, and on the EPCIS root /epcis (the
// binding's "/"). It runs last in epcisRoutes, so routes added there later
// are covered too.
func (s *Server) epcisOptionsRoutes() {
	methods := map[string][]string{}
	var paths []string
	for _, p := range s.patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok || (path != "/epcis" && !strings.HasPrefix(path, "/epcis/")) {
			continue
		}
		if _, seen := methods[path]; !seen {
			paths = append(paths, path)
		}
		methods[path] = append(methods[path], method)
	}
	if _, ok := methods["/epcis"]; !ok {
		paths = append(paths, "/epcis")
		methods["/epcis"] = nil
	}
	for _, path := range paths {
		ms := methods[path]
		if slices.Contains(ms, "OPTIONS") {
			continue
		}
		sort.Strings(ms)
		allow := strings.Join(append([]string{"OPTIONS"}, ms...), ", ")
		s.route("OPTIONS "+path, accessPublic, s.epcisOptions(allow))
	}
}

// epcisOptions answers the discovery OPTIONS of one EPCIS resource with 204,
// its Allow list and the headers of the REST binding's
// 204CaptureEndpointDiscovery / 204DefaultDiscoveryResponse (EPCIS 2.0
// OpenAPI, components/responses): GS1-EPCIS-Version/-Min/-Max,
// GS1-CBV-Version/-Min/-Max, GS1-Extensions (the prefix=namespace pairs
// critmin defines: cm, the mineral extension) and the capture limits (GS1-EPCIS-Capture-Limit,
// GS1-EPCIS-Capture-File-Size-Limit, GS1-Capture-Error-Behaviour).
func (s *Server) epcisOptions(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.epcisHeaders(w)
		h := w.Header()
		h.Set("Allow", allow)
		h.Set("GS1-EPCIS-Min", epcisMin)
		h.Set("GS1-EPCIS-Max", epcisMax)
		h.Set("GS1-CBV-Min", cbvMin)
		h.Set("GS1-CBV-Max", cbvMax)
		h.Set("GS1-Extensions", "cm="+ledger.Namespace)
		w.WriteHeader(http.StatusNoContent)
	}
}
