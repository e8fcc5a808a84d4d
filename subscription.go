package critmin

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// NamedQuery is a SimpleEventQuery stored under a name (EPCIS 2.0 REST
// binding, POST /queries): a view on the events, read through
// /queries/{name}/events and subscribed to through
// /queries/{name}/subscriptions.
type NamedQuery struct {
	Name string
	// Query is the query object as the client gave it
	// (query-schema.json: lists as JSON arrays, EXISTS_ as null).
	Query     json.RawMessage
	CreatedAt time.Time
}

// Schedule is when a scheduled subscription runs (EPCIS 2.0 §8.2.5.3,
// REST binding QueryScheduleSubscription): cron-like fields, each a list
// of values and ranges; an empty field is "any" when coarser than the
// finest field given and its minimum when finer.
type Schedule struct {
	Second     string `json:"second,omitempty"`
	Minute     string `json:"minute,omitempty"`
	Hour       string `json:"hour,omitempty"`
	DayOfMonth string `json:"dayOfMonth,omitempty"`
	Month      string `json:"month,omitempty"`
	DayOfWeek  string `json:"dayOfWeek,omitempty"`
}

// Subscription is a webhook subscription to a named query: the events
// the query selects among those captured after the subscription's
// initialRecordTime (or its creation) are sent to Dest, as they arrive
// (Stream) or at the times of Schedule.
type Subscription struct {
	ID        string
	QueryName string
	Dest      string
	// Secret is the client's signatureToken: the key of the GS1-Signature
	// header. It is never shown back.
	Secret            string
	Stream            bool
	Schedule          *Schedule
	ReportIfEmpty     bool
	InitialRecordTime *time.Time
	// EPCFormat is how notifications write identifiers (GS1-EPC-Format:
	// Always_GS1_Digital_Link when empty).
	EPCFormat string
	CreatedAt time.Time
	// LastNotifiedAt is when a notification was last acknowledged (2xx).
	LastNotifiedAt *time.Time
	// LastSeq is the ledger position up to which events have been turned
	// into notifications; NextRun the next scheduled run.
	LastSeq int64
	NextRun *time.Time
	// Delivery state, read from the outbox.
	Delivered, Pending, Failures int
	LastError                    string
}

// Notification is one webhook delivery in the outbox: an
// EPCISQueryDocument for one subscription, with the eventIDs it carries.
type Notification struct {
	ID             int64
	SubscriptionID string
	QueryName      string
	Dest           string
	Secret         string
	Body           []byte
	EventIDs       []string
	Attempts       int
	CreatedAt      time.Time
}

// SubscriptionStore keeps named queries, subscriptions and the outbox in
// the database, so that any of several servers can run and deliver them.
type SubscriptionStore interface {
	// CreateNamedQuery stores a query; ECONFLICT when the name is taken.
	CreateNamedQuery(ctx context.Context, q *NamedQuery) error
	FindNamedQuery(ctx context.Context, name string) (*NamedQuery, error)
	// ListNamedQueries lists queries by name after after.
	ListNamedQueries(ctx context.Context, after string, limit int) ([]*NamedQuery, error)
	// DeleteNamedQuery removes a query with its subscriptions and their
	// pending notifications.
	DeleteNamedQuery(ctx context.Context, name string) error

	CreateSubscription(ctx context.Context, s *Subscription) error
	FindSubscription(ctx context.Context, queryName, id string) (*Subscription, error)
	// ListSubscriptions lists the subscriptions of a query ("" for all),
	// oldest first, with their delivery state.
	ListSubscriptions(ctx context.Context, queryName string) ([]*Subscription, error)
	// ListSubscriptionsPage lists at most limit subscriptions of a query
	// ("" for all) with their delivery state, by subscription ID, those
	// after the ID after ("" from the first): what lists answering a
	// request read, so a page costs limit rows however many there are.
	ListSubscriptionsPage(ctx context.Context, queryName, after string, limit int) ([]*Subscription, error)
	// SubscriptionTotals counts every subscription, the notifications
	// pending and the failed delivery attempts, in one aggregate.
	SubscriptionTotals(ctx context.Context) (SubscriptionTotals, error)
	DeleteSubscription(ctx context.Context, queryName, id string) error

	// ClaimSubscriptions leases to owner, until until, up to n
	// subscriptions due at now: stream subscriptions behind maxSeq,
	// scheduled ones whose next run has come. A lease held by another
	// owner is skipped until it runs out.
	ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, maxSeq int64, n int) ([]*Subscription, error)
	// CompleteRun writes a run's notifications to the outbox and advances
	// the subscription to lastSeq and nextRun, in one transaction, when
	// owner still holds its lease; ECONFLICT otherwise (nothing written).
	CompleteRun(ctx context.Context, owner, id string, notes []*Notification, lastSeq int64, nextRun *time.Time) error
	// ClaimNotifications leases up to n undelivered notifications due at
	// now until until, oldest first, leaving out those of the
	// subscriptions in skip (those the caller is delivering already)
	// (PostgreSQL: FOR UPDATE SKIP LOCKED, so servers never claim the same
	// row at once).
	ClaimNotifications(ctx context.Context, now, until time.Time, n int, skip []string) ([]*Notification, error)
	// NotificationDelivered marks a notification delivered at at.
	NotificationDelivered(ctx context.Context, id int64, at time.Time) error
	// NotificationFailed records a failed attempt and when to try again.
	NotificationFailed(ctx context.Context, id int64, reason string, next time.Time) error
}

// SubscriptionTotals are the subscriptions page's totals
// (Store.SubscriptionTotals).
type SubscriptionTotals struct {
	Subscriptions, Pending, Failures int
}

// RedactDest is a webhook destination as a non-admin may see it: scheme
// and host (with port) only, "https://hooks.example.com/…". The path and
// query of a webhook URL often hold its secret (a key parameter, a
// token in the path), and any viewer — or anyone, with public reads — may
// list subscriptions.
func RedactDest(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Host == "" {
		return "(hidden)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// Redacted is a copy of sub for a non-admin: its destination redacted
// (RedactDest), also where the last delivery error quotes it
// (RedactDeliveryError).
func (sub *Subscription) Redacted() *Subscription {
	c := *sub
	c.Dest = RedactDest(sub.Dest)
	c.LastError = RedactDeliveryError(sub.LastError, sub.Dest, sub.Secret)
	return &c
}

// urlInText is a URL quoted in an error message: a scheme, "://" and
// everything up to white space or a quote.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>]+`)

// RedactDeliveryError is msg, a delivery error about a webhook at dest,
// as anyone may see it. A text match on dest is not enough: Go's
// *url.Error quotes the URL with a userinfo password replaced by
// "xxxxx" (but the user name and the query kept), a redirect quotes
// another URL, and a client may write a secret percent-encoded or not.
// So every URL in msg becomes RedactDest of itself (scheme and host
// only), and then every secret piece of dest — user name, password,
// path segments, query keys' values, raw and decoded — and the
// signature secret are replaced by "…" wherever they still appear.
func RedactDeliveryError(msg, dest, secret string) string {
	if msg == "" {
		return ""
	}
	// Every URL is set aside as a placeholder while the pieces are
	// replaced, so a piece that is also part of a host stays in it.
	var urls []string
	msg = urlInText.ReplaceAllStringFunc(msg, func(u string) string {
		urls = append(urls, RedactDest(u))
		return "\x00" + strconv.Itoa(len(urls)-1) + "\x00"
	})
	var pieces []string
	add := func(raw string) {
		for _, p := range []string{raw, decoded(raw)} {
			if len(p) >= 3 && !strings.Contains(p, "\x00") {
				pieces = append(pieces, p)
			}
		}
	}
	add(secret)
	if u, err := url.Parse(dest); err == nil {
		if u.User != nil {
			add(u.User.Username())
			if pw, ok := u.User.Password(); ok {
				add(pw)
			}
			add(u.User.String())
		}
		for _, seg := range strings.Split(u.EscapedPath(), "/") {
			add(seg)
		}
		add(u.RawQuery)
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if _, v, ok := strings.Cut(kv, "="); ok {
				add(v)
			}
		}
		add(u.Fragment)
	} else {
		add(dest)
	}
	// Longest first, so a piece inside another is not replaced halfway.
	sort.Slice(pieces, func(i, j int) bool { return len(pieces[i]) > len(pieces[j]) })
	for _, p := range pieces {
		msg = strings.ReplaceAll(msg, p, "…")
	}
	for i, u := range urls {
		msg = strings.Replace(msg, "\x00"+strconv.Itoa(i)+"\x00", u, 1)
	}
	return msg
}

// decoded is s with its percent-escapes decoded, or s when it has none
// or they do not decode.
func decoded(s string) string {
	d, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return d
}
