-- The common consume in a few commands: counters that exist, are alive for the command's period, and carry
-- no hold that may have lapsed; an optional idempotency key not seen yet. Anything else answers X and the
-- caller runs consume.lua, which handles every case. Runs without common.lua. See RedisCounterStore.
-- KEYS: 1 settings, 2 marker (settings when none), 3.. the counter hash of each delta
-- ARGV: 1 now, 2 settings version ('' = not checked), 3 deadline (microseconds of Redis's clock),
--       4 '1' = marker, 5 fingerprint, 6 marker expiry, 7 marker TTL (ms),
--       then per delta: type, amount, limit (-1: none), expiry
-- Replies: {'A', used, reserved, ...}; {'R', 'type,type', used, reserved, ...}; {'S'}; {'O', type}; {'T'}; {'X'}
local n = (#ARGV - 7) / 4
local now = tonumber(ARGV[1])
if n < 1 or n ~= math.floor(n) or #KEYS ~= 2 + n or not now or not tonumber(ARGV[3])
    or (ARGV[4] == '1' and not (tonumber(ARGV[6]) and tonumber(ARGV[7]))) then
  return redis.error_reply('ERR usage consume: malformed call')
end
for i = 0, n - 1 do
  local b = 8 + i * 4
  if not (tonumber(ARGV[b + 1]) and tonumber(ARGV[b + 2]) and tonumber(ARGV[b + 3])) then
    return redis.error_reply('ERR usage consume: delta ' .. i .. ' is not numeric')
  end
end
if ARGV[2] ~= '' and (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[2] then
  return {'S'}
end
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then
  return {'X'}
end
local seen, rejected, over = {}, nil, nil
for i = 0, n - 1 do
  local b = 8 + i * 4
  local t = ARGV[b]
  local c = redis.call('HMGET', KEYS[3 + i], 'u:' .. t, 'r:' .. t, 'x:' .. t, 'hx')
  -- the full path creates, extends and lapses: a counter it has not made ready is not for this one
  if not c[3] or c[3] ~= ARGV[b + 3] or tonumber(c[3]) <= now
      or (c[2] ~= '0' and (not c[4] or tonumber(c[4]) <= now)) then
    return {'X'}
  end
  seen[i + 1] = c
  local limit = tonumber(ARGV[b + 2])
  local total = tonumber(c[1]) + tonumber(c[2]) + tonumber(ARGV[b + 1])
  if limit >= 0 and total > limit then
    rejected = rejected and (rejected .. ',' .. t) or t
  elseif total > 9007199254740991 and not over then
    over = t
  end
end
if over then
  return {'O', over}
end
if rejected then
  local reply = {'R', rejected}
  for i = 1, n do
    reply[#reply + 1] = seen[i][1]
    reply[#reply + 1] = seen[i][2]
  end
  return reply
end
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000000 + tonumber(clock[2]) > tonumber(ARGV[3]) then
  return {'T'}
end
local reply = {'A'}
for i = 0, n - 1 do
  local b = 8 + i * 4
  reply[#reply + 1] = redis.call('HINCRBY', KEYS[3 + i], 'u:' .. ARGV[b], ARGV[b + 1])
  reply[#reply + 1] = seen[i + 1][2]
end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[2], 'f', ARGV[5], 'x', ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
end
return reply
