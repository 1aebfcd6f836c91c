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

// UnsubscribeSession unsubscribes from filters that a persistent session
// may still hold from an earlier run (mosquitto_sub -U), whether or not
// this Client subscribed to them; they are no longer renewed either. It
// blocks until the UNSUBACK or ctx ends.
func (c *Client) UnsubscribeSession(ctx context.Context, filters ...string) error {
	c.mu.Lock()
	c.topics = slices.DeleteFunc(c.topics, func(t string) bool { return slices.Contains(filters, t) })
	c.mu.Unlock()
	if _, err := c.cm.Unsubscribe(ctx, &paho.Unsubscribe{Topics: filters}); err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}
