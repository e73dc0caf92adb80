-- acquire.lua: take a host's lease if nobody holds it, with a new fencing token.
-- KEYS: 1 run hash, 2 host lease, 3 host fence, 4 host state. ARGV: 1 worker, 2 run, 3 ttl ms.
-- Reply: {'ok', token, lease value, host state or ''}.
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'open' then
  return {'closed', state or 'missing'}
end
local holder = redis.call('GET', KEYS[2])
if holder then
  return {'held', holder}
end
-- INCR only when the lease is granted: each grant gets a larger token than every earlier one.
local token = redis.call('INCR', KEYS[3])
local value = ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. token
redis.call('SET', KEYS[2], value, 'NX', 'PX', ARGV[3])
return {'ok', tostring(token), value, redis.call('GET', KEYS[4]) or ''}
