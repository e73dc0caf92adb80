-- claim.lua: hand the lease holder entries of its host's queues, if its lease is current.
--
-- KEYS: 1 run hash, 2 host fence, 3 host lease, 4.. queue streams.
-- ARGV: 1 group, 2 worker, 3 token, 4 lease value, 5 count, 6 min idle ms for the takeover
--       (-1: none), 7 read new entries (1/0), 8.. one XAUTOCLAIM cursor per stream ('' = done).
-- Reply: {'ok', entries, cursors, lost} with entries flat as stream index, id, item, deliveries.
--
-- Claiming is fenced like committing: a worker whose lease lapsed cannot take new entries, so
-- entries can be pending only with the current holder or with holders whose lease is gone.
local group, worker = ARGV[1], ARGV[2]
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'open' then
  return {'closed', state or 'missing'}
end
if redis.call('GET', KEYS[2]) ~= ARGV[3] or redis.call('GET', KEYS[3]) ~= ARGV[4] then
  return {'fenced', redis.call('GET', KEYS[3]) or ''}
end

local remaining = tonumber(ARGV[5])
local minIdle = tonumber(ARGV[6])
local entries, cursors, lost = {}, {}, 0
for i = 4, #KEYS do
  local cursor = ARGV[8 + i - 4]
  if minIdle >= 0 and cursor ~= '' and remaining > 0 then
    local r = redis.call('XAUTOCLAIM', KEYS[i], group, worker, minIdle, cursor, 'COUNT', remaining)
    for _, e in ipairs(r[2]) do
      -- Redis 6.2 lists an entry deleted while pending as nil (false here); 7 drops it.
      if e then
        local pe = redis.call('XPENDING', KEYS[i], group, e[1], e[1], 1)
        local item = ''
        for j = 1, #e[2], 2 do
          if e[2][j] == 'item' then item = e[2][j + 1] end
        end
        table.insert(entries, i - 3)
        table.insert(entries, e[1])
        table.insert(entries, item)
        table.insert(entries, pe[1] and pe[1][4] or 1)
        remaining = remaining - 1
      end
    end
    -- Entries deleted from the stream while pending (only an operator's XDEL or XTRIM does
    -- that) are dropped from the pending list by XAUTOCLAIM: count them, never wait for them.
    if r[3] and #r[3] > 0 then
      lost = lost + #r[3]
    end
    if r[1] == '0-0' then cursor = '' else cursor = r[1] end
  end
  table.insert(cursors, cursor)
end
if lost > 0 then
  redis.call('HINCRBY', KEYS[1], 'open', -lost)
  redis.call('HINCRBY', KEYS[1], 'lost', lost)
end

if ARGV[7] == '1' then
  -- New entries are shared out between the host's queues, so a short chain (a list's next page,
  -- in a source of its own) is not held up behind a long queue of another source on the host.
  -- The caller rotates the queues' order from one claim to the next.
  local active = {}
  for i = 4, #KEYS do table.insert(active, i) end
  while remaining > 0 and #active > 0 do
    local per = math.ceil(remaining / #active)
    local more = {}
    for _, i in ipairs(active) do
      if remaining <= 0 then break end
      local want = math.min(per, remaining)
      local got = 0
      local r = redis.call('XREADGROUP', 'GROUP', group, worker, 'COUNT', want, 'STREAMS', KEYS[i], '>')
      if r then
        for _, e in ipairs(r[1][2]) do
          local item = ''
          for j = 1, #e[2], 2 do
            if e[2][j] == 'item' then item = e[2][j + 1] end
          end
          table.insert(entries, i - 3)
          table.insert(entries, e[1])
          table.insert(entries, item)
          table.insert(entries, 1)
          remaining = remaining - 1
          got = got + 1
        end
      end
      if got == want then table.insert(more, i) end
    end
    active = more
  end
end
return {'ok', entries, cursors, lost}
