package risk

import (
	"embed"
	"encoding/json"
	"strings"

	"github.com/critmin/critmin"
)

//go:embed examples/*.json
var examples embed.FS

// ExampleStockpile returns the documented example stockpile input for a
// commodity (antimony or rare earths). Its demand totals are illustrative
// user inputs, labelled as such; the rest cites shared/data.
func ExampleStockpile(commodity string) (StockpileInput, error) {
	var in StockpileInput
	b, err := examples.ReadFile("examples/stockpile-" + strings.ReplaceAll(commodity, " ", "-") + ".json")
	if err != nil {
		return in, critmin.FieldErrorf("commodity", "no example stockpile input for %q (antimony, rare earths)", commodity)
	}
	err = json.Unmarshal(b, &in)
	return in, err
}
