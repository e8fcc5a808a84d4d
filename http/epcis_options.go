package http

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"runtime/debug"

	"github.com/critmin/critmin"

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
		// A named query or subscription that does not exist is a 404
		// (the binding lists 404ResourceNotFound for OPTIONS on them).
		if name := r.PathValue("queryName"); name != "" {
			if _, err := s.Store.FindNamedQuery(r.Context(), name); err != nil {
				s.Error(w, r, err)
				return
			}
			if id := r.PathValue("subscriptionID"); id != "" {
				if _, err := s.Store.FindSubscription(r.Context(), name, id); err != nil {
					s.Error(w, r, err)
					return
				}
			}
		}
		// So is a value of a top-level resource no event carries
		// (openapi.yaml: 404ResourceNotFound on /bizSteps/{bizStep} …).
		if err := s.vocabValueExists(r); err != nil {
			s.queryError(w, r, err)
			return
		}
		s.epcisHeaders(w)
		h := w.Header()
		h.Set("Allow", allow)
		h.Set("GS1-EPCIS-Min", epcisMin)
		h.Set("GS1-EPCIS-Max", epcisMax)
		h.Set("GS1-CBV-Min", cbvMin)
		h.Set("GS1-CBV-Max", cbvMax)
		h.Set("GS1-Extensions", "cm="+ledger.Namespace)
		// The EPC formats GS1-EPC-Format may ask for (epcis.ParseEPCFormat;
		// the binding's "used by the server to announce which EPC formats
		// are supported"), and the CBV form of XML results: URNs, as
		// EPCIS 2.0 §9.3 keeps them (epcis.QueryDocumentXML).
		h.Set("GS1-EPC-Format", "No_Preference, Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates")
		h.Set("GS1-CBV-XML-Format", "Always_URN")
		h.Set("GS1-Vendor-Version", "critmin-"+vendorVersion())
		if strings.Contains(r.URL.Path, "/subscriptions") {
			// The binding's subscription discovery: how far back
			// initialRecordTime may reach (the whole ledger is kept).
			h.Set("GS1-Query-Min-Record-Time", "1970-01-01T00:00:00Z")
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// negotiate refuses, on /epcis routes, with 406 NotAcceptableException
// (REST binding, components/responses/406NotAcceptable) a request this
// server cannot answer as asked: an Accept header none of whose types it
// produces (JSON, JSON-LD, XML, problem+json), or an EPCIS or CBV version
// (GS1-EPCIS-Version, GS1-EPCIS-Min/-Max, GS1-CBV-Version, GS1-CBV-Min/-Max
// request headers) that excludes the 2.0.0 it speaks. Every such header
// at fault is named.
func (s *Server) negotiate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isEPCIS(r) {
			next.ServeHTTP(w, r)
			return
		}
		var errs []critmin.FieldError
		if acc := r.Header.Get("Accept"); acc != "" && !acceptable(acc) {
			errs = append(errs, critmin.FieldError{Pointer: "Accept", Reason: fmt.Sprintf("%q: this server answers application/json, application/ld+json or application/xml", acc)})
		}
		for _, v := range []struct{ name, speaks string }{{"GS1-EPCIS", epcisMax}, {"GS1-CBV", cbvMax}} {
			if h := r.Header.Get(v.name + "-Version"); h != "" && compareVersion(h, v.speaks) != 0 {
				errs = append(errs, critmin.FieldError{Pointer: v.name + "-Version", Reason: fmt.Sprintf("%q: this server speaks %s only", h, v.speaks)})
			}
			if h := r.Header.Get(v.name + "-Min"); h != "" && compareVersion(h, v.speaks) > 0 {
				errs = append(errs, critmin.FieldError{Pointer: v.name + "-Min", Reason: fmt.Sprintf("%q: this server speaks %s only", h, v.speaks)})
			}
			if h := r.Header.Get(v.name + "-Max"); h != "" && compareVersion(h, v.speaks) < 0 {
				errs = append(errs, critmin.FieldError{Pointer: v.name + "-Max", Reason: fmt.Sprintf("%q: this server speaks %s only", h, v.speaks)})
			}
		}
		if len(errs) > 0 {
			s.epcisHeaders(w)
			s.problemTyped(w, r, http.StatusNotAcceptable, "epcisException:NotAcceptableException", errs[0].Pointer+": "+errs[0].Reason, errs)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// acceptable reports whether an Accept header admits a type the EPCIS
// routes produce (RFC 9110 §12.5.1; q=0 excludes).
func acceptable(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
				continue
			}
		}
		switch mt {
		case "*/*", "application/*", "text/*", "application/json", "application/ld+json", "application/xml", "text/xml", "application/problem+json", "text/html":
			return true
		}
	}
	return false
}

// compareVersion compares dotted versions numerically ("2.0" = "2.0.0");
// a part that is no number compares as -1, below any release.
func compareVersion(a, b string) int {
	pa, pb := strings.Split(strings.TrimSpace(a), "."), strings.Split(b, ".")
	for i := 0; i < 3; i++ {
		x, y := 0, 0
		if i < len(pa) {
			if n, err := strconv.Atoi(pa[i]); err == nil {
				x = n
			} else {
				x = -1
			}
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// vendorVersion is the module version of the running build ("devel" for a
// build from a work tree), for GS1-Vendor-Version.
func vendorVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
