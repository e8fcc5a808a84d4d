package notify

import (
	"container/list"
	"sync"
)

// owedMemo is a dispatcher's memory of owed counts (Dispatcher.AddOwed):
// counts by the stored state they were counted from, at most a bound of
// them, the least recently used forgotten first. Its zero value is
// empty and ready.
type owedMemo struct {
	mu    sync.Mutex
	order *list.List               // of *owedEntry, most recently used first
	byKey map[string]*list.Element // key → its element in order
}

type owedEntry struct {
	key string
	n   int
}

// get returns the count remembered for key, marking it used.
func (m *owedMemo) get(key string) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byKey[key]
	if !ok {
		return 0, false
	}
	m.order.MoveToFront(e)
	return e.Value.(*owedEntry).n, true
}

// put remembers n for key, forgetting the least recently used counts
// beyond max (DefaultOwedMemo when max ≤ 0).
func (m *owedMemo) put(key string, n, max int) {
	if max <= 0 {
		max = DefaultOwedMemo
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byKey == nil {
		m.order, m.byKey = list.New(), map[string]*list.Element{}
	}
	if e, ok := m.byKey[key]; ok {
		e.Value.(*owedEntry).n = n
		m.order.MoveToFront(e)
		return
	}
	m.byKey[key] = m.order.PushFront(&owedEntry{key, n})
	for m.order.Len() > max {
		last := m.order.Back()
		m.order.Remove(last)
		delete(m.byKey, last.Value.(*owedEntry).key)
	}
}
