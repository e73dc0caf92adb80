-- renew.lua: extend a lease still held by its owner (1), or say it is gone (0).
-- KEYS: 1 host lease. ARGV: 1 lease value, 2 ttl ms.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
