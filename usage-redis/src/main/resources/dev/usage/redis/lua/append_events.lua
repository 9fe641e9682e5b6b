-- Append one user's events: each is stored unless its id is known (the first version is kept, a duplicate
-- within the batch too), and the user's hourly and daily rollups count the new ones. See RedisEventStore.
-- KEYS: 1 event times (zset id -> occurredAt), 2 events (hash id -> encoded event), 3 hour index, 4 day index,
--       5.. the rollup hashes the batch touches (hours and days)
-- ARGV: 1 retention (ms), 2 the trim cutoff (micros: the caller's, over all of the user's events in its batch,
--       which may take more than one call), then per event: id, occurredAt (micros), hour rollup (KEYS index),
--       day rollup (KEYS index), hour number, day number, hour label, day label, '1' = failed, quantities
--       ('type=amount,...'), encoded event
-- Reply: per event, 1 (new) or 0 (known) and the stored encoded event. Events older than the cutoff (the
-- retention before the batch's newest, never the batch's own) are dropped from the log (an id appended again
-- after that counts again).
local W = 11
local n = (#ARGV - 2) / W
local cutoff = num(ARGV[2])
if n < 1 or n ~= math.floor(n) or #KEYS < 5 or not num(ARGV[1]) or num(ARGV[1]) < 1 or not cutoff
    or cutoff ~= math.floor(cutoff) then
  return redis.error_reply('ERR usage append: malformed call')
end
for i = 0, n - 1 do
  local b = 2 + i * W
  for _, j in ipairs({2, 3, 4, 5, 6}) do
    local v = num(ARGV[b + j])
    if not v or v ~= math.floor(v) then
      return redis.error_reply('ERR usage append: event ' .. i .. ' field ' .. j .. ' is not a whole number')
    end
  end
  if num(ARGV[b + 3]) < 5 or num(ARGV[b + 3]) > #KEYS or num(ARGV[b + 4]) < 5 or num(ARGV[b + 4]) > #KEYS then
    return redis.error_reply('ERR usage append: event ' .. i .. ' names a rollup key not given')
  end
  if ARGV[b + 9] ~= '0' and ARGV[b + 9] ~= '1' then
    return redis.error_reply('ERR usage append: event ' .. i .. ' failed flag is not 0 or 1')
  end
  if not valid_quantities(ARGV[b + 10]) then
    return redis.error_reply('ERR usage append: event ' .. i .. ' has malformed quantities')
  end
  if ARGV[b + 1] == '' or ARGV[b + 11] == '' then
    return redis.error_reply('ERR usage append: event ' .. i .. ' has no id or no encoding')
  end
end

-- validated: from here on, writes
local ttl = ARGV[1]
local reply = {}
for i = 0, n - 1 do
  local b = 2 + i * W
  local id, blob = ARGV[b + 1], ARGV[b + 11]
  if redis.call('HSETNX', KEYS[2], id, blob) == 1 then
    redis.call('ZADD', KEYS[1], ARGV[b + 2], id)
    for _, rk in ipairs({KEYS[num(ARGV[b + 3])], KEYS[num(ARGV[b + 4])]}) do
      redis.call('HINCRBY', rk, 'n', 1)
      if ARGV[b + 9] == '1' then
        redis.call('HINCRBY', rk, 'f', 1)
      end
      for t, a in string.gmatch(ARGV[b + 10], '([^=,]+)=([^=,]+)') do
        redis.call('HINCRBY', rk, 't:' .. t, a)
      end
    end
    redis.call('ZADD', KEYS[3], ARGV[b + 5], ARGV[b + 7])
    redis.call('ZADD', KEYS[4], ARGV[b + 6], ARGV[b + 8])
    reply[#reply + 1] = 1
    reply[#reply + 1] = blob
  else
    reply[#reply + 1] = 0
    reply[#reply + 1] = redis.call('HGET', KEYS[2], id)
  end
end
-- events older than the cutoff leave the log: a bounded number per append, and more than the append brought, so
-- that a long-lived user's log stays bounded without a pass of its own however busy the user; so do the
-- indexes' expired buckets
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. int(cutoff), 'LIMIT', 0, 256 + n)
if #old > 0 then
  redis.call('HDEL', KEYS[2], unpack(old))
  redis.call('ZREM', KEYS[1], unpack(old))
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. int(math.floor(cutoff / 3600000000)))
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. int(math.floor(cutoff / 86400000000)))
for _, k in ipairs(KEYS) do
  redis.call('PEXPIRE', k, ttl)
end
return reply
