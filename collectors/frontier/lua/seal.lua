-- seal.lua: close a finished run to further commits; its keys then expire after the retention.
-- KEYS: 1 run hash, 2 queues hash, 3.. the run's other keys. ARGV: 1 retention ms (0: keep), 2 now.
-- The queue streams are found in the queues hash, so this script (like abort.lua) needs a single
-- Redis instance, not a cluster.
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'sealed' then
  return {'ok', 'again'}
end
if state ~= 'open' then
  return {'closed', state or 'missing'}
end
local open = tonumber(redis.call('HGET', KEYS[1], 'open') or '0')
if open ~= 0 then
  return {'busy', tostring(open)}
end
redis.call('HSET', KEYS[1], 'state', 'sealed', 'sealed', ARGV[2])
local retain = tonumber(ARGV[1])
if retain > 0 then
  for _, q in ipairs(redis.call('HKEYS', KEYS[2])) do
    redis.call('PEXPIRE', q, retain)
  end
  for i = 1, #KEYS do
    redis.call('PEXPIRE', KEYS[i], retain)
  end
end
return {'ok', 'now'}
