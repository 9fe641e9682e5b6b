-- The system-wide step of an append, for the events of one UTC hour: each (user, event id) is counted once
-- however often the step runs, so a retried batch completes a step a failure interrupted. See RedisEventStore.
-- KEYS: 1 totals (hash), 2 distinct users (set), 3 refs (zset 'user|id' -> occurredAt), 4 ref -> event data
-- ARGV: 1 retention (ms), then per event: ref, occurredAt (micros), encoded user, '1' = failed, quantities
-- Reply: how many were counted now
local W = 5
local n = (#ARGV - 1) / W
if n < 1 or n ~= math.floor(n) or #KEYS ~= 4 or not num(ARGV[1]) or num(ARGV[1]) < 1 then
  return redis.error_reply('ERR usage system step: malformed call')
end
for i = 0, n - 1 do
  local b = 1 + i * W
  local at = num(ARGV[b + 2])
  if ARGV[b + 1] == '' or ARGV[b + 3] == '' or not at or at ~= math.floor(at)
      or (ARGV[b + 4] ~= '0' and ARGV[b + 4] ~= '1') or not valid_quantities(ARGV[b + 5]) then
    return redis.error_reply('ERR usage system step: event ' .. i .. ' is malformed')
  end
end

local counted = 0
for i = 0, n - 1 do
  local b = 1 + i * W
  local ref = ARGV[b + 1]
  if redis.call('ZADD', KEYS[3], 'NX', ARGV[b + 2], ref) == 1 then
    redis.call('HSET', KEYS[4], ref, ARGV[b + 4] .. ARGV[b + 5])
    redis.call('HINCRBY', KEYS[1], 'n', 1)
    if ARGV[b + 4] == '1' then
      redis.call('HINCRBY', KEYS[1], 'f', 1)
    end
    for t, a in string.gmatch(ARGV[b + 5], '([^=,]+)=([^=,]+)') do
      redis.call('HINCRBY', KEYS[1], 't:' .. t, a)
    end
    redis.call('SADD', KEYS[2], ARGV[b + 3])
    counted = counted + 1
  end
end
for _, k in ipairs(KEYS) do
  redis.call('PEXPIRE', k, ARGV[1])
end
return {counted}
