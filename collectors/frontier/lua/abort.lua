-- abort.lua: give a run up. Its queues, seen set and commits go; the run hash stays a while as a
-- tombstone so workers and status say why; leases held for the run are dropped.
-- KEYS: 1 run hash, 2 queues hash, 3 seen, 4 commits, 5 commit-ids, 6 stats, 7.. host leases.
-- ARGV: 1 run, 2 tombstone ttl ms, 3 now.
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'sealed' then
  return {'closed', state}
end
if not state then
  return {'closed', 'missing'}
end
for _, q in ipairs(redis.call('HKEYS', KEYS[2])) do
  redis.call('DEL', q)
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local released = 0
for i = 7, #KEYS do
  local v = redis.call('GET', KEYS[i])
  -- A lease's value is "worker run token".
  if v and string.match(v, '^%S+ (%S+) ') == ARGV[1] then
    released = released + redis.call('DEL', KEYS[i])
  end
end
redis.call('HSET', KEYS[1], 'state', 'aborted', 'aborted', ARGV[3], 'open', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'ok', released}
