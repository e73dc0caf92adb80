// Package all compiles every source into a binary through blank imports; cmd/fhi imports it.
package all

import (
	_ "github.com/fhi-index/fhi/collectors/p2p" // P2P platform directory
)
