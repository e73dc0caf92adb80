// Package frontier is the shared state of one crawl spread over many worker processes: what is
// left to fetch, what has been seen, who may fetch from which host, and which batches of
// results count. It lives in Redis (a single instance, or a primary with replicas; not Redis
// Cluster, whose scripts cannot span the keys a commit touches) and is built so that nothing is
// lost, nothing is counted twice, and no host is fetched by two workers at once.
//
// # The worker loop
//
// A worker process registers with [Frontier.NewWorker] and, for each host it crawls, runs:
//
//	lease := worker.Acquire(ctx, run)    // a host nobody holds, with a fencing token
//	for {
//		items := lease.Claim(ctx, n)     // entries left by a dead holder first, then new ones
//		// fetch under lease.Context(), archive (WARC), parse, write records; close and sync
//		// the files, then:
//		lease.Commit(ctx, Batch{Done: items, Links: links, Files: files, Meta: failures})
//	}
//
// Nothing is acknowledged before Commit, and Commit is one Lua script: it checks the lease's
// fencing token, adds the links the run has not seen to their queues (SADD, then XADD only for
// new ones), acknowledges the batch (XACK, XDEL) and registers the commit with its files — or
// does none of it. A worker that dies mid-batch leaves its entries pending; the next holder of
// the host takes them over. A worker paused past its lease (GC, SIGSTOP, a VM migration) wakes
// to find its claims and commits refused: a newer token was issued, so its files are never
// sealed, and the entries it held were redone by the new holder.
//
// The coordinator seeds the run ([Frontier.Seed]), waits until nothing is queued or pending
// ([Frontier.Wait]), and seals it ([Frontier.Seal]): the run accepts no more commits and the
// coordinator gets the registered commits, whose files alone make up the run.
//
// # Traps this design avoids
//
//   - Pop without acknowledgement (scrapy-redis, colly's redisstorage): an entry stays pending
//     in its stream's consumer group until a commit acknowledges it, however the worker dies.
//   - Check-then-mark in two calls, and marking before fetching (colly's visited check): the seen
//     set is written in the same script that queues the link, and a page counts as done only
//     when its results are committed.
//   - Time-based leases that lapse and fetch twice: a lapsed lease cannot claim or commit,
//     because every claim and commit carries the fencing token (Kleppmann's fix for Redlock),
//     checked inside the script that does the work.
//   - Bloom-filter dedup dropping URLs: the seen set is an exact Redis set of full request keys
//     (source, method, URL and a SHA-256 of a POST body) — about 130 bytes of Redis memory per
//     70-character URL, so 4 M URLs take about 0.5 GB.
//   - XACK accepting an entry another consumer holds: the commit script checks each entry is
//     still pending with the committing worker.
//   - A client resending a script after a broken connection: the client never retries by itself;
//     a commit is resent under its id and answers "already done".
//
// # Politeness
//
// A host's lease (SET NX PX, renewed at a third of its TTL) is held by one worker at a time
// across all workers and runs, so the engine's per-host parallelism, delay, robots.txt,
// Retry-After and auto-throttle live in that one process and hold globally. The holder counts
// its lease as held until 90% of the TTL after its last renewal was sent, so it stops fetching
// before Redis could grant the host to anyone else. A single-host source is therefore crawled by
// one worker at a time, however many there are: more workers speed up a crawl of many hosts.
// Each commit can leave the host's politeness state (Batch.HostState: last request, current
// delay, Retry-After) for the next holder (Lease.HostState), so a handoff does not reset it; a
// host whose holder died is only granted again once the lease lapsed, which is longer than any
// sane delay between requests.
//
// # Data model
//
// Every key starts with the prefix (Options.Prefix, default "fhi:frontier"), written P below.
// RUN is a run id, SRC a source name, HOST a URL's host[:port], W a worker id.
//
//	P:runs                 set     run ids with state here; a run whose hash is gone is dropped
//	                               by the next status
//	P:run:RUN              hash    state (open|sealed|aborted), created, sealed|aborted (unix
//	                               ms), open (entries queued or pending: 0 means complete),
//	                               seeded, lost (entries deleted by hand while pending)
//	P:run:RUN:queues       hash    queue stream key → "SRC HOST": the run's queues
//	P:run:RUN:q:SRC:HOST   stream  entries still to do, field item = the request as JSON;
//	                               consumer group "fhi", one consumer per worker; an entry is
//	                               deleted when its commit acknowledges it
//	P:run:RUN:seen         set     "SRC METHOD URL[ BODY-SHA256]" of every request ever queued
//	P:run:RUN:commits      stream  registered commits in order: commit id, worker, host, token,
//	                               acked, added, files (JSON), meta (JSON)
//	P:run:RUN:commit-ids   hash    commit id → commits stream id (a resent commit is answered
//	                               from here)
//	P:run:RUN:stats        hash    "W NAME" → counter: commits, done, added and the batches' own
//	                               stats (requests, bytes, records…)
//	P:host:HOST:lease      string  "W RUN TOKEN", with a TTL (Options.LeaseTTL)
//	P:host:HOST:fence      string  the host's last fencing token (INCR); never deleted, so a
//	                               token is never issued twice
//	P:host:HOST:state      string  the politeness state (JSON, the engine's) left by the last
//	                               commit for the next holder; expires 7 days after it
//	P:workers              zset    W → last heartbeat (unix ms); entries older than a day pruned
//	P:worker:W             hash    machine, pid, started, seen; expires 3 lease TTLs after the
//	                               last heartbeat
//
// Lifetimes: an open run's keys live until it is sealed or aborted. Sealing sets every run key
// to expire after Options.Retain (default 7 days). Aborting deletes the queues, seen set,
// commits and stats at once, drops leases held for the run, and keeps the run hash 24 hours as
// a tombstone. Host fences live for good (a few bytes per host ever crawled).
//
// # Durability
//
// Run redis-server with appendonly yes and appendfsync always: a commit is then on disk before
// the worker hears it succeeded, and a Redis killed and restarted from its AOF has every
// commit, entry and token it acknowledged (the tests kill it with SIGKILL mid-crawl). The
// frontier writes little — a script per batch of pages — so the fsyncs cost little. With
// appendfsync everysec a crash forgets up to a second of writes: forgotten commits are redone
// and their files, never registered, are ignored, but a forgotten grant's token can be issued
// again, and the fence is only as good as the file that keeps it.
package frontier
