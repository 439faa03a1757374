"""What the pages share: session-state accessors, cached resources, metric tiles, page links."""
