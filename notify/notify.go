// Package notify runs EPCIS query subscriptions (EPCIS 2.0 §8.2.5, REST
// binding /queries/{name}/subscriptions): it turns the events a named
// query selects into notifications in the database's outbox, and
// delivers the outbox to the subscribers' webhooks, signed, with retries
// and exponential backoff.
//
// Nothing lives only in memory. A run writes its notifications and
// advances the subscription's ledger position in one transaction; a
// delivery is claimed for a lease and marked delivered only after the
// webhook answered 2xx. A server killed at any moment leaves either the
// run undone (it is redone) or the notification undelivered (it is
// claimed again when the lease runs out): every notification arrives at
// least once, and the eventIDs in it let the receiver drop repeats. Any
// number of servers on one PostgreSQL database share the work: leases are
// taken with conditional updates and FOR UPDATE SKIP LOCKED.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// SignatureHeader is the header that signs a notification (REST binding,
// components/parameters/GS1-Signature): "sha256=" and the hex HMAC-SHA256
// of the request body under the subscription's signatureToken — the
// binding leaves the algorithm to the implementation and names HMAC with
// SHA-256 as its example.
const SignatureHeader = "GS1-Signature"

// Sign returns the GS1-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret, in
// constant time.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// Defaults of a Dispatcher.
const (
	DefaultInterval    = time.Second
	DefaultLease       = 60 * time.Second
	DefaultBackoffBase = 2 * time.Second
	DefaultBackoffMax  = time.Hour
	// DefaultBatch is the most events one notification carries (the
	// binding: "send each EPCIS event individually or group EPCIS events
	// in manageable batches").
	DefaultBatch = 500
	// DefaultWorkers is how many webhook deliveries a process makes at
	// once, to different subscriptions.
	DefaultWorkers = 16
	// DefaultOwedMemo is how many owed counts a dispatcher remembers
	// (Dispatcher.AddOwed): one per due subscription state, about 300
	// bytes each.
	DefaultOwedMemo = 100_000
	// DefaultMaxAwaiting is how many deliveries may wait for their
	// webhook's answer at once without holding a worker.
	DefaultMaxAwaiting = 1024
)

// Dispatcher runs subscriptions and delivers notifications.
//
// Matching and delivery are independent: one loop turns new events into
// notifications in the outbox, another delivers the outbox through a pool
// of Workers, at most one delivery in flight per subscription (so that a
// subscription's notifications arrive in order). A destination that
// accepts connections and never answers holds up only its own
// subscription, until the client's timeout, and never the queuing of new
// events or another subscription's deliveries: a worker connects and
// writes the request, and once the request is written the delivery waits
// for its answer without holding the worker (up to MaxAwaiting such
// deliveries), so that any number of hanging destinations leave every
// worker free for the others. (A destination that never completes the
// TCP or TLS handshake holds its worker until the client's dial or
// handshake timeout.)
type Dispatcher struct {
	Store  critmin.Store
	Client *http.Client
	Logger *slog.Logger
	// Owner names this process in leases; random by default.
	Owner string
	Now   func() time.Time
	// Interval is how often Run looks for work when not kicked.
	Interval time.Duration
	// Lease is how long a claimed subscription run or delivery is this
	// process's before another may take it. It must exceed the client's
	// timeout, or a slow delivery may be made twice.
	Lease time.Duration
	// BackoffBase and BackoffMax: attempt n failing waits
	// min(BackoffBase × 2^(n−1), BackoffMax) before the next.
	BackoffBase, BackoffMax time.Duration
	Batch                   int
	// Workers bounds the deliveries connecting and sending at once
	// (DefaultWorkers when 0); each subscription has at most one delivery
	// in flight.
	Workers int
	// MaxAwaiting bounds the deliveries whose request is written and
	// that wait for the webhook's answer without a worker
	// (DefaultMaxAwaiting when 0); past it a waiting delivery keeps its
	// worker.
	MaxAwaiting int
	// GCPLengths lets subscriptions with epcFormat Always_EPC_URN write
	// Digital Link identifiers as EPC URNs (docs/identity.md).
	GCPLengths *epcis.GCPLengths
	// OwedMemo bounds the owed counts the dispatcher remembers
	// (AddOwed; DefaultOwedMemo when 0): past it the least recently
	// used count is forgotten.
	OwedMemo int

	// owed remembers owed counts by the stored state they were counted
	// from (AddOwed).
	owed owedMemo

	once                     sync.Once
	kick, deliverKick, freed chan struct{}

	mu     sync.Mutex
	busy   map[string]bool // subscriptions with a delivery in flight
	active int             // deliveries holding a worker
	// awaiting counts the deliveries waiting for an answer without a
	// worker; slot is closed (and replaced) whenever a worker is freed.
	awaiting int
	slot     chan struct{}
	wg       sync.WaitGroup
}

// New returns a dispatcher with the defaults.
func New(store critmin.Store, logger *slog.Logger) *Dispatcher {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Dispatcher{
		Store: store, Logger: logger, Owner: hex.EncodeToString(b[:]), Now: time.Now,
		Client:   &http.Client{Timeout: 30 * time.Second},
		Interval: DefaultInterval, Lease: DefaultLease, BackoffBase: DefaultBackoffBase, BackoffMax: DefaultBackoffMax, Batch: DefaultBatch,
		Workers: DefaultWorkers,
	}
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.kick, d.deliverKick, d.freed = make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{}, 1)
		d.busy = map[string]bool{}
		d.slot = make(chan struct{})
	})
}

// signal wakes whoever waits on c; it never blocks.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Kick asks Run to look for work now (after a capture); it never blocks.
func (d *Dispatcher) Kick() {
	d.init()
	signal(d.kick)
}

// Run works until ctx ends: the matching loop and the delivery loop run
// side by side, and Run returns once both have stopped and the
// deliveries in flight have given back their claims.
//
// Every read the dispatcher makes goes to the primary (critmin.PrimaryReads),
// never to a replica given as serve --db-read: which events a subscription
// is sent, and up to which sequence number it is done, are decisions that
// a lagging replica would get wrong — holding a notification back, or
// (with the primary's newest sequence number and the replica's events)
// skipping it (fix14q).
func (d *Dispatcher) Run(ctx context.Context) {
	ctx = critmin.PrimaryReads(ctx)
	d.init()
	var loops sync.WaitGroup
	loops.Add(1)
	go func() {
		defer loops.Done()
		d.deliverLoop(ctx)
	}()
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		if err := d.runSubscriptions(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("subscriptions", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			loops.Wait()
			return
		case <-t.C:
		case <-d.kick:
		}
	}
}

// deliverLoop starts deliveries while workers are free, and looks again
// when one finishes, when a run queued notifications, or every Interval.
func (d *Dispatcher) deliverLoop(ctx context.Context) {
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		if _, err := d.startDeliveries(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("notifications", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return
		case <-t.C:
		case <-d.deliverKick:
		case <-d.freed:
		}
	}
}

// RunOnce runs the due subscriptions and then delivers the due
// notifications, waiting for the deliveries it started.
func (d *Dispatcher) RunOnce(ctx context.Context) error {
	ctx = critmin.PrimaryReads(ctx) // as Run: decisions read the primary
	d.init()
	if err := d.runSubscriptions(ctx); err != nil {
		return err
	}
	for {
		n, err := d.startDeliveries(ctx)
		d.wg.Wait()
		if err != nil || n == 0 {
			return err
		}
	}
}

func (d *Dispatcher) runSubscriptions(ctx context.Context) error {
	maxSeq, err := d.Store.MaxSeq(ctx)
	if err != nil {
		return err
	}
	now := d.Now()
	subs, err := d.Store.ClaimSubscriptions(ctx, d.Owner, now, now.Add(d.Lease), maxSeq, 50)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := d.run(ctx, s, maxSeq, now); err != nil {
			// The lease runs out and the run is tried again then.
			d.Logger.Warn("subscription run", slog.String("subscription", s.ID), slog.Any("err", err))
		}
	}
	return nil
}

// run turns the events captured since the subscription's last run (ledger
// positions (LastSeq, maxSeq]) that its query selects into notifications.
func (d *Dispatcher) run(ctx context.Context, s *critmin.Subscription, maxSeq int64, now time.Time) error {
	notes, err := runNotes(ctx, d.Store, s, maxSeq, now, d.Batch, func() (map[string][]string, error) { return d.Store.DeclaredPrefixes(ctx) }, func(page []*critmin.Event, format epcis.EPCFormat) (*critmin.Notification, error) {
		events, err := TranslateEvents(page, format, d.GCPLengths)
		if err != nil {
			return nil, err
		}
		body, err := epcis.SubscriptionDocument(events, s.QueryName, s.ID, now)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(page))
		for i, ev := range page {
			ids[i] = ev.EventID
		}
		return &critmin.Notification{SubscriptionID: s.ID, Body: body, EventIDs: ids, CreatedAt: now}, nil
	})
	if err != nil {
		return err
	}
	var next *time.Time
	if !s.Stream && s.Schedule != nil {
		sched, err := epcis.ParseSchedule(s.Schedule, "schedule")
		if err != nil {
			return err
		}
		if t, ok := sched.Next(now); ok {
			next = &t
		}
	}
	if err := d.Store.CompleteRun(ctx, d.Owner, s.ID, notes, maxSeq, next); err != nil {
		return err
	}
	if len(notes) > 0 {
		signal(d.deliverKick)
	}
	return nil
}

// runNotes is one run of subscription s over the ledger positions
// (s.LastSeq, maxSeq]: the notifications it queues, one per page of at
// most batch events its query selects, each made by note — or one
// empty notification for a scheduled subscription with reportIfEmpty,
// or one exception document when the query's maxEventCount is exceeded.
// prefixes resolves the query's CURIEs (the store's DeclaredPrefixes).
// It writes nothing: run stores what it returns, Owed counts it.
func runNotes(ctx context.Context, store critmin.Store, s *critmin.Subscription, maxSeq int64, now time.Time, batch int,
	prefixes func() (map[string][]string, error),
	note func(page []*critmin.Event, format epcis.EPCFormat) (*critmin.Notification, error)) ([]*critmin.Notification, error) {
	nq, err := store.FindNamedQuery(ctx, s.QueryName)
	if err != nil {
		return nil, err
	}
	params, err := epcis.NamedQueryParams(nq.Query)
	if err != nil {
		return nil, err
	}
	f, err := epcis.ParseQueryWith(params, prefixes)
	if err != nil {
		return nil, err
	}
	format, err := epcis.ParseEPCFormat(s.EPCFormat)
	if err != nil {
		return nil, err
	}
	ApplySubscription(&f, s, maxSeq)
	var notes []*critmin.Notification
	err = Pages(ctx, store.FindEvents, f, batch, func(page []*critmin.Event, _ bool) error {
		if len(page) == 0 && (len(notes) > 0 || s.Stream || !s.ReportIfEmpty) {
			return nil
		}
		n, err := note(page, format)
		if err != nil {
			return err
		}
		notes = append(notes, n)
		return nil
	})
	if critmin.ErrorCode(err) == critmin.EQUERYTOOLARGE {
		// The run's answer is the exception, delivered to the callback
		// in place of the events (EPCIS 2.0 §8.2.7.1 maxEventCount).
		body, merr := ExceptionDocument(err, s.QueryName, s.ID)
		if merr != nil {
			return nil, merr
		}
		notes, err = []*critmin.Notification{{SubscriptionID: s.ID, Body: body, CreatedAt: now}}, nil
	}
	return notes, err
}

// Owed counts the notifications subscription s owes that the outbox does
// not hold yet: those of the run that is due now (a stream subscription
// behind the ledger's last position maxSeq, a scheduled one whose next
// run has come), as the dispatcher would queue them with pages of batch
// events (DefaultBatch when 0). It reads only the stored subscription
// (its ledger position and next run) and events, so it is the same on
// every server and after a restart — a server killed between a capture
// and the subscription's run leaves the outbox empty, yet the events are
// owed and delivered once a server runs. A subscription leased to a run
// in progress counts the same until the run writes its notifications.
func Owed(ctx context.Context, store critmin.Store, s *critmin.Subscription, maxSeq int64, now time.Time, batch int) (int, error) {
	if !due(s, maxSeq, now) {
		return 0, nil
	}
	return owed(ctx, store, s, maxSeq, now, batch, func() (map[string][]string, error) { return store.DeclaredPrefixes(ctx) })
}

// due reports whether subscription s has a run due now: a stream
// subscription behind the ledger's last position maxSeq, a scheduled one
// whose next run has come.
func due(s *critmin.Subscription, maxSeq int64, now time.Time) bool {
	return s.Stream && s.LastSeq < maxSeq || !s.Stream && s.NextRun != nil && !s.NextRun.After(now)
}

// owed is Owed for a subscription whose run is due, resolving the query's
// CURIEs with prefixes.
func owed(ctx context.Context, store critmin.Store, s *critmin.Subscription, maxSeq int64, now time.Time, batch int,
	prefixes func() (map[string][]string, error)) (int, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	notes, err := runNotes(ctx, store, s, maxSeq, now, batch, prefixes, func([]*critmin.Event, epcis.EPCFormat) (*critmin.Notification, error) {
		return &critmin.Notification{}, nil
	})
	return len(notes), err
}

// owedState is the stored state subscription s's owed count depends on
// (Dispatcher.AddOwed): the ledger's last position, the log head — which
// every capture, master-data capture and declaration moves (an event's
// match can change with master data, WD_ and HASATTR_, or with a
// declaration), and every named query created or deleted (the audit
// chain attests them: a query made again under its name is another
// state) — and all that the run reads of the subscription: its named
// query, ledger position, record-time bound and options.
func owedState(head critmin.LogHead, maxSeq int64, s *critmin.Subscription, batch int) string {
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%d|%d|%x|%d|%s|%q|%d|%t|%t|%q|%s|%d", maxSeq, head.Size, head.Root, head.AuditSize, head.AuditHead,
		s.QueryName, s.LastSeq, s.Stream, s.ReportIfEmpty, s.EPCFormat, t(InitialRecordBound(s)), batch)
}

// AddOwed adds to each subscription's Pending the notifications it owes
// that are not in the outbox yet (Owed), so that the delivery state shown
// counts every delivery owed, queued or not. A subscription with no run
// due costs no query. A due one whose stored state (owedState) has not
// changed since this dispatcher last counted it reads its count back from
// the dispatcher's memory (d.owed, the OwedMemo most recently used
// counts), and subscriptions to one query at one position (partners
// subscribed alike, kept up to date by the dispatcher) share one count;
// the others run their query once, sharing one read of the declared
// prefixes. Any change to that state counts afresh, so the figures are
// those Owed gives. The memory is the dispatcher's own, for its store:
// two stores in one process never share it, and it goes with the
// dispatcher. Nothing is written: a restarted server counts once again
// (docs/epcis.md, Pending).
func (d *Dispatcher) AddOwed(ctx context.Context, subs []*critmin.Subscription, now time.Time) error {
	store := d.Store
	maxSeq, err := store.MaxSeq(ctx)
	if err != nil {
		return err
	}
	var head *critmin.LogHead
	prefixes := sync.OnceValues(func() (map[string][]string, error) { return store.DeclaredPrefixes(ctx) })
	for _, s := range subs {
		if !due(s, maxSeq, now) {
			continue
		}
		if head == nil {
			h, err := store.LogHead(ctx)
			if err != nil {
				return fmt.Errorf("notify: owed notifications: %w", err)
			}
			head = &h
		}
		key := owedState(*head, maxSeq, s, DefaultBatch)
		if n, ok := d.owed.get(key); ok {
			s.Pending += n
			continue
		}
		n, err := owed(ctx, store, s, maxSeq, now, DefaultBatch, prefixes)
		if critmin.ErrorCode(err) == critmin.EINVALID || critmin.ErrorCode(err) == critmin.ENOTFOUND {
			// A query that no longer parses (or is gone) makes no
			// notification; its runs fail and are logged.
			continue
		}
		if err != nil {
			return fmt.Errorf("notify: owed notifications of %s: %w", s.ID, err)
		}
		d.owed.put(key, n, d.OwedMemo)
		s.Pending += n
	}
	return nil
}

// OwedTotal is the number of notifications every subscription of the
// dispatcher's store owes that the outbox does not hold yet (Owed), for
// the totals of the subscriptions page, remembered as AddOwed remembers
// them. It reads the subscriptions a page at a time.
func (d *Dispatcher) OwedTotal(ctx context.Context, now time.Time) (int, error) {
	total, after := 0, ""
	for {
		subs, err := d.Store.ListSubscriptionsPage(ctx, "", after, 500)
		if err != nil {
			return 0, err
		}
		if len(subs) == 0 {
			return total, nil
		}
		pending := make([]int, len(subs))
		for i, s := range subs {
			pending[i] = s.Pending
		}
		if err := d.AddOwed(ctx, subs, now); err != nil {
			return 0, err
		}
		for i, s := range subs {
			total += s.Pending - pending[i]
		}
		after = subs[len(subs)-1].ID
	}
}

// TranslateEvents returns copies of the events with their identifiers in
// format f, as query results write them (GS1-EPC-Format).
func TranslateEvents(events []*critmin.Event, f epcis.EPCFormat, gcp *epcis.GCPLengths) ([]*critmin.Event, error) {
	out := make([]*critmin.Event, len(events))
	for i, ev := range events {
		raw, err := epcis.TranslateEvent(ev.Raw, f, gcp)
		if err != nil {
			return nil, err
		}
		c := *ev
		c.Raw = raw
		out[i] = &c
	}
	return out, nil
}

// ApplySubscription narrows a named query's filter to what one run of a
// subscription reports: the events after its ledger position up to
// maxSeq, recorded at or after its initialRecordTime. A run is one
// execution of the query (EPCIS 2.0 §8.2.5: a subscription delivers the
// query's result over the events new since the last run), so the query's
// maxEventCount and eventCountLimit bound each run as they bound an
// answer of GET /queries/{name}/events: with eventCountLimit the run
// reports the first N in the query's orderBy; without, all of them in
// record order.
//
// initialRecordTime limits the events recorded before the subscription
// was made, never those recorded after: the REST binding's
// GS1-Query-InitialRecordTime "only applies the first time a subscriber
// receives events", and the minimum record time is "set initially to
// initialRecordTime and then updated to the most recent execution
// timestamp" (openapi.yaml, GS1-Query-Min-Record-Time; EPCIS 2.0 §8.2.5).
// So the bound applied is the earlier of initialRecordTime and the
// subscription's creation: a future initialRecordTime (2099) sends what
// is captured from the subscription on, as none does; a past one also
// what was recorded since then.
func ApplySubscription(f *critmin.EventFilter, s *critmin.Subscription, maxSeq int64) {
	f.AfterSeq, f.UpToSeq = s.LastSeq, maxSeq
	if t := InitialRecordBound(s); t != nil && (f.GERecordTime == nil || f.GERecordTime.Before(*t)) {
		f.GERecordTime = t
	}
	if f.EventCountLimit == 0 {
		f.OrderBy, f.OrderAscending, f.OrderKey = "recordTime", true, nil
	}
	f.After = nil
}

// InitialRecordBound is the record time from which a subscription's runs
// take events: the earlier of its initialRecordTime and its creation (nil
// without initialRecordTime; ApplySubscription). A subscription whose
// creation is not known (zero) keeps initialRecordTime.
func InitialRecordBound(s *critmin.Subscription) *time.Time {
	t := s.InitialRecordTime
	if t == nil || s.CreatedAt.IsZero() || !t.After(s.CreatedAt) {
		return t
	}
	c := s.CreatedAt
	return &c
}

// Pages reads one run of a subscription page by page (at most batch
// events a page) and calls each with every page, last telling the final
// one; it stops after f.EventCountLimit events when that is set. With
// f.MaxEventCount, more matching events fail the run with
// EQUERYTOOLARGE before any page is read.
func Pages(ctx context.Context, find func(context.Context, critmin.EventFilter) (*critmin.EventPage, error), f critmin.EventFilter, batch int,
	each func(page []*critmin.Event, last bool) error) error {
	remaining := f.EventCountLimit
	for {
		f.Limit = batch
		if remaining > 0 && remaining < f.Limit {
			f.Limit = remaining
		}
		page, err := find(ctx, f)
		if err != nil {
			return err
		}
		last := page.Next == nil
		if remaining > 0 {
			if remaining -= len(page.Events); remaining <= 0 {
				last = true
			}
		}
		if err := each(page.Events, last); err != nil {
			return err
		}
		if last {
			return nil
		}
		f.After = page.Next
	}
}

// ExceptionDocument is the notification of a run that failed with err
// (QueryTooLargeException when more events than maxEventCount matched):
// a problem document (RFC 9457, as the REST binding answers
// GET /queries/{name}/events with 413) naming the query and the
// subscription.
func ExceptionDocument(err error, queryName, subscriptionID string) ([]byte, error) {
	return json.Marshal(map[string]any{
		"type":           "epcisException:QueryTooLargeException",
		"title":          "Query too large",
		"status":         http.StatusRequestEntityTooLarge,
		"detail":         critmin.ErrorMessage(err),
		"queryName":      queryName,
		"subscriptionID": subscriptionID,
	})
}

// startDeliveries claims as many due notifications as there are free
// workers, leaving out the subscriptions with a delivery in flight, and
// starts one worker per subscription claimed; it returns how many
// notifications it claimed.
func (d *Dispatcher) startDeliveries(ctx context.Context) (int, error) {
	workers := d.workers()
	claimed := 0
	for ctx.Err() == nil {
		d.mu.Lock()
		free := workers - d.active
		skip := make([]string, 0, len(d.busy))
		for id := range d.busy {
			skip = append(skip, id)
		}
		d.mu.Unlock()
		if free <= 0 {
			return claimed, nil
		}
		now := d.Now()
		until := now.Add(d.Lease)
		notes, err := d.Store.ClaimNotifications(ctx, now, until, free, skip)
		if err != nil || len(notes) == 0 {
			return claimed, err
		}
		claimed += len(notes)
		// The notes come oldest first; a subscription's go to one worker,
		// in that order.
		var order []string
		bySub := map[string][]*critmin.Notification{}
		for _, n := range notes {
			if bySub[n.SubscriptionID] == nil {
				order = append(order, n.SubscriptionID)
			}
			bySub[n.SubscriptionID] = append(bySub[n.SubscriptionID], n)
		}
		d.mu.Lock()
		for _, id := range order {
			d.busy[id] = true
			d.active++
			d.wg.Add(1)
			go d.work(ctx, id, bySub[id], until)
		}
		d.mu.Unlock()
	}
	return claimed, nil
}

func (d *Dispatcher) workers() int {
	if d.Workers <= 0 {
		return DefaultWorkers
	}
	return d.Workers
}

// freeWorker gives a worker back (d.mu held) and wakes whoever waits for
// one.
func (d *Dispatcher) freeWorker() {
	d.active--
	close(d.slot)
	d.slot = make(chan struct{})
}

// takeWorker waits for a free worker and takes it; false when ctx ends
// first.
func (d *Dispatcher) takeWorker(ctx context.Context) bool {
	for {
		d.mu.Lock()
		if d.active < d.workers() {
			d.active++
			d.mu.Unlock()
			return true
		}
		ch := d.slot
		d.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-ch:
		}
	}
}

// work delivers one subscription's claimed notifications in order. Those
// whose claim ran out while an earlier one was being delivered are left:
// they are due again, and claimed again by this or another server. It
// starts holding a worker; a delivery whose request is written gives the
// worker back while it waits for the answer (awaiting), and the next
// notification takes one again.
func (d *Dispatcher) work(ctx context.Context, sub string, notes []*critmin.Notification, until time.Time) {
	holding := true
	defer func() {
		d.mu.Lock()
		delete(d.busy, sub)
		if holding {
			d.freeWorker()
		}
		d.mu.Unlock()
		d.wg.Done()
		signal(d.freed)
	}()
	for i, n := range notes {
		if ctx.Err() != nil || !holding && !d.takeWorker(ctx) {
			// Shutting down: give the claims back at once rather than
			// leave them leased, so the next server to start (or another
			// one sharing the database) delivers them without waiting for
			// the lease to run out.
			for _, n := range notes[i:] {
				_ = d.Store.NotificationFailed(context.WithoutCancel(ctx), n.ID, "interrupted by shutdown", d.Now())
			}
			return
		}
		holding = true
		if i > 0 && !d.Now().Before(until) {
			return
		}
		// released: the delivery gave its worker back; finished: it has
		// returned, so a late WroteRequest (an answer read before the
		// body was written) gives nothing back. Both under d.mu.
		released, finished := false, false
		written := func() {
			max := d.MaxAwaiting
			if max <= 0 {
				max = DefaultMaxAwaiting
			}
			d.mu.Lock()
			gave := !released && !finished && d.awaiting < max
			if gave {
				released = true
				d.awaiting++
				d.freeWorker()
			}
			d.mu.Unlock()
			if gave {
				signal(d.freed)
			}
		}
		d.deliverOne(ctx, n, written)
		d.mu.Lock()
		finished = true
		if released {
			d.awaiting--
			holding = false
		}
		d.mu.Unlock()
	}
}

// deliverOne posts a notification and records the outcome: delivered, or
// failed with the time of the next attempt.
// written is called once the request is written, before the answer.
func (d *Dispatcher) deliverOne(ctx context.Context, n *critmin.Notification, written func()) {
	err := d.post(ctx, n, written)
	if err == nil {
		if err := d.Store.NotificationDelivered(context.WithoutCancel(ctx), n.ID, d.Now()); err != nil {
			d.Logger.Warn("notification delivered, not recorded", slog.Int64("notification", n.ID), slog.Any("err", err))
		}
		return
	}
	reason, next := DeliveryError(err, n.Dest, n.Secret), d.Now().Add(d.backoff(n.Attempts))
	if ctx.Err() != nil {
		reason, next = "interrupted by shutdown", d.Now()
	} else {
		d.Logger.Info("notification not delivered", slog.Int64("notification", n.ID), slog.String("subscription", n.SubscriptionID),
			slog.Int("attempt", n.Attempts), slog.Time("next", next), slog.String("err", reason))
	}
	if err := d.Store.NotificationFailed(context.WithoutCancel(ctx), n.ID, reason, next); err != nil {
		d.Logger.Warn("failed delivery not recorded", slog.Int64("notification", n.ID), slog.Any("err", err))
	}
}

// DeliveryError is err, from posting to the webhook at dest, as it is
// logged and stored (and so shown as the subscription's last error): no
// secret of the URL in it. A *url.Error is rewritten from its own URL —
// the one it was sent to, or a redirect's — with scheme and host only
// (Go's own text keeps the user name, the query and, for a redirect,
// another URL's secrets); then critmin.RedactDeliveryError removes any
// piece of dest or the signature secret left in the message.
func DeliveryError(err error, dest, secret string) string {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Op + " " + strconv.Quote(critmin.RedactDest(ue.URL)) + ": " + ue.Err.Error()
	}
	return critmin.RedactDeliveryError(msg, dest, secret)
}

// backoff is the wait after the attempt-th failed attempt.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	w := d.BackoffBase
	for i := 1; i < attempt && w < d.BackoffMax; i++ {
		w *= 2
	}
	return min(w, d.BackoffMax)
}

// post sends one notification; any answer but 2xx is a failure.
// written (if not nil) is called when the request has been written
// (net/http/httptrace WroteRequest), before its answer is read.
func (d *Dispatcher) post(ctx context.Context, n *critmin.Notification, written func()) error {
	if written != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { written() }})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Dest, bytes.NewReader(n.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("GS1-EPCIS-Version", "2.0.0")
	req.Header.Set("GS1-CBV-Version", "2.0.0")
	if n.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(n.Secret, n.Body))
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
