package storetest

import (
	"fmt"
	"testing"

	"github.com/latchauth/latch/internal/store"
)

// page is one page of a keyset-paginated search: its IDs, the position of
// its last row (nil when it is empty), and the total over all pages.
type page struct {
	ids   []string
	last  *store.Cursor
	total int
}

// checkPages walks a search from its first page, carrying each page's
// cursor through its opaque next_cursor form, and checks every page's IDs,
// the total over all pages, and that the page after the last is empty.
func checkPages(t *testing.T, name string, want [][]string, search func(after *store.Cursor) page) {
	t.Helper()
	total := 0
	for _, pg := range want {
		total += len(pg)
	}
	var after *store.Cursor
	for i, wantPage := range want {
		got := search(after)
		diff(t, fmt.Sprintf("%s page %d", name, i), got.ids, wantPage)
		if got.total != total {
			t.Errorf("%s page %d: total = %d, want %d over all pages", name, i, got.total, total)
		}
		if got.last == nil {
			return
		}
		c, err := store.ParseCursor(got.last.String())
		must(t, err)
		after = c
	}
	diff(t, name+" after the last page", search(after).ids, []string{})
}
