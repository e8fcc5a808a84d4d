// Package demo holds the demo corridor: EPCIS 2.0 documents that tell the
// Pakistan → United States story (REE concentrate, antimony ore and copper
// concentrate from Pakistani sites, trucked to Karachi and Port Qasim,
// shipped to Houston, received, refined in Missouri). Sites, ports and
// dates follow shared/data; every quantity is illustrative and the
// documents say so. Load captures them through the ordinary capture path.
package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/critmin/critmin/ledger"
)

//go:embed corridor/*.jsonld
var files embed.FS

// Documents returns the demo documents in capture order, by file name.
func Documents() (names []string, bodies [][]byte, err error) {
	names, err = fs.Glob(files, "corridor/*.jsonld")
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, nil, err
		}
		bodies = append(bodies, b)
	}
	return names, bodies, nil
}

// Load captures the demo documents when the ledger holds no events, and
// reports whether it did.
func Load(ctx context.Context, svc *ledger.Service) (bool, error) {
	n, err := svc.Store.CountEvents(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	names, bodies, err := Documents()
	if err != nil {
		return false, err
	}
	for i, b := range bodies {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: b, Token: "demo"}); err != nil {
			return false, fmt.Errorf("demo: capture %s: %w", names[i], err)
		}
	}
	return true, nil
}
