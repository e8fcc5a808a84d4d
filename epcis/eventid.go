package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/critmin/critmin"
)

// hashIDForm is a CBV 2.0 §8.9 event hash ID in any letter case: the
// ni: scheme (RFC 6920 §3: scheme and algorithm name are case-insensitive),
// 64 hex digits of SHA-256, and the ver parameter — or without it: the
// digest alone names the same event (RFC 6920 §3: query parameters add
// to a name, the hash is the name; issue 8 §2, fixWw: a declaration
// naming its own digest without "?ver=CBV2.0" was stored as its own
// corrective, and one naming an event so did not find it).
var hashIDForm = regexp.MustCompile(`(?i)^ni:///sha-256;([0-9a-f]{64})(\?ver=cbv2\.0)?$`)

// CanonicalEventID returns the one spelling critmin stores and matches for
// an eventID: a UUID URN in lower case (RFC 8141 §3.1: "urn" and the NID
// are case-insensitive; RFC 9562 §4: the hex digits of a UUID are
// case-insensitive on input and lower case on output), any other URN with
// "urn" and its NID in lower case and its NSS as given
// ("URN:critmin:E-1" is "urn:critmin:E-1"), and an event hash ID
// as CBV 2.0 §8.9 writes it ("ni:///sha-256;" + lower-case hex +
// "?ver=CBV2.0", also when given without the ver parameter). Any other URI is kept as given: its comparison rules are
// its scheme's, and critmin does not guess them.
func CanonicalEventID(id string) string {
	if len(id) >= 9 && strings.EqualFold(id[:9], "urn:uuid:") {
		return "urn:uuid:" + strings.ToLower(id[9:])
	}
	if m := hashIDForm.FindStringSubmatch(id); m != nil {
		return "ni:///sha-256;" + strings.ToLower(m[1]) + "?ver=CBV2.0"
	}
	if m := urnForm.FindStringSubmatch(id); m != nil {
		return "urn:" + strings.ToLower(m[1]) + ":" + id[len(m[0]):]
	}
	return id
}

// urnForm is the start of a URN of any namespace (RFC 8141 §2: "urn:",
// a NID of 2–32 letters, digits and hyphens beginning and ending with a
// letter or digit, ":"). The scheme and the NID are case-insensitive
// (§3.1) and written in lower case; the NSS is compared as the namespace
// says, and is kept as given.
var urnForm = regexp.MustCompile(`(?i)^urn:([a-z0-9][a-z0-9-]{0,30}[a-z0-9]):`)

// canonicalEventIDs rewrites the eventID and the correctiveEventIDs of a
// captured event (its JSON object and the decoded event alike) to their
// canonical spellings, so that an event re-sent with its eventID in other
// letters is recognised as a duplicate and a declaration finds the event
// it declares in error. (An event the ledger holds in another spelling,
// stored before this rule, gets that spelling back at capture:
// RespellEventID.)
func canonicalEventIDs(obj map[string]any, ev *critmin.Event) {
	if ev.EventID != "" {
		if c := CanonicalEventID(ev.EventID); c != ev.EventID {
			ev.EventID = c
			obj["eventID"] = c
		}
	}
	if ev.ErrorDeclaration == nil {
		return
	}
	for i, id := range ev.ErrorDeclaration.CorrectiveEventIDs {
		ev.ErrorDeclaration.CorrectiveEventIDs[i] = CanonicalEventID(id)
	}
	m, _ := obj["errorDeclaration"].(map[string]any)
	if ids, ok := m["correctiveEventIDs"].([]any); ok {
		for i, id := range ids {
			if s, ok := id.(string); ok {
				ids[i] = CanonicalEventID(s)
			}
		}
	}
}

// EventIDSpellings returns, for each eventID asked for, its canonical
// spelling (CanonicalEventID) and, when it differs, the spelling as given:
// events captured before eventIDs were canonicalised keep theirs, and are
// found by it.
func EventIDSpellings(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, CanonicalEventID(id))
		if c := out[len(out)-1]; c != id {
			out = append(out, id)
		}
	}
	return out
}

// RespellEventID gives a decoded event the eventID spelling the ledger
// already holds for it — an event stored before eventIDs were
// canonicalised keeps its spelling (URN:UUID:AB…), and its chained bytes
// are never rewritten — so that re-sending the event in any spelling is
// its duplicate and a declaration in any spelling finds it. stored must
// be canonically equal to ev.EventID (CanonicalEventID); ev.EventID and
// the eventID of ev.Raw are set to it.
func RespellEventID(ev *critmin.Event, stored string) error {
	if stored == ev.EventID {
		return nil
	}
	if CanonicalEventID(stored) != CanonicalEventID(ev.EventID) {
		return fmt.Errorf("epcis: %q is no spelling of eventID %q", stored, ev.EventID)
	}
	dec := json.NewDecoder(bytes.NewReader(ev.Raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("epcis: respell eventID: %w", err)
	}
	obj["eventID"] = stored
	raw, err := marshalStored(obj)
	if err != nil {
		return fmt.Errorf("epcis: respell eventID: %w", err)
	}
	ev.EventID, ev.Raw = stored, raw
	return nil
}
