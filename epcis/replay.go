package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DecodeStored decodes an event as the store keeps it (the JSON capture
// wrote, with its eventID and recordTime, and the @context it was
// captured under) back into the domain event capture produced from it.
// It runs the same field rules as Decode, so a replay of stored events
// goes through capture's own decoding; the JSON Schemas are not run
// again, since they only reject and the event passed them at capture.
// Raw and Context are kept byte for byte.
func DecodeStored(raw, ctx []byte) (*critmin.Event, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("epcis: stored event is not JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("epcis: stored event is not a JSON object")
	}
	var c *Context
	if len(ctx) > 0 {
		var cv any
		if err := json.Unmarshal(ctx, &cv); err != nil {
			return nil, fmt.Errorf("epcis: stored @context is not JSON: %w", err)
		}
		c = parseContext(cv)
	} else {
		c = parseContext(nil)
	}
	val := &validator{ctx: c}
	ev := val.decode(obj)
	if len(val.errs) > 0 {
		return nil, fmt.Errorf("epcis: stored event %v no longer decodes: %s: %s", obj["eventID"], val.errs[0].Pointer, val.errs[0].Reason)
	}
	rt, ok := val.timestamp(obj, "recordTime")
	if !ok {
		return nil, fmt.Errorf("epcis: stored event %v has no recordTime", obj["eventID"])
	}
	ev.RecordTime = rt.UTC()
	ev.Raw = json.RawMessage(raw)
	if len(ctx) > 0 {
		ev.Context = json.RawMessage(ctx)
	}
	return ev, nil
}
