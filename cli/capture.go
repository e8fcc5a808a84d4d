package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

func runCapture(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "capture", "capture [--db DSN | --url URL --token TOKEN] [--behaviour rollback|proceed] [--batch N] [--all-errors] FILE...")
	dsn := dbFlag(fs, env)
	base := fs.String("url", envOr(env, "CRITMIN_URL", ""), "capture through a running server at this base URL instead of opening --db (env CRITMIN_URL)")
	token := fs.String("token", envOr(env, "CRITMIN_TOKEN", ""), "API token for --url (env CRITMIN_TOKEN)")
	behaviour := fs.String("behaviour", critmin.BehaviourRollback, "on invalid events: rollback (store nothing) or proceed (store the valid ones)")
	batch := fs.Int("batch", 0, "split documents with more events than this into several capture jobs, each stored on its own (with --db the whole file is checked first); 0, the default: each file is one job, stored all or nothing, within the capture limit of "+units.Int(ledger.DefaultLimits.MaxEvents)+" events")
	allErrors := fs.Bool("all-errors", false, "list every error of a refused file (with --db: all of them, past the "+units.Int(ledger.MaxReportedErrors)+" a capture keeps), not the first "+units.Int(listedErrors))
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	ctx, _ = startProgress(ctx, env, *showProgress, "capture")
	if fs.NArg() == 0 {
		return usagef("capture: name at least one EPCIS document file")
	}
	if *batch < 0 {
		return usagef("--batch: must be at least 1 (or 0: each file whole)")
	}
	if *behaviour != critmin.BehaviourRollback && *behaviour != critmin.BehaviourProceed {
		return usagef("--behaviour: %q is not rollback or proceed", *behaviour)
	}
	var send func(ctx context.Context, body []byte) (*critmin.CaptureJob, error)
	// validate, with --db, checks a whole file exactly as capture does and
	// stores nothing, listing every error: before the first batch of a
	// split file (so that a refused file leaves nothing stored), and for
	// --all-errors.
	var validate func(ctx context.Context, body []byte) error
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
		validate = func(ctx context.Context, body []byte) error {
			// The whole file, past the capture limit a batch keeps to.
			whole := *svc
			whole.Limits.MaxEvents = 0
			return wholeFileErrors(whole.Validate(ctx, body))
		}
	}
	failed := false
	for _, file := range fs.Args() {
		body, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		n := *batch
		if n == 0 {
			n = math.MaxInt
		}
		if why := jsonFault(body); why != "" {
			// The file is what is wrong: a refusal (exit 2), as
			// epcis hash refuses it.
			return refusef("capture %s: %s", file, why)
		}
		chunks, total, err := SplitDocument(body, n)
		if err != nil {
			return fmt.Errorf("capture %s: %w", file, err)
		}
		prog := critmin.Progress(ctx)
		// One document shows its validation and storing; a split one, its
		// chunks.
		sendCtx := ctx
		if len(chunks) > 1 {
			sendCtx = critmin.WithProgress(ctx, nil)
		}
		// A refused file leaves nothing stored (nu15g item 11: the first
		// 1,000 of 1,500 events stayed stored when the second batch was
		// refused): a file split into batches is checked whole first, and
		// --all-errors lists every error of a refused one.
		if validate != nil && *behaviour == critmin.BehaviourRollback && (len(chunks) > 1 || *allErrors) && !IsXML(body) {
			if err := validate(sendCtx, body); err != nil {
				return captureRefusal(env, file, err, 0, *allErrors, "", "")
			}
		}
		if len(chunks) > 1 {
			prog(file, 0, int64(total))
		}
		done := 0
		var storedIDs []string
		for _, c := range chunks {
			job, err := send(sendCtx, c.Body)
			if err != nil && c.Events == 0 {
				return captureRefusal(env, file, err, 0, *allErrors, "", "")
			} else if err != nil {
				if len(chunks) == 1 {
					if critmin.ErrorCode(err) == critmin.ETOOLARGE && *batch == 0 && !IsXML(body) {
						// Over the capture limit: the file can still be
						// stored, in several jobs.
						return captureRefusal(env, file, err, 0, *allErrors, "", "nothing was stored: --batch N stores it in jobs of N events, each stored on its own (the whole file is checked first)")
					}
					return captureRefusal(env, file, err, 0, *allErrors, "", "")
				}
				// Say exactly what is stored: the batches before this one.
				kept := fmt.Sprintf("events %s–%s of %s (of %s) were refused and none of them was stored", units.Int(done), units.Int(done+c.Events-1), file, units.Count(total, "event"))
				if done > 0 {
					kept += fmt.Sprintf("; events 0–%s were stored before, as %s, and stay stored", units.Int(done-1), strings.Join(storedIDs, ", "))
				}
				if validate == nil {
					kept += " (--url cannot check the whole file before its first batch: capture it without --batch to store it all or nothing)"
				}
				return captureRefusal(env, file, err, done, *allErrors, kept, "")
			}
			storedIDs = append(storedIDs, job.CaptureID)
			if !job.Success {
				failed = true
				listJobErrors(env, file, job, done, *allErrors)
			}
			done += c.Events
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

// listedErrors is how many of a file's errors capture prints without
// --all-errors.
const listedErrors = 100

// eventPointerRE is the event position in a JSON pointer of a capture
// error ("/epcisBody/eventList/200/…"; one event's pointer has none).
var eventPointerRE = regexp.MustCompile(`/epcisBody/eventList/(\d+)`)

// filePointer counts an error pointer of a batch that begins at event
// offset of its file from the file: the 201st event of the second batch
// of 1,000 is /epcisBody/eventList/1200 of the file, not /200.
func filePointer(p string, offset int) string {
	if offset == 0 {
		return p
	}
	return eventPointerRE.ReplaceAllStringFunc(p, func(m string) string {
		i, _ := strconv.Atoi(eventPointerRE.FindStringSubmatch(m)[1])
		return "/epcisBody/eventList/" + strconv.Itoa(i+offset)
	})
}

// printErrors prints a file's errors one to a line, each once: the first
// listedErrors of them, then how many more there are, unless all.
// omitted is how many errors the capture counted but did not list.
func printErrors(env *Env, file string, errs []critmin.CaptureError, omitted int, all bool) {
	seen := map[[2]string]bool{}
	printed, more := 0, 0
	for _, e := range errs {
		k := [2]string{e.Pointer, e.Detail}
		if seen[k] {
			continue
		}
		seen[k] = true
		if !all && printed == listedErrors {
			more++
			continue
		}
		printed++
		// A conflict with the record (409) is told from a malformed
		// event (400): the record, not the file, may be what needs
		// correcting.
		kind := ""
		if e.Status == http.StatusConflict {
			kind = "conflicts with the record: "
		}
		if e.Pointer == "" {
			fmt.Fprintf(env.Stderr, "%s: %s%s\n", file, kind, e.Detail)
		} else {
			fmt.Fprintf(env.Stderr, "%s: %s: %s%s\n", file, e.Pointer, kind, e.Detail)
		}
	}
	switch {
	case more > 0 && omitted > 0:
		// Every error not printed is counted: those kept and not
		// printed, and those the capture counted but did not keep
		// (issue 15, fix15zi: 10,000 errors read "and 900 more").
		fmt.Fprintf(env.Stderr, "%s: … and %s more errors not printed (--all-errors prints %s of them; the capture counted %s more but did not keep them)\n", file, units.Int(more+omitted), units.Int(more), units.Int(omitted))
	case more > 0:
		fmt.Fprintf(env.Stderr, "%s: … and %s more errors (--all-errors prints every one)\n", file, units.Int(more))
	case omitted > 0:
		fmt.Fprintf(env.Stderr, "%s: … and %s more errors the capture counted but did not keep\n", file, units.Int(omitted))
	}
}

// listJobErrors prints the errors of a job stored under proceed, with
// pointers counted from the file (offset: the job's first event in it).
func listJobErrors(env *Env, file string, job *critmin.CaptureJob, offset int, all bool) {
	errs := make([]critmin.CaptureError, len(job.Errors))
	for i, e := range job.Errors {
		e.Pointer = filePointer(e.Pointer, offset)
		errs[i] = e
	}
	printErrors(env, file, errs, job.ErrorsOmitted, all)
}

// captureRefusal prints the field errors of a refused capture one to a
// line (printErrors), pointers counted from the file, and returns the
// refusal's summary alone, not its list on one line (nu15g item 11:
// 10,000 bad events printed as one line of 88,001 characters); kept, when
// not empty, says what of the file is stored, and hint what to do.
func captureRefusal(env *Env, file string, err error, offset int, all bool, kept, hint string) error {
	if hint != "" {
		err = fmt.Errorf("%w; %s", err, hint)
	}
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		if kept != "" {
			return fmt.Errorf("capture %s: %s: %w", file, kept, err)
		}
		return fmt.Errorf("capture %s: %w", file, err)
	}
	errs := make([]critmin.CaptureError, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = critmin.CaptureError{Pointer: filePointer(f.Pointer, offset), Detail: f.Reason}
	}
	printErrors(env, file, errs, e.Omitted, all)
	msg := filePointer(e.Message, offset)
	if e.Omitted > 0 {
		// The refusal says how many of its errors it lists; the lines
		// above list another number, and say how many are left
		// (printErrors): here the message gives the total alone.
		msg = ledger.OmittedNoteRE.ReplaceAllString(msg, " ("+units.Count(len(e.Fields)+e.Omitted, "problem")+" in all)")
	}
	if hint != "" {
		msg += "; " + hint
	}
	if kept != "" {
		msg = kept + ": " + msg
	}
	return &critmin.Error{Code: e.Code, Message: fmt.Sprintf("capture %s: %s (the errors are listed above)", file, msg)}
}

// wholeFileErrors makes ledger.Service.Validate's answer for a whole file
// one refusal listing every error, or nil for a valid file.
func wholeFileErrors(perEvent [][]critmin.FieldError, err error) error {
	if err != nil {
		return err
	}
	var fields []critmin.FieldError
	bad := 0
	for _, fe := range perEvent {
		if len(fe) > 0 {
			bad++
			fields = append(fields, fe...)
		}
	}
	if bad == 0 {
		return nil
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%s of %s are invalid; nothing was stored (the whole file is checked before any of it is stored). First: %s: %s", units.Int(bad), units.Count(len(perEvent), "event"), fields[0].Pointer, fields[0].Reason), Fields: fields}
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
	// A UTF-16 document (XML 1.0 §4.3.3) starts with its byte-order mark,
	// or, without one, with "<" as two bytes (Appendix F.1).
	for _, head := range [][]byte{[]byte("\xfe\xff"), []byte("\xff\xfe"), {0, '<'}, {'<', 0}} {
		if bytes.HasPrefix(body, head) {
			return true
		}
	}
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

// notJSONText says in one sentence why body, which is not XML, is not a
// JSON document, from json's error err (new-user finding nu37b-6: Go's
// "invalid character 'v' looking for beginning of value" was printed
// as is): a file beginning with neither { nor < is neither JSON nor
// XML; one that ends inside a value was cut short; else the line and
// column of the first fault.
func notJSONText(body []byte, err error) string {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] != '{' && trimmed[0] != '[' {
		r, _ := utf8.DecodeRune(trimmed)
		return fmt.Sprintf("the file is neither JSON nor XML: an EPCIS document begins with { (JSON-LD) or < (XML), and this one begins with %q", string(r))
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) || strings.Contains(err.Error(), "unexpected end of JSON input") {
		// io.ErrUnexpectedEOF from a decoder: the input ends inside a
		// value.
		return "the file is not valid JSON: it is cut short, ending inside a value"
	}
	before := body[:min(int(se.Offset), len(body))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	reason := strings.TrimPrefix(se.Error(), "invalid character ")
	return fmt.Sprintf("the file is not valid JSON: at line %d, column %d, unexpected %s", line, col, reason)
}

// jsonFault is the readable refusal text of a JSON body that does not
// parse ("" when it parses or is XML): what capture and epcis hash say
// before anything reads it.
func jsonFault(body []byte) string {
	if IsXML(body) {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(&v)
	if err == io.EOF {
		return ""
	}
	if err == nil {
		if _, ok := v.(map[string]any); ok {
			return ""
		}
		return "the file is not a JSON object: an EPCIS document is one object, {…}"
	}
	return notJSONText(body, err)
}
