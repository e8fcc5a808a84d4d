package http

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"runtime/debug"

	"github.com/critmin/critmin"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// EPCIS and CBV versions this server speaks (EPCIS 2.0 JSON/JSON-LD; CBV
// 2.0), advertised in GS1-EPCIS-Min/Max and GS1-CBV-Min/Max.
const (
	epcisMin, epcisMax = "2.0.0", "2.0.0"
	cbvMin, cbvMax     = "2.0.0", "2.0.0"
	// captureEPCISMin and captureCBVMin are the lowest versions document
	// capture accepts: EPCIS 1.2 XML (with its CBV 1.2 URNs) is mapped to
	// the 2.0 model (epcis.FromXML), so /epcis/capture advertises 1.2.0;
	// queries answer in 2.0 only.
	captureEPCISMin, captureCBVMin = "1.2.0", "1.2.0"
)

// versionRange is the EPCIS and CBV versions a request to path with
// method may use: 1.2.0 to 2.0.0 for document capture, 2.0.0 elsewhere.
// An OPTIONS request is described by the resource's capture range.
func versionRange(method, path string) (epcisLo, cbvLo string) {
	if path == "/epcis/capture" && (method == http.MethodPost || method == http.MethodOptions) {
		return captureEPCISMin, captureCBVMin
	}
	return epcisMin, cbvMin
}

// versionRe is the binding's version syntax (openapi.yaml
// components/schemas/version: ^\d+(\.\d+)*$).
var versionRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

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
		// OPTIONS answers 404 exactly where GET does (the binding lists
		// 404ResourceNotFound for OPTIONS on the resources that may not
		// exist): a named query or subscription, a capture job, an
		// event, a value of a top-level resource no event carries
		// (/bizSteps/{bizStep} …) — but not that value's /events, which
		// GET answers with an empty result. The 404 carries the
		// discovery's version headers too.
		if err := s.optionsResourceExists(r); err != nil {
			s.epcisHeaders(w)
			s.queryError(w, r, err)
			return
		}
		s.epcisHeaders(w)
		h := w.Header()
		h.Set("Allow", allow)
		eLo, cLo := versionRange(r.Method, r.URL.Path)
		h.Set("GS1-EPCIS-Min", eLo)
		h.Set("GS1-EPCIS-Max", epcisMax)
		h.Set("GS1-CBV-Min", cLo)
		h.Set("GS1-CBV-Max", cbvMax)
		h.Set("GS1-Extensions", "cm="+ledger.Namespace)
		// The EPC formats GS1-EPC-Format may ask for (epcis.ParseEPCFormat;
		// the binding's "used by the server to announce which EPC formats
		// are supported"), and the CBV forms of XML results
		// (epcis.ParseCBVXMLFormat).
		h.Set("GS1-EPC-Format", "No_Preference, Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates")
		h.Set("GS1-CBV-XML-Format", "No_Preference, Always_Web_URI, Always_URN, Never_Translates")
		h.Set("GS1-Vendor-Version", "critmin-"+vendorVersion())
		if strings.Contains(r.URL.Path, "/subscriptions") {
			// The binding's subscription discovery: how far back
			// initialRecordTime may reach (the whole ledger is kept).
			h.Set("GS1-Query-Min-Record-Time", "1970-01-01T00:00:00Z")
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// optionsResourceExists is the ENOTFOUND GET on the same path would give,
// or nil.
func (s *Server) optionsResourceExists(r *http.Request) error {
	ctx := r.Context()
	if name := r.PathValue("queryName"); name != "" {
		if _, err := s.Store.FindNamedQuery(ctx, name); err != nil {
			return err
		}
		if id := r.PathValue("subscriptionID"); id != "" {
			if _, err := s.Store.FindSubscription(ctx, name, id); err != nil {
				return err
			}
		}
	}
	if id := r.PathValue("captureID"); id != "" {
		if _, err := s.Store.FindCaptureJob(ctx, id); err != nil {
			return err
		}
	}
	if id := r.PathValue("eventID"); id != "" {
		if _, err := s.Store.FindEventsByID(ctx, id); err != nil {
			return err
		}
	}
	if strings.HasSuffix(r.URL.Path, "/events") {
		return nil
	}
	return s.vocabValueExists(r)
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
		// Malformed headers are a 400 ValidationException, every one
		// named; well-formed ones the server cannot honour a 406.
		var bad, errs []critmin.FieldError
		if acc := r.Header.Get("Accept"); acc != "" && !acceptable(acc) {
			errs = append(errs, critmin.FieldError{Pointer: "Accept", Reason: fmt.Sprintf("%q: this server answers application/json, application/ld+json or application/xml", acc)})
		}
		eLo, cLo := versionRange(r.Method, r.URL.Path)
		for _, v := range []struct{ name, lo, hi string }{{"GS1-EPCIS", eLo, epcisMax}, {"GS1-CBV", cLo, cbvMax}} {
			speaks := v.hi + " only"
			if v.lo != v.hi {
				speaks = v.lo + " to " + v.hi + " here"
			}
			for _, suffix := range []string{"-Version", "-Min", "-Max"} {
				name := v.name + suffix
				h := strings.TrimSpace(r.Header.Get(name))
				if _, sent := r.Header[http.CanonicalHeaderKey(name)]; !sent {
					continue
				}
				if !versionRe.MatchString(h) {
					bad = append(bad, critmin.FieldError{Pointer: name, Reason: fmt.Sprintf("%q is not a version: expected digits separated by dots, such as 2.0.0", h)})
					continue
				}
				var off bool
				switch suffix {
				case "-Version":
					off = compareVersion(h, v.lo) < 0 || compareVersion(h, v.hi) > 0
				case "-Min":
					off = compareVersion(h, v.hi) > 0
				case "-Max":
					off = compareVersion(h, v.lo) < 0
				}
				if off {
					errs = append(errs, critmin.FieldError{Pointer: name, Reason: fmt.Sprintf("%q: this server speaks %s", h, speaks)})
				}
			}
		}
		if _, sent := r.Header["Gs1-Cbv-Xml-Format"]; sent {
			if _, err := epcis.ParseCBVXMLFormat(r.Header.Get("GS1-CBV-XML-Format")); err != nil {
				bad = append(bad, critmin.FieldError{Pointer: "GS1-CBV-XML-Format", Reason: fmt.Sprintf("%q is not one of No_Preference, Always_Web_URI, Always_URN, Never_Translates", strings.TrimSpace(r.Header.Get("GS1-CBV-XML-Format")))})
			}
		}
		if len(bad) > 0 {
			s.epcisHeaders(w)
			s.problemTyped(w, r, http.StatusBadRequest, "epcisException:ValidationException", bad[0].Pointer+": "+bad[0].Reason, bad)
			return
		}
		if len(errs) > 0 {
			s.epcisHeaders(w)
			s.problemTyped(w, r, http.StatusNotAcceptable, "epcisException:NotAcceptableException", errs[0].Pointer+": "+errs[0].Reason, errs)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// acceptable reports whether an Accept header admits a type some EPCIS
// route produces (negotiateMedia over epcisTypes: RFC 9110 §12.5.1, the
// most specific range decides, q=0 excludes).
func acceptable(accept string) bool {
	_, ok := negotiateMedia(accept, epcisTypes)
	return ok
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
