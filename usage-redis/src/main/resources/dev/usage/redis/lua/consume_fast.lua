-- The common consume in a few commands: counters that exist, are alive for the command's period, and carry
-- no hold that may have lapsed; an optional idempotency key not seen yet. Anything else answers X and the
-- caller runs consume.lua, which handles every case. Runs without common.lua. See RedisCounterStore.
-- The marker's key and arguments are sent only with an idempotency key: every argument costs the client
-- and Redis on the hot path.
-- KEYS: 1 settings, [2 marker], then the counter hash of each delta
-- ARGV: 1 now, 2 settings version ('' = not checked), 3 deadline (microseconds of Redis's clock),
--       4 '1' = marker, ['0' = none], [5 fingerprint, 6 marker expiry, 7 marker TTL (ms): with a marker only],
--       then per delta: type, amount, limit (-1: none), expiry
-- Replies: {'A', used, reserved, ...}; {'R', 'type,type', used, reserved, ...}; {'S'}; {'O', type}; {'T'}; {'X'}
local marker = ARGV[4] == '1'
-- the header's last argument, and the last key before the counters
local h = marker and 7 or 4
local kh = marker and 2 or 1
local n = (#ARGV - h) / 4
local now = tonumber(ARGV[1])
local deadline = tonumber(ARGV[3])
if n < 1 or n ~= math.floor(n) or #KEYS ~= kh + n or not now or not deadline
    or (ARGV[4] ~= '0' and not marker) or (marker and not (tonumber(ARGV[6]) and tonumber(ARGV[7]))) then
  return redis.error_reply('ERR usage consume: malformed call')
end
-- the numbers are parsed once, here, and used below
local amounts, limits = {}, {}
for i = 1, n do
  local b = h + 1 + (i - 1) * 4
  local a, l = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  if not (a and l and tonumber(ARGV[b + 3])) then
    return redis.error_reply('ERR usage consume: delta ' .. i .. ' is not numeric')
  end
  amounts[i], limits[i] = a, l
end
if ARGV[2] ~= '' and (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[2] then
  return {'S'}
end
if marker and redis.call('EXISTS', KEYS[2]) == 1 then
  return {'X'}
end
local seen, rejected, over = {}, nil, nil
for i = 1, n do
  local b = h + 1 + (i - 1) * 4
  local t = ARGV[b]
  local c = redis.call('HMGET', KEYS[kh + i], 'u:' .. t, 'r:' .. t, 'x:' .. t, 'hx')
  if c[3] ~= ARGV[b + 3] or tonumber(c[3]) <= now or (c[2] ~= '0' and (not c[4] or tonumber(c[4]) <= now)) then
    -- the full path creates, extends and lapses: a counter it has not made ready is not for this one
    return {'X'}
  end
  seen[i] = c
  local total = tonumber(c[1]) + amounts[i]
  if c[2] ~= '0' then
    total = total + tonumber(c[2])
  end
  if limits[i] >= 0 and total > limits[i] then
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
if clock[1] * 1000000 + clock[2] > deadline then
  return {'T'}
end
local reply = {'A'}
for i = 1, n do
  local b = h + 1 + (i - 1) * 4
  reply[#reply + 1] = redis.call('HINCRBY', KEYS[kh + i], 'u:' .. ARGV[b], ARGV[b + 1])
  reply[#reply + 1] = seen[i][2]
end
if marker then
  redis.call('HSET', KEYS[2], 'f', ARGV[5], 'x', ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
end
return reply
