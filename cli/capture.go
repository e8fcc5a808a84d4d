package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/units"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

func runCapture(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "capture", "capture [--db DSN | --url URL --token TOKEN] [--behaviour rollback|proceed] [--batch N] FILE...")
	dsn := dbFlag(fs, env)
	base := fs.String("url", envOr(env, "CRITMIN_URL", ""), "capture through a running server at this base URL instead of opening --db (env CRITMIN_URL)")
	token := fs.String("token", envOr(env, "CRITMIN_TOKEN", ""), "API token for --url (env CRITMIN_TOKEN)")
	behaviour := fs.String("behaviour", critmin.BehaviourRollback, "on invalid events: rollback (store nothing) or proceed (store the valid ones)")
	batch := fs.Int("batch", 1000, "split documents with more events than this into several capture jobs")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	ctx, _ = startProgress(ctx, env, *showProgress, "capture")
	if fs.NArg() == 0 {
		return usagef("capture: name at least one EPCIS document file")
	}
	if *batch < 1 {
		return usagef("--batch: must be at least 1")
	}
	if *behaviour != critmin.BehaviourRollback && *behaviour != critmin.BehaviourProceed {
		return usagef("--behaviour: %q is not rollback or proceed", *behaviour)
	}
	var send func(ctx context.Context, body []byte) (*critmin.CaptureJob, error)
	if *base != "" {
		if *token == "" {
			return usagef("--token: required with --url")
		}
		client := &http.Client{Timeout: 5 * time.Minute}
		send = func(ctx context.Context, body []byte) (*critmin.CaptureJob, error) {
			return remoteCapture(ctx, client, strings.TrimSuffix(*base, "/"), *token, *behaviour, body)
		}
	} else {
		// A mistyped --db is refused ("no database at …"), not created:
		// critmin init or critmin serve creates a database.
		store, err := OpenStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer store.Close()
		svc := custody.NewService(store)
		if env.Now != nil {
			svc.Now = env.Now
		}
		send = func(ctx context.Context, body []byte) (*critmin.CaptureJob, error) {
			return svc.Capture(ctx, ledger.CaptureRequest{Body: body, Behaviour: *behaviour, Token: "cli", XML: IsXML(body)})
		}
	}
	failed := false
	for _, file := range fs.Args() {
		body, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		chunks, total, err := SplitDocument(body, *batch)
		if err != nil {
			return fmt.Errorf("capture %s: %w", file, err)
		}
		done, stored := 0, 0
		prog := critmin.Progress(ctx)
		// One document shows its validation and storing; a split one, its
		// chunks.
		sendCtx := ctx
		if len(chunks) > 1 {
			sendCtx = critmin.WithProgress(ctx, nil)
			prog(file, 0, int64(total))
		}
		for _, c := range chunks {
			job, err := send(sendCtx, c.Body)
			if err != nil && c.Events == 0 {
				return fmt.Errorf("capture %s: %w", file, err)
			} else if err != nil {
				return fmt.Errorf("capture %s (events %d–%d): %w", file, done, done+c.Events-1, err)
			}
			done += c.Events
			stored += job.Stored
			if !job.Success {
				failed = true
				// Each error once, however often the job lists it.
				seen := map[[2]string]bool{}
				for _, e := range job.Errors {
					if k := [2]string{e.Pointer, e.Detail}; !seen[k] {
						seen[k] = true
						// A conflict with the record (409) is told from a
						// malformed event (400): the record, not the
						// file, may be what needs correcting.
						kind := ""
						if e.Status == http.StatusConflict {
							kind = "conflicts with the record: "
						}
						fmt.Fprintf(env.Stderr, "%s: %s: %s%s\n", file, e.Pointer, kind, e.Detail)
					}
				}
				if job.ErrorsOmitted > 0 {
					fmt.Fprintf(env.Stderr, "%s: %s errors in all; the first %s are listed, %s more are not\n", file, units.Int(job.ErrorCount), units.Int(len(job.Errors)), units.Int(job.ErrorsOmitted))
				}
			}
			if len(chunks) > 1 {
				prog(file, int64(done), int64(total))
			}
			fmt.Fprintf(env.Stdout, "%s\tcapture %s\tstored %d\tduplicates %d\terrors %d\n", file, job.CaptureID, job.Stored, len(job.Duplicates), max(job.ErrorCount, len(job.Errors)))
		}
	}
	if failed {
		return fmt.Errorf("capture: some events were rejected (see above)")
	}
	return nil
}

// Chunk is one capture request cut from a larger document.
type Chunk struct {
	Body   []byte
	Events int
}

// SplitDocument cuts an EPCISDocument into documents of at most n events
// each, keeping its @context and header (master data travels with the
// first chunk only). Other bodies are returned whole.
func SplitDocument(body []byte, n int) ([]Chunk, int, error) {
	if IsXML(body) {
		// An XML document (EPCIS 2.0 or 1.2) is captured whole; the
		// capture limit still applies to it.
		return []Chunk{{Body: body, Events: 0}}, 0, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, 0, fmt.Errorf("not JSON: %w", err)
	}
	var typ string
	_ = json.Unmarshal(doc["type"], &typ)
	var eb map[string]json.RawMessage
	if typ != "EPCISDocument" || json.Unmarshal(doc["epcisBody"], &eb) != nil {
		return []Chunk{{Body: body, Events: 1}}, 1, nil
	}
	var events []json.RawMessage
	if err := json.Unmarshal(eb["eventList"], &events); err != nil {
		return []Chunk{{Body: body, Events: 0}}, 0, nil
	}
	if len(events) <= n {
		return []Chunk{{Body: body, Events: len(events)}}, len(events), nil
	}
	var out []Chunk
	for start := 0; start < len(events); start += n {
		part := events[start:min(start+n, len(events))]
		d := make(map[string]json.RawMessage, len(doc))
		for k, v := range doc {
			if k == "epcisHeader" && start > 0 {
				continue
			}
			d[k] = v
		}
		list, _ := json.Marshal(part)
		d["epcisBody"], _ = json.Marshal(map[string]json.RawMessage{"eventList": list})
		b, err := json.Marshal(d)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, Chunk{Body: b, Events: len(part)})
	}
	return out, len(events), nil
}

// IsXML reports whether a capture file is XML rather than JSON: its first
// character (after a byte-order mark and white space) is "<".
func IsXML(body []byte) bool {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	return len(b) > 0 && b[0] == '<'
}

// remoteCapture posts a document to a server's /epcis/capture.
func remoteCapture(ctx context.Context, client *http.Client, base, token, behaviour string, body []byte) (*critmin.CaptureJob, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/epcis/capture", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/ld+json")
	if IsXML(body) {
		req.Header.Set("Content-Type", "application/xml")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("GS1-Capture-Error-Behaviour", behaviour)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusAccepted {
		return nil, serverProblem(resp, data, "")
	}
	var job critmin.CaptureJob
	if err := json.Unmarshal(data, &job); err != nil {
		return nil, fmt.Errorf("decode capture job: %w", err)
	}
	return &job, nil
}
