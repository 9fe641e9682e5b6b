-- The system-wide hour index's part of an append (see RedisEventStore): adds the batch's hours before their
-- data is written (an hour holding data is always in the index, whatever fails after), sets the index's TTL,
-- and drops the hours older than the cutoff (the retention before the batch's newest event; never the batch's
-- own), so that the index stays bounded. One key: a single slot on Cluster.
-- KEYS: 1 hour index (zset label -> hour number)
-- ARGV: 1 retention (ms), 2 cutoff (an hour number: hours before it leave), then per hour: number, label
-- Reply: {number of hours dropped}
local n = (#ARGV - 2) / 2
if #KEYS ~= 1 or n < 1 or n ~= math.floor(n) or not string.find(ARGV[1], '^[1-9]%d*$')
    or not string.find(ARGV[2], '^%-?%d+$') then
  return redis.error_reply('ERR usage index hours: malformed call')
end
for i = 1, n do
  if not string.find(ARGV[1 + 2 * i], '^%-?%d+$') or ARGV[2 + 2 * i] == '' then
    return redis.error_reply('ERR usage index hours: hour ' .. i .. ' is malformed')
  end
end
-- validated: from here on, writes
for i = 1, n do
  redis.call('ZADD', KEYS[1], ARGV[1 + 2 * i], ARGV[2 + 2 * i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])}
