-- commit.lua: one atomic step of a crawl — seeding a run, or committing a worker's batch.
--
-- KEYS: 1 runs set, 2 run hash, 3 queues hash, 4 seen set, 5 commits stream, 6 commit-ids hash,
--       7 stats hash, 8 host fence, 9 host lease, 10 host state, 11.. queue streams (by index).
-- ARGV: 1 consumer group, 2 JSON payload:
--   {mode = "seed"|"commit", run, now, commit_id, worker, host, token, lease,
--    acks = [{q, ids = [...]}], links = [{q, meta, key, item}], files, meta, stats = {name = n},
--    host_state, plan}
--
-- Every check comes before the first write: Redis does not roll a script back when it fails
-- half-way, so a rejected batch must leave nothing behind.
local group = ARGV[1]
local p = cjson.decode(ARGV[2])

if p.mode == 'commit' then
  -- A retried commit (its reply lost to a network error) reports the first outcome.
  local prior = redis.call('HGET', KEYS[6], p.commit_id)
  if prior then
    return {'dup', prior}
  end
end

local state = redis.call('HGET', KEYS[2], 'state')
if p.mode == 'seed' then
  if state and state ~= 'open' then
    return {'closed', state}
  end
else
  if state ~= 'open' then
    return {'closed', state or 'missing'}
  end
  -- The fence: the batch's token must be the newest one issued for the host, and no other
  -- worker may hold the host's lease now. A lapsed lease nobody took over is still safe.
  local fence = redis.call('GET', KEYS[8])
  if fence ~= p.token then
    return {'fenced', fence or ''}
  end
  local lease = redis.call('GET', KEYS[9])
  if lease and lease ~= p.lease then
    return {'fenced', lease}
  end
  -- Every acknowledged entry must still be pending with this worker: XACK alone would accept
  -- an entry another consumer holds.
  for _, a in ipairs(p.acks) do
    for _, id in ipairs(a.ids) do
      local pe = redis.call('XPENDING', KEYS[a.q], group, id, id, 1)
      if #pe == 0 or pe[1][2] ~= p.worker then
        return {'unowned', id}
      end
    end
  end
end

if not state then
  redis.call('HSET', KEYS[2], 'state', 'open', 'created', p.now, 'open', 0, 'lost', 0)
  redis.call('SADD', KEYS[1], p.run)
end
if p.mode == 'seed' and p.plan and p.plan ~= '' then
  -- What workers need to crawl the run (sources, sites, settings), set once with its seeds.
  redis.call('HSETNX', KEYS[2], 'plan', p.plan)
end

local acked = 0
for _, a in ipairs(p.acks) do
  for _, id in ipairs(a.ids) do
    acked = acked + redis.call('XACK', KEYS[a.q], group, id)
    -- An acknowledged entry is done for good; the seen set remembers its URL, and dropping the
    -- entry keeps a stream's length equal to its unfinished work.
    redis.call('XDEL', KEYS[a.q], id)
  end
end

local added = 0
for _, l in ipairs(p.links) do
  if redis.call('SADD', KEYS[4], l.key) == 1 then
    local q = KEYS[l.q]
    if redis.call('HSETNX', KEYS[3], q, l.meta) == 1 then
      -- The group starts at 0 so that it delivers the entry about to be added.
      redis.pcall('XGROUP', 'CREATE', q, group, '0', 'MKSTREAM')
    end
    redis.call('XADD', q, '*', 'item', l.item)
    added = added + 1
  end
end
redis.call('HINCRBY', KEYS[2], 'open', added - acked)

if p.mode ~= 'commit' then
  redis.call('HINCRBY', KEYS[2], 'seeded', added)
  return {'ok', '', acked, added}
end

local cid = redis.call('XADD', KEYS[5], '*',
  'commit', p.commit_id, 'worker', p.worker, 'host', p.host, 'token', p.token,
  'acked', acked, 'added', added, 'files', p.files, 'meta', p.meta)
redis.call('HSET', KEYS[6], p.commit_id, cid)
if p.host_state and p.host_state ~= '' then
  -- The politeness state (last request, current delay, Retry-After) the next holder starts from.
  redis.call('SET', KEYS[10], p.host_state, 'PX', p.host_state_ttl)
end
redis.call('HINCRBY', KEYS[7], p.worker .. ' commits', 1)
redis.call('HINCRBY', KEYS[7], p.worker .. ' done', acked)
redis.call('HINCRBY', KEYS[7], p.worker .. ' added', added)
for k, v in pairs(p.stats) do
  redis.call('HINCRBY', KEYS[7], p.worker .. ' ' .. k, v)
end
return {'ok', cid, acked, added}
