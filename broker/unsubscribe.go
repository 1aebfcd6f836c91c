package broker

import (
	"context"
	"fmt"
	"slices"

	"github.com/eclipse/paho.golang/paho"
)

// Unsubscribe stops renewing filters and, if connected, unsubscribes from
// them now. It blocks until the UNSUBACK or ctx ends: call it from a
// tea.Cmd. Filters never subscribed are ignored.
func (c *Client) Unsubscribe(ctx context.Context, filters ...string) error {
	c.mu.Lock()
	var gone []string
	for _, f := range filters {
		if i := slices.Index(c.topics, f); i >= 0 {
			c.topics = slices.Delete(c.topics, i, i+1)
			gone = append(gone, f)
		}
	}
	c.mu.Unlock()
	if len(gone) == 0 {
		return nil
	}
	if _, err := c.cm.Unsubscribe(ctx, &paho.Unsubscribe{Topics: gone}); err != nil {
		// Not connected: the filters are no longer renewed, which is what
		// the broker will see on the next connection (a persistent session
		// may keep them until then).
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}
