package http

import (
	"net/http"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// epcFormat reads the GS1-EPC-Format request header (default
// Always_GS1_Digital_Link, as the EPCIS 2.0 REST binding gives) and echoes
// the format applied in the response. A bad value is answered with 400.
func (s *Server) epcFormat(w http.ResponseWriter, r *http.Request) (epcis.EPCFormat, bool) {
	f, err := epcis.ParseEPCFormat(r.Header.Get("GS1-EPC-Format"))
	if err != nil {
		s.Error(w, r, err)
		return "", false
	}
	w.Header().Set("GS1-EPC-Format", string(f))
	return f, true
}

// translateEvents returns the events with their identifiers in format f;
// the stored events are not changed.
func (s *Server) translateEvents(events []*critmin.Event, f epcis.EPCFormat) ([]*critmin.Event, error) {
	out := make([]*critmin.Event, len(events))
	for i, ev := range events {
		raw, err := epcis.TranslateEvent(ev.Raw, f, s.GCPLengths)
		if err != nil {
			return nil, err
		}
		c := *ev
		c.Raw = raw
		out[i] = &c
	}
	return out, nil
}

// translateValues writes a list of identifiers in format f, each once.
func (s *Server) translateValues(vals []string, f epcis.EPCFormat) []string {
	seen := make(map[string]bool, len(vals))
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		t := epcis.Translate(v, f, s.GCPLengths)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
