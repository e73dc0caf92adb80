// Package all compiles every source into a binary through blank imports; cmd/fhi imports it.
package all

import (
	_ "github.com/fhi-index/fhi/collectors/crowdfunding" // crowdfunding platform list
	_ "github.com/fhi-index/fhi/collectors/licensees"    // payment, credit and blockchain licensee lists
	_ "github.com/fhi-index/fhi/collectors/p2p"          // P2P platform directory
)
