-- release.lua: drop a lease if its owner still holds it.
-- KEYS: 1 host lease. ARGV: 1 lease value.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
